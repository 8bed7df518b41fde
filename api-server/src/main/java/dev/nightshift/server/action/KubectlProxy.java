package dev.nightshift.server.action;

import dev.nightshift.server.system.WorkerCredentials;
import dev.nightshift.server.trust.TrustPhase;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code /k8s-proxy/**}: a Kubernetes API reverse proxy for agents (worker tokens only), so kubectl
 * works and nothing destructive happens unseen. Reads are forwarded untouched as the agent's
 * read-only service account. Every write is decided by the action policy like a gateway action:
 * destructive ones (guarded deletes, scale to zero or drastic cuts, drain and cordon, image or
 * limit changes in production, anything in a protected namespace) are high risk and wait for a
 * human up to the hold timeout; what is approved is replayed as the executor, and kubectl gets the
 * cluster's own answer. Whatever is not carried out comes back as a Kubernetes {@code Status}, which
 * kubectl prints as {@code Error from server (Forbidden): ...}.
 */
@RestController
class KubectlProxy {

    static final String PREFIX = "/k8s-proxy";
    /** The Kubernetes API's own request size limit. */
    static final int MAX_BODY = 3 * 1024 * 1024;
    static final String ACTION_HEADER = "X-Nightshift-Action-Id";
    /** Creates that only ask a question: forwarded like reads. */
    static final Set<String> REVIEWS = Set.of("selfsubjectaccessreviews", "selfsubjectrulesreviews",
            "selfsubjectreviews");
    static final Set<String> SCALABLE = Set.of("deployments", "statefulsets", "replicasets", "replicationcontrollers");

    private final ActionService actions;
    private final ActionPolicy policy;
    private final ObjectMapper json;
    private final Clock clock;

    KubectlProxy(ActionService actions, ActionPolicy policy, ObjectMapper json, Clock clock) {
        this.actions = actions;
        this.policy = policy;
        this.json = json;
        this.clock = clock;
    }

