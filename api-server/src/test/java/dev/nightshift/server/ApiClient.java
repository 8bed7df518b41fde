package dev.nightshift.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * HTTP client for integration tests that checks every response against openapi.yaml: status,
 * headers, content type and body schema. A response the contract does not describe fails the test,
 * whatever the test itself asserts.
 */
public final class ApiClient {

    private static final OpenApiInteractionValidator CONTRACT = OpenApiInteractionValidator
            .createForSpecificationUrl(ApiClient.class.getResource("/openapi.yaml").toString())
            .build();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> NOT_IN_CONTRACT =
            Set.of("validation.request.path.missing", "validation.request.operation.notAllowed");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String baseUrl;

    public ApiClient(int port) {
        this.baseUrl = "http://127.0.0.1:" + port;
    }

    public Call get(String path) {
        return new Call("GET", path);
    }

    public Call post(String path) {
        return new Call("POST", path);
    }

    public Call call(String method, String path) {
        return new Call(method, path);
    }

    /** A response, already checked against the contract. */
    public record Response(int status, Map<String, List<String>> headers, String body) {

        public JsonNode json() {
            return JSON.readTree(body);
        }

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream())
                    .findFirst()
                    .orElse(null);
        }

        /** The {@code errors[].field} values of a problem response. */
        public List<String> errorFields() {
            return json().path("errors").valueStream().map(e -> e.path("field").asString()).toList();
        }
    }

    public final class Call {
        private final String method;
        private final String path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();

        private Call(String method, String path) {
            this.method = method;
            this.path = path;
        }

        public Call bearer(String token) {
            return header("Authorization", "Bearer " + token);
        }

        public Call basic(String user, String password) {
            String credentials = Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            return header("Authorization", "Basic " + credentials);
        }

        public Call header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Call json(Object value) {
            return body("application/json", value instanceof String text ? text : JSON.writeValueAsString(value));
        }

        public Call body(String contentType, String content) {
            header("Content-Type", contentType);
            body = HttpRequest.BodyPublishers.ofString(content);
            return this;
        }

        /** A body of unknown length, sent with chunked transfer encoding. */
        public Call chunked(String contentType, byte[] content) {
            header("Content-Type", contentType);
            body = HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(content));
            return this;
        }

        public Response send() {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).method(method, body);
            headers.forEach(request::header);
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new IllegalStateException(method + " " + path + " failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            Response result = new Response(response.statusCode(), response.headers().map(), response.body());
            checkContract(result);
            return result;
        }

        private void checkContract(Response response) {
            SimpleResponse.Builder contract = SimpleResponse.Builder.status(response.status());
            response.headers().forEach((name, values) -> contract.withHeader(name, values));
            if (!response.body().isEmpty()) {
                contract.withBody(response.body());
            }
            String pathOnly = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
            ValidationReport report = CONTRACT.validateResponse(pathOnly, Request.Method.valueOf(method), contract.build());
            if (report.getMessages().stream().anyMatch(m -> NOT_IN_CONTRACT.contains(m.getKey()))) {
                // Paths and methods the API does not offer: the server's problem answer has no schema to meet.
                if (response.status() >= 400) {
                    assertThat(response.header("Content-Type")).startsWith("application/problem+json");
                }
                return;
            }
            // An empty text/plain body is the empty string, which the validator reports as no body.
            boolean emptyText = response.body().isEmpty()
                    && String.valueOf(response.header("Content-Type")).startsWith("text/plain");
            report = emptyText ? ValidationReport.from(report.getMessages().stream()
                    .filter(m -> !m.getKey().equals("validation.response.body.missing")).toList()) : report;
            if (report.hasErrors()) {
                fail("%s %s -> %d does not match openapi.yaml:%n%s%nbody: %s", method, path, response.status(),
                        report.getMessages().stream().map(m -> "  - " + m.getKey() + ": " + m.getMessage())
                                .collect(Collectors.joining("\n")),
                        response.body());
            }
        }
    }
}
