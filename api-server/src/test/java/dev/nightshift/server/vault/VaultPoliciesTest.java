package dev.nightshift.server.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.server.vault.VaultTestServer.Role;
import dev.nightshift.server.vault.VaultTestServer.Rule;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The policies in deploy/vault, loaded into the Vault test server: the same paths asked in every
 * phase, and what each phase's policy grants, and that the api-server's policy can mint and revoke
 * worker tokens and read nothing.
 */
class VaultPoliciesTest {

    static final Path VAULT = Path.of("..", "deploy", "vault").toAbsolutePath().normalize();
    static final Pattern BLOCK = Pattern.compile("path \"([^\"]+)\" \\{ capabilities = \\[([^]]*)] }");
    static final List<String> PATHS = List.of("nightshift/data/datasources/prod/prometheus",
            "nightshift/data/datasources/prod/loki", "nightshift/data/llm/inference", "database/creds/readonly",
            "aws/creds/readonly");

    /** Parses the HCL this project writes: comments and {@code path "..." { capabilities = [...] }} lines only. */
    static Rule[] policy(String file) throws IOException {
        List<Rule> rules = new ArrayList<>();
        for (String line : Files.readAllLines(VAULT.resolve(file))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = BLOCK.matcher(line.strip());
            assertThat(m.matches()).as(file + ": " + line).isTrue();
            rules.add(new Rule(m.group(1), Set.of(m.group(2).replace("\"", "").replace(" ", "").split(","))));
        }
        return rules.toArray(Rule[]::new);
    }

    @Test
    void shouldGrantEachPhaseItsPathsOfTheSameSet() throws Exception {
        try (VaultTestServer vault = new VaultTestServer("nightshift")) {
            vault.kv("datasources/prod/prometheus", Map.of("token", "t"));
            vault.kv("datasources/prod/loki", Map.of("token", "t"));
            vault.kv("llm/inference", Map.of("api_key", "k"));
            vault.dynamicSecret("database/creds/readonly", Map.of("username", "u", "password", "p"));
            vault.dynamicSecret("aws/creds/readonly", Map.of("access_key", "a", "secret_key", "s"));
            Map<String, String> granted = new LinkedHashMap<>();
            for (String phase : List.of("shadow", "assist", "limited-remediation", "autonomous")) {
                vault.policy("nightshift-agent-" + phase, policy("nightshift-agent-" + phase + ".hcl"));
                String token = vault.token("nightshift-agent-" + phase);
                List<String> readable = new ArrayList<>();
                for (String path : PATHS) {
                    if (get(vault, token, path) == 200) {
                        readable.add(path.startsWith("nightshift/data/") ? path.substring(16) : path);
                    }
                }
                granted.put(phase, String.join(", ", readable));
            }
            assertThat(granted).containsExactly(
                    Map.entry("shadow", "datasources/prod/prometheus, datasources/prod/loki, llm/inference"),
                    Map.entry("assist", "datasources/prod/prometheus, datasources/prod/loki, llm/inference, "
                            + "database/creds/readonly"),
                    Map.entry("limited-remediation", "datasources/prod/prometheus, datasources/prod/loki, "
                            + "llm/inference, database/creds/readonly, aws/creds/readonly"),
                    Map.entry("autonomous", "datasources/prod/prometheus, datasources/prod/loki, llm/inference, "
                            + "database/creds/readonly, aws/creds/readonly"));

            vault.policy("nightshift-api-server", policy("nightshift-api-server.hcl"));
            vault.role("nightshift-assist", new Role(List.of("nightshift-agent-assist"), true));
            String server = vault.token("nightshift-api-server");
            assertThat(PATHS.stream().map(p -> get(vault, server, p)).collect(Collectors.toSet()))
                    .as("the api-server reads no secret").containsExactly(403);
            HttpResponse<String> created = send(vault, server, "POST", "auth/token/create/nightshift-assist",
                    "{\"policies\":[\"nightshift-agent-assist\"],\"ttl\":\"600s\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
            assertThat(send(vault, server, "POST", "auth/token/create/nightshift-assist",
                    "{\"policies\":[\"nightshift-agent-autonomous\"]}").statusCode())
                    .as("a role never widens its policies").isEqualTo(400);
        }
    }

    private static int get(VaultTestServer vault, String token, String path) {
        return send(vault, token, "GET", path, null).statusCode();
    }

    private static HttpResponse<String> send(VaultTestServer vault, String token, String method, String path,
            String body) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(vault.url() + "/v1/" + path))
                    .header("X-Vault-Token", token).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
