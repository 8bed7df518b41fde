package dev.nightshift.worker;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * What the api-server answered to this attempt's registration (openapi.yaml, {@code WorkerRegistration}).
 *
 * @param problem title and problem statement, joined
 */
record Registration(int attempt, String title, String problem, List<String> domains, String severity,
        Map<String, String> labels, Map<String, String> target, String reasoner, Budgets budgets,
        List<Source> sources, Llm llm, String secrets, Vault vault, Redaction redaction, Traces traces) {

    /** Where to send spans; either may be null. */
    record Traces(URI zipkinEndpoint, URI otlpEndpoint) {}

    /** Where the attempt's Vault token waits, response-wrapped, and the paths to read with it. */
    record Vault(URI address, String wrappingToken, long wrapTtlSeconds, List<SecretPath> paths) {
        @Override
        public String toString() {
            return "Vault at " + address;
        }
    }

    record SecretPath(String purpose, String path) {}

    record Redaction(boolean emails, boolean ipAddresses, List<String> patterns) {
        Redactor redactor() {
            return new Redactor(emails, ipAddresses, patterns);
        }
    }

    /** Every secret this registration carries, for the redactor. */
    List<String> secretValues() {
        List<String> values = new ArrayList<>();
        sources.forEach(s -> {
            values.add(s.token());
            values.add(s.password());
        });
        if (llm != null) {
            values.add(llm.apiKey());
        }
        if (vault != null) {
            values.add(vault.wrappingToken());
        }
        return values;
    }

    /** The same with the text that came from people and alerts (title, problem, labels) redacted. */
    Registration redacted(Redactor redactor) {
        Map<String, String> cleanLabels = new LinkedHashMap<>();
        labels.forEach((k, v) -> cleanLabels.put(k, redactor.redact(v)));
        return new Registration(attempt, redactor.redact(title), redactor.redact(problem), domains, severity,
                cleanLabels, target, reasoner, budgets, sources, llm, secrets, vault, redaction, traces);
    }

    Registration with(List<Source> newSources, Llm newLlm) {
        return new Registration(attempt, title, problem, domains, severity, labels, target,
                newLlm == null ? "rules" : reasoner, budgets, newSources, newLlm, secrets, vault, redaction, traces);
    }

    record Budgets(int cycleLimit, String cycleLimitReason, long tokenBudget, Instant deadline, Duration toolTimeout,
            int toolResultBytes) {}

    /** A data source with its credentials; never printed with them. */
    record Source(String kind, String url, String authType, String token, String username, String password) {
        @Override
        public String toString() {
            return kind + " " + url;
        }
    }

    record Llm(String baseUrl, String model, String apiKey, BigDecimal inputPricePerMillion,
            BigDecimal outputPricePerMillion) {
        @Override
        public String toString() {
            return model + " at " + baseUrl;
        }

        /** The cost in USD of a call, 0 when the server has no price for the model. */
        BigDecimal cost(long inputTokens, long outputTokens) {
            BigDecimal in = inputPricePerMillion == null ? BigDecimal.ZERO : inputPricePerMillion;
            BigDecimal out = outputPricePerMillion == null ? BigDecimal.ZERO : outputPricePerMillion;
            return in.multiply(BigDecimal.valueOf(inputTokens)).add(out.multiply(BigDecimal.valueOf(outputTokens)))
                    .movePointLeft(6);
        }
    }

    static Registration parse(JsonNode json) {
        JsonNode investigation = json.path("investigation");
        JsonNode budgets = json.path("budgets");
        List<Source> sources = new ArrayList<>();
        json.path("datasources").forEach(s -> sources.add(new Source(s.path("kind").asString(), s.path("url").asString(),
                s.path("authType").asString("NONE"), text(s, "token"), text(s, "username"), text(s, "password"))));
        JsonNode llm = json.path("llm");
        return new Registration(
                json.path("attempt").asInt(),
                investigation.path("title").asString(""),
                investigation.path("problem").asString(""),
                investigation.path("domains").valueStream().map(JsonNode::asString).toList(),
                investigation.path("severity").asString(""),
                strings(investigation.path("labels")),
                strings(investigation.path("target")),
                json.path("reasoner").asString("rules"),
                new Budgets(budgets.path("cycleLimit").asInt(8), budgets.path("cycleLimitReason").asString(""),
                        budgets.path("tokenBudget").asLong(0), Instant.parse(budgets.path("deadline").asString()),
                        Duration.ofMillis(budgets.path("toolTimeoutMillis").asLong(15_000)),
                        budgets.path("toolResultBytes").asInt(65_536)),
                List.copyOf(sources),
                llm.isObject() ? new Llm(llm.path("baseUrl").asString(), text(llm, "model"), text(llm, "apiKey"),
                        decimal(llm, "inputPricePerMillion"), decimal(llm, "outputPricePerMillion")) : null,
                json.path("secrets").asString(""),
                vault(json.path("vault")),
                new Redaction(json.path("redaction").path("emails").asBoolean(true),
                        json.path("redaction").path("ipAddresses").asBoolean(false),
                        json.path("redaction").path("patterns").valueStream().map(JsonNode::asString).toList()),
                new Traces(uri(json.path("tracing").path("zipkinEndpoint")),
                        uri(json.path("tracing").path("otlpEndpoint"))));
    }

    private static URI uri(JsonNode value) {
        return value.isString() && !value.asString().isBlank() ? URI.create(value.asString()) : null;
    }

    private static Vault vault(JsonNode vault) {
        if (!vault.isObject()) {
            return null;
        }
        List<SecretPath> paths = new ArrayList<>();
        vault.path("paths").forEach(p -> paths.add(new SecretPath(p.path("purpose").asString(""), p.path("path").asString())));
        return new Vault(URI.create(vault.path("address").asString()), vault.path("wrappingToken").asString(),
                vault.path("wrapTtlSeconds").asLong(0), List.copyOf(paths));
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> values = new LinkedHashMap<>();
        object.properties().forEach(e -> {
            if (e.getValue().isString()) {
                values.put(e.getKey(), e.getValue().asString());
            }
        });
        return values;
    }

    private static String text(JsonNode node, String field) {
        return node.path(field).isString() ? node.path(field).asString() : null;
    }

    private static BigDecimal decimal(JsonNode node, String field) {
        return node.path(field).isNumber() ? node.path(field).decimalValue() : null;
    }
}
