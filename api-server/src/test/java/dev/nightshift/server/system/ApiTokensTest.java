package dev.nightshift.server.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ApiTokensTest {

    private static final SecurityProperties.Jwt NO_JWT = new SecurityProperties.Jwt(null, null, null, null);

    @Test
    void shouldResolveConfiguredHashesOnly() {
        var properties = new SecurityProperties(null,
                List.of(new SecurityProperties.Token("ci", ApiTokens.hash("s3cret"), Set.of(Role.OPERATOR))), NO_JWT);
        ApiTokens tokens = ApiTokens.from(properties, new PrintStream(new ByteArrayOutputStream()));
        assertThat(tokens.resolve("s3cret")).hasValueSatisfying(p -> {
            assertThat(p.name()).isEqualTo("ci");
            assertThat(p.roles()).containsExactly(Role.OPERATOR);
        });
        assertThat(tokens.resolve("S3cret")).isEmpty();
        assertThat(tokens.resolve("")).isEmpty();
        assertThat(tokens.resolve(null)).isEmpty();
    }

    @Test
    void shouldHashAsSha256Hex() {
        assertThat(ApiTokens.hash("abc"))
                .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void shouldMakeTheAdminTokenAnAdmin() {
        ApiTokens tokens = ApiTokens.from(new SecurityProperties("local-admin", List.of(), NO_JWT), System.out);
        assertThat(tokens.resolve("local-admin")).hasValueSatisfying(p -> assertThat(p.roles()).containsExactly(Role.ADMIN));
    }

    @Test
    void shouldGenerateAndPrintAnAdminTokenOnlyWhenNothingElseGrantsAccess() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ApiTokens tokens = ApiTokens.from(new SecurityProperties(null, List.of(), NO_JWT), new PrintStream(console));
        Matcher printed = Pattern.compile("nsk_[A-Za-z0-9_-]{43}").matcher(console.toString(StandardCharsets.UTF_8));
        assertThat(printed.find()).isTrue();
        assertThat(tokens.resolve(printed.group())).hasValueSatisfying(p -> assertThat(p.roles()).containsExactly(Role.ADMIN));

        ByteArrayOutputStream quiet = new ByteArrayOutputStream();
        var withJwt = new SecurityProperties(null, List.of(), new SecurityProperties.Jwt("https://idp", null, null, null));
        ApiTokens.from(withJwt, new PrintStream(quiet));
        assertThat(quiet.size()).isZero();
    }

    @Test
    void shouldRefuseMalformedTokenConfiguration() {
        assertThatIllegalStateException().isThrownBy(() -> ApiTokens.from(new SecurityProperties(null,
                        List.of(new SecurityProperties.Token("ci", "plain-text-token", Set.of(Role.VIEWER))), NO_JWT), System.out))
                .withMessageContaining("tokens[ci].hash must be 'sha256:'");
        assertThatIllegalStateException().isThrownBy(() -> ApiTokens.from(new SecurityProperties(null,
                        List.of(new SecurityProperties.Token("ci", ApiTokens.hash("x"), Set.of())), NO_JWT), System.out))
                .withMessageContaining("roles must not be empty");
    }
}