    @RequestMapping(PREFIX + "/**")
    void proxy(HttpServletRequest request, HttpServletResponse response, Authentication authentication)
            throws IOException, InterruptedException {
        UUID investigationId = ((WorkerCredentials.WorkerPrincipal) authentication.getPrincipal()).investigationId();
        String path = request.getRequestURI().substring(request.getContextPath().length() + PREFIX.length());
        String query = request.getQueryString();
        String pathAndQuery = (path.isEmpty() ? "/" : path) + (query == null ? "" : "?" + query);
        KubectlCall call = KubectlCall.parse(request.getMethod(), path, query);
        Cluster cluster = actions.cluster();
        if (cluster == null) {
            status(response, 503, "ServiceUnavailable", "Nightshift has no Kubernetes cluster configured for the proxy.",
                    call, null);
            return;
        }
        if (call.stream()) {
            status(response, 403, "Forbidden", call.rbacResource() + " opens a stream into a container; agents get no"
                    + " exec, attach, port-forward or proxy through Nightshift.", call, null);
            return;
        }
        TrustPhase phase = actions.phaseOf(investigationId);
        if (request.getMethod().equals("GET")) {
            forward(cluster, cluster.agent(phase.slug()), pathAndQuery, request, response);
            return;
        }
        byte[] bytes = request.getInputStream().readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            status(response, 413, "RequestEntityTooLarge", "The request body is over " + MAX_BODY + " bytes.", call, null);
            return;
        }
        String body = bytes.length == 0 ? null : new String(bytes, StandardCharsets.UTF_8);
        if (call.verb().equals("create") && REVIEWS.contains(call.resource())) {
            Cluster.Answer answer = cluster.call(cluster.agent(phase.slug()), "POST", pathAndQuery,
                    request.getHeader("Accept"), request.getContentType(), bytes);
            answer(response, answer.status(), answer.contentType(), answer.body());
            return;
        }
        List<String> reasons = destructive(cluster, call, body);
        Action action = actions.hold(investigationId, new ActionService.HeldCall(call.verb(), call.rbacResource(),
                call.namespace(), call.name(), reasons.isEmpty() ? ActionKind.Risk.LOW : ActionKind.Risk.HIGH, reasons,
                request.getMethod(), pathAndQuery, request.getContentType(), body), authentication.getName());
        Action decided = awaitDecision(action);
        response.setHeader(ACTION_HEADER, decided.id().toString());
        respond(decided, call, response);
    }

    /** Why this write is destructive; empty when it is not. */
    List<String> destructive(Cluster cluster, KubectlCall call, String body) throws IOException {
        List<String> reasons = new ArrayList<>();
        String what = call.rbacResource() + (call.name() == null ? "" : " " + call.name());
        if (call.verb().equals("delete") && call.subresource() == null
                && KubectlCall.GUARDED_DELETES.contains(call.resource())) {
            reasons.add("delete of " + what);
        }
        if (call.verb().equals("deletecollection")) {
            reasons.add("delete of every " + call.resource() + (call.namespace() == null ? "" : " in " + call.namespace()));
        }
        if (call.namespace() != null) {
            if (policy.isProtected(call.namespace(), cluster.namespaceLabels(call.namespace()))) {
                reasons.add("namespace " + call.namespace() + " is protected");
            }
        }
        boolean changes = call.verb().equals("update") || call.verb().equals("patch");
        if (changes && SCALABLE.contains(call.resource()) && call.name() != null
                && (call.subresource() == null || call.subresource().equals("scale"))) {
            Integer replicas = call.replicas(body, json);
            if (replicas != null) {
                String object = (call.group().isEmpty() ? "/api/v1" : "/apis/" + call.group() + "/v1") + "/namespaces/"
                        + call.namespace() + "/" + call.resource() + "/" + call.name();
                JsonNode current = cluster.get(null, object);
                Integer now = current == null ? null : current.path("spec").path("replicas").asInt(1);
                if (policy.isDrasticScale(replicas, now)) {
                    reasons.add("scale of " + call.resource() + " " + call.name() + " from " + (now == null ? "?" : now)
                            + " to " + replicas);
                }
            }
        }
        if (call.verb().equals("create") && "eviction".equals(call.subresource())) {
            reasons.add("eviction of pod " + call.name() + " (drain)");
        }
        if (changes && "nodes".equals(call.resource()) && call.cordons(body, json)) {
            reasons.add("cordon of node " + call.name());
        }
        if (changes && policy.production() && KubectlCall.WORKLOADS.contains(call.resource())
                && call.changesImageOrLimits(body, json)) {
            reasons.add("changes an image or resource limits of " + what + " in production");
        }
        return reasons;
    }

    /** Waits while a human decides, up to the hold timeout, then expires it. */
    private Action awaitDecision(Action action) throws InterruptedException {
        Action.Status status = action.status();
        while (!status.settled()) {
            if (status == Action.Status.PENDING_APPROVAL && !clock.instant().isBefore(action.expiresAt())) {
                actions.expire(action.id());
            } else {
                Thread.sleep(250);
            }
            status = actions.statusOf(action.id());
        }
        return actions.get(action.id());
    }

    private void respond(Action action, KubectlCall call, HttpServletResponse response) throws IOException {
        String id = " (Nightshift action " + action.id() + ")";
        switch (action.status()) {
            case EXECUTED, FAILED -> {
                JsonNode result = action.result();
                if (result != null && result.path("httpStatus").isIntegralNumber() && result.has("body")) {
                    answer(response, result.path("httpStatus").asInt(), result.path("contentType").asString(null),
                            result.path("body").asString("").getBytes(StandardCharsets.UTF_8));
                } else {
                    status(response, 503, "ServiceUnavailable", "Approved but not carried out: "
                            + (result == null ? "no result" : result.path("summary").asString("")) + id, call,
                            action.id());
                }
            }
            case RECORDED -> status(response, 403, "Forbidden", "Nightshift recorded this " + call.verb() + " of "
                    + call.rbacResource() + " as a recommendation in the " + action.trustPhase().slug()
                    + " phase; nothing was executed" + id, call, action.id());
            case RATE_LIMITED -> status(response, 429, "TooManyRequests", "Nightshift rate limit: "
                    + action.policyReason() + id, call, action.id());
            case DENIED_BY_POLICY -> status(response, 403, "Forbidden", "Nightshift policy denied this: "
                    + action.policyReason() + id, call, action.id());
            case REJECTED -> status(response, 403, "Forbidden", "Rejected by " + action.decidedBy() + ": "
                    + action.decisionReason() + id, call, action.id());
            case EXPIRED -> status(response, 403, "Forbidden", "Not approved in time (" + action.decisionReason()
                    + "); nothing was executed" + id, call, action.id());
            default -> throw new IllegalStateException("unsettled " + action.status());
        }
    }

    private static void forward(Cluster cluster, String user, String pathAndQuery, HttpServletRequest request,
            HttpServletResponse response) throws IOException {
        try (okhttp3.Response upstream = cluster.open(user, pathAndQuery, request.getHeader("Accept"))) {
            response.setStatus(upstream.code());
            String contentType = upstream.header("Content-Type");
            if (contentType != null) {
                response.setContentType(contentType);
            }
            try (InputStream in = upstream.body().byteStream(); OutputStream out = response.getOutputStream()) {
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    if (in.available() == 0) {
                        out.flush(); // a watch delivers each event as it comes
                    }
                }
            }
        }
    }

    private static void answer(HttpServletResponse response, int status, String contentType, byte[] body)
            throws IOException {
        response.setStatus(status);
        response.setContentType(contentType == null ? "application/json" : contentType);
        response.getOutputStream().write(body);
    }

    /** A Kubernetes {@code Status} failure body, as the API server itself would answer. */
    private void status(HttpServletResponse response, int code, String reason, String message, KubectlCall call,
            UUID actionId) throws IOException {
        Map<String, Object> details = new LinkedHashMap<>();
        if (call.name() != null) {
            details.put("name", call.name());
        }
        if (call.group() != null) {
            details.put("group", call.group());
        }
        if (call.resource() != null) {
            details.put("kind", call.resource());
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("metadata", Map.of());
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("details", details);
        status.put("code", code);
        if (actionId != null) {
            response.setHeader(ACTION_HEADER, actionId.toString());
        }
        answer(response, code, "application/json", json.writeValueAsBytes(status));
    }
}
