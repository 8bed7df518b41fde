package dev.nightshift.server.action;

import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The Kubernetes API as the action gateway and the kubectl proxy use it: raw REST calls through
 * client-java's configured HTTP client (its TLS and in-cluster credentials), each impersonating the
 * identity it is made for.
 */
public class Cluster {

    /** A buffered answer; {@code body} is at most {@link #MAX_BODY} bytes. */
    public record Answer(int status, String contentType, byte[] body) {

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** The largest answer kept in full (a kubectl list can be big; what is stored is bounded). */
    static final int MAX_BODY = 1 << 20;

    private final ActionProperties.Kubernetes properties;
    private final OkHttpClient http;
    private final OkHttpClient streaming;
    private final String basePath;
    private final ObjectMapper json;

    Cluster(ActionProperties.Kubernetes properties, ObjectMapper json) throws IOException {
        this.properties = properties;
        this.json = json;
        ApiClient client = properties.apiServerUrl() != null
                ? Config.fromUrl(properties.apiServerUrl().toString(), properties.verifyTls())
                : Config.defaultClient();
        this.basePath = client.getBasePath().replaceAll("/+$", "");
        this.streaming = client.getHttpClient().newBuilder().readTimeout(0, TimeUnit.MILLISECONDS)
                .callTimeout(0, TimeUnit.MILLISECONDS).build();
        this.http = streaming.newBuilder().callTimeout(properties.timeout()).readTimeout(properties.timeout()).build();
    }

    /** The user reads are forwarded as: the agent's read-only service account of the phase. */
    public String agent(String phaseSlug) {
        return properties.agentIdentity().replace("{phase}", phaseSlug);
    }

    /** The user approved writes are carried out as. */
    public String executor() {
        return properties.executorIdentity();
    }

    /** One call in JSON, buffered; {@code user} null for the server's own identity (lookups it needs to judge). */
    public Answer call(String user, String method, String pathAndQuery, String contentType, byte[] body)
            throws IOException {
        return call(user, method, pathAndQuery, "application/json", contentType, body);
    }

    /** One call, buffered, accepting what the caller accepts. */
    public Answer call(String user, String method, String pathAndQuery, String accept, String contentType, byte[] body)
            throws IOException {
        try (Response response = http.newCall(request(user, method, pathAndQuery, accept, contentType, body))
                .execute()) {
            byte[] bytes;
            try (InputStream in = response.body().byteStream()) {
                bytes = in.readNBytes(MAX_BODY);
            }
            return new Answer(response.code(), response.header("Content-Type"), bytes);
        }
    }

    /** One call whose answer the caller streams (a watch, a log follow) and closes. */
    public Response open(String user, String pathAndQuery, String accept) throws IOException {
        return streaming.newCall(request(user, "GET", pathAndQuery, accept, null, null)).execute();
    }

    /** A JSON object, or null when it does not exist. */
    public JsonNode get(String user, String path) throws IOException {
        Answer answer = call(user, "GET", path, null, null);
        if (answer.status() == 404) {
            return null;
        }
        if (!answer.ok()) {
            throw new IOException("GET " + path + " answered " + answer.status() + ": " + message(answer));
        }
        return json.readTree(answer.body());
    }

    /** A namespace's labels, read as the server itself; empty when it does not exist. */
    public Map<String, String> namespaceLabels(String namespace) throws IOException {
        JsonNode found = get(null, "/api/v1/namespaces/" + namespace);
        Map<String, String> labels = new LinkedHashMap<>();
        if (found != null) {
            found.path("metadata").path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
        }
        return labels;
    }

    /** The message of a Kubernetes {@code Status} body, or the start of whatever came back. */
    public String message(Answer answer) {
        try {
            JsonNode status = json.readTree(answer.body());
            if (status.path("message").isString()) {
                return status.path("message").asString();
            }
        } catch (RuntimeException notJson) {
            // fall through to the raw text
        }
        String text = answer.text();
        return text.length() > 200 ? text.substring(0, 200) : text;
    }

    private Request request(String user, String method, String pathAndQuery, String accept, String contentType,
            byte[] body) throws IOException {
        Request.Builder request = new Request.Builder().url(basePath + pathAndQuery)
                .header("Accept", accept == null ? "application/json" : accept);
        if (user != null) {
            request.header("Impersonate-User", user);
        }
        if (properties.tokenFile() != null) {
            request.header("Authorization", "Bearer " + Files.readString(properties.tokenFile()).strip());
        }
        RequestBody requestBody = null;
        if (body != null || method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
            requestBody = RequestBody.create(body == null ? new byte[0] : body,
                    contentType == null ? null : MediaType.parse(contentType));
        }
        return request.method(method, requestBody).build();
    }
}
