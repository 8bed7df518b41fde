package dev.nightshift.server.investigation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.server.ApiClient;
import dev.nightshift.server.IntegrationTest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad input gets its problem response, names the field, and stores nothing. */
class BadInputIT extends IntegrationTest {

    private static final String INVESTIGATIONS = "/api/v1/investigations";
    private static final String PROBLEMS = "https://nightshift.dev/problems/";

    private long before;

    @BeforeEach
    void countBefore() {
        before = investigationCount();
    }

    @AfterEach
    void nothingStored() {
        assertThat(investigationCount()).as("a rejected request stores nothing").isEqualTo(before);
        assertThat(jdbc.sql("SELECT count(*) FROM investigation_transitions").query(Long.class).single())
                .isEqualTo(jdbc.sql("SELECT count(*) FROM investigation_transitions t JOIN investigations i"
                        + " ON i.id = t.investigation_id").query(Long.class).single());
    }

    private static Map<String, Object> valid() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", "Disk pressure on nodes");
        body.put("problem", "Kubelet reports DiskPressure on three nodes.");
        body.put("domains", List.of("storage"));
        body.put("severity", "warning");
        return body;
    }

    private static Map<String, Object> with(String field, Object value) {
        Map<String, Object> body = valid();
        body.put(field, value);
        return body;
    }

    private static Map<String, Object> without(String field) {
        Map<String, Object> body = valid();
        body.remove(field);
        return body;
    }

    static List<Arguments> invalidBodies() {
        Map<String, String> tooManyLabels = new LinkedHashMap<>();
        IntStream.range(0, 65).forEach(i -> tooManyLabels.put("k" + i, "v"));
        return List.of(
                Arguments.of("missing title", without("title"), List.of("title")),
                Arguments.of("blank title", with("title", "   "), List.of("title")),
                Arguments.of("long title", with("title", "t".repeat(201)), List.of("title")),
                Arguments.of("multi-line title", with("title", "a\nb"), List.of("title")),
                Arguments.of("missing problem", without("problem"), List.of("problem")),
                Arguments.of("long problem", with("problem", "p".repeat(10_001)), List.of("problem")),
                Arguments.of("missing domains", without("domains"), List.of("domains")),
                Arguments.of("empty domains", with("domains", List.of()), List.of("domains")),
                Arguments.of("repeated domain", with("domains", List.of("network", "network")), List.of("domains[1]")),
                Arguments.of("unknown domain", with("domains", List.of("network", "dns")), List.of("domains[1]")),
                Arguments.of("domains not an array", with("domains", "network"), List.of("domains")),
                Arguments.of("missing severity", without("severity"), List.of("severity")),
                Arguments.of("unknown severity", with("severity", "page-me"), List.of("severity")),
                Arguments.of("severity as a number", with("severity", 0), List.of("severity")),
                Arguments.of("title as a number", with("title", 42), List.of("title")),
                Arguments.of("unknown field", with("priority", "p1"), List.of("priority")),
                Arguments.of("bad label key", with("labels", Map.of("-bad", "x")), List.of("labels.-bad")),
                Arguments.of("long label value", with("labels", Map.of("k", "v".repeat(257))), List.of("labels.k")),
                Arguments.of("too many labels", with("labels", tooManyLabels), List.of("labels")),
                Arguments.of("bad namespace", with("target", Map.of("namespace", "Shop_Prod")), List.of("target.namespace")),
                Arguments.of("bad cluster", with("target", Map.of("cluster", "-x")), List.of("target.cluster")),
                Arguments.of("bad workload", with("target", Map.of("workload", "deploy/Check Out")), List.of("target.workload")),
                Arguments.of("unknown target field", with("target", Map.of("pod", "x")), List.of("target.pod")),
                Arguments.of("unknown tier", with("tier", "huge"), List.of("tier")),
                Arguments.of("several at once", Map.of("title", "", "problem", "", "domains", List.of(), "severity", "info"),
                        List.of("title", "problem", "domains")),
                Arguments.of("type and rule errors together", Map.of("title", 42, "problem", " ",
                                "domains", List.of("network", "dns"), "severity", "bogus", "labels", Map.of("k", 1)),
                        List.of("title", "domains[1]", "severity", "labels.k", "problem")),
                Arguments.of("body not an object", List.of("title"), List.of("(body)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidBodies")
    void shouldRejectInvalidBodyNamingEachField(String name, Object body, List<String> fields) {
        ApiClient.Response response = api.post(INVESTIGATIONS).bearer(OPERATOR).json(body).send();

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
        assertThat(response.json().path("type").asString()).isEqualTo(PROBLEMS + "validation");
        assertThat(response.errorFields()).containsExactlyElementsOf(fields);
        assertThat(response.body()).doesNotContain("Exception", "at dev.nightshift");
    }

    @Test
    void shouldRejectMalformedJson() {
        for (String body : List.of("{", "not json", "{\"title\": \"a\", \"title\": \"b\"}", "{} {}")) {
            ApiClient.Response response = api.post(INVESTIGATIONS).bearer(OPERATOR).json(body).send();
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.json().path("type").asString()).as(body)
                    .isIn(PROBLEMS + "malformed-request", PROBLEMS + "validation");
        }
        ApiClient.Response empty = api.post(INVESTIGATIONS).bearer(OPERATOR).json("").send();
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.json().path("type").asString()).isEqualTo(PROBLEMS + "malformed-request");
    }

    @Test
    void shouldRejectOtherMediaTypesWith415() {
        ApiClient.Response response = api.post(INVESTIGATIONS).bearer(OPERATOR)
                .body("text/plain", "title=Disk pressure").send();
        assertThat(response.status()).isEqualTo(415);
        assertThat(response.json().path("type").asString()).isEqualTo(PROBLEMS + "unsupported-media-type");
    }

    @Test
    void shouldRejectBodiesOver256KiBWith413WhetherDeclaredOrChunked() {
        Map<String, Object> body = with("problem", "x".repeat(300 * 1024));
        ApiClient.Response declared = api.post(INVESTIGATIONS).bearer(OPERATOR).json(body).send();
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.json().path("type").asString()).isEqualTo(PROBLEMS + "payload-too-large");

        byte[] chunked = ("{\"title\":\"" + "x".repeat(300 * 1024) + "\"}").getBytes();
        ApiClient.Response streamed = api.post(INVESTIGATIONS).bearer(OPERATOR).chunked("application/json", chunked).send();
        assertThat(streamed.status()).isEqualTo(413);
    }

    @Test
    void shouldRejectMalformedIdempotencyKey() {
        ApiClient.Response response = api.post(INVESTIGATIONS).bearer(OPERATOR)
                .header("Idempotency-Key", "has space").json(valid()).send();
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.errorFields()).containsExactly("Idempotency-Key");
    }

    @Test
    void shouldRejectUnknownFieldsAndLongReasonsOnCancel() {
        String id = api.post(INVESTIGATIONS).bearer(OPERATOR).json(valid()).send().json().path("id").asString();
        before = investigationCount();
        ApiClient.Response unknown = api.post(INVESTIGATIONS + "/" + id + "/cancel").bearer(OPERATOR)
                .json(Map.of("why", "x")).send();
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorFields()).containsExactly("why");
        ApiClient.Response longReason = api.post(INVESTIGATIONS + "/" + id + "/cancel").bearer(OPERATOR)
                .json(Map.of("reason", "r".repeat(1001))).send();
        assertThat(longReason.status()).isEqualTo(400);
        assertThat(api.get(INVESTIGATIONS + "/" + id).bearer(VIEWER).send().json().path("status").asString())
                .isEqualTo("QUEUED");
    }

    @Test
    void shouldAnswerUnknownPathsAndMethodsWithProblems() {
        ApiClient.Response method = api.call("DELETE", INVESTIGATIONS).bearer(ADMIN).send();
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.json().path("type").asString()).isEqualTo(PROBLEMS + "method-not-allowed");
    }
}
