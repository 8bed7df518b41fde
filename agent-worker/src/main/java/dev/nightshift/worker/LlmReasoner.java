package dev.nightshift.worker;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reasoning with an LLM over any OpenAI-compatible chat-completions endpoint with tool calling
 * (OpenAI, vLLM, Ollama, llama.cpp server), through the official OpenAI Java library. Each cycle is
 * one completion: the model proposes and updates hypotheses, questions the data sources through
 * their tools, and ends by calling {@code conclude} or {@code escalate}. Every call is an
 * {@code LLM_CALLED} event with tokens, latency and cost.
 */
final class LlmReasoner {

    static final String NAME = "llm";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> STATUSES = Set.of("supported", "refuted", "confirmed", "rejected");
    private static final String SYSTEM = """
            You are Nightshift's diagnostic agent for a Kubernetes platform. Find the root cause of the
            problem below. Work in small steps: propose hypotheses (propose_hypothesis), test each with
            the data-source tools (always pass the hypothesisId the question tests), update them
            (update_hypothesis) as evidence supports or refutes them, refine a hypothesis by proposing a
            child with parentId. When one is confirmed by evidence, call conclude; when the evidence
            cannot settle it, call escalate with what a human should look at. You can only read. If a
            remediation from the catalogue would help, propose it once with propose_action before you
            conclude: Nightshift's policy and its operators decide whether it runs, so never describe it
            as done. Be brief.""";

    /** What propose_action may carry: the action gateway's request fields. */
    static final java.util.Set<String> ACTION_FIELDS = java.util.Set.of("kind", "namespace", "name", "replicas",
            "minReplicas", "maxReplicas", "webhook", "rationale");

    private final Registration registration;
    private final Toolbox toolbox;
    private final Trail trail;
    private final CircuitBreaker breaker;
    private final EventPublisher events;
    private final ServerClient server;
    private final Redactor redactor;
    private int proposed;

    /** @param redactor for what reaches the model besides the (already redacted) registration and tool answers */
    LlmReasoner(Registration registration, Toolbox toolbox, Trail trail, CircuitBreaker breaker, EventPublisher events,
            ServerClient server, Redactor redactor) {
        this.registration = registration;
        this.redactor = redactor;
        this.toolbox = toolbox;
        this.trail = trail;
        this.breaker = breaker;
        this.events = events;
        this.server = server;
    }

    /** How many actions the model proposed (the worker then proposes none of its own). */
    int proposed() {
        return proposed;
    }

    Outcome run() throws CircuitBreaker.Tripped {
        Registration.Llm llm = registration.llm();
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl(llm.baseUrl())
                .apiKey(llm.apiKey() == null || llm.apiKey().isBlank() ? "none" : llm.apiKey())
                .timeout(Duration.ofSeconds(120))
                .maxRetries(2)
                .build();
        try {
            return converse(client, llm);
        } finally {
            client.close();
        }
    }

    private Outcome converse(OpenAIClient client, Registration.Llm llm) throws CircuitBreaker.Tripped {
        ChatCompletionCreateParams.Builder conversation = ChatCompletionCreateParams.builder()
                .model(llm.model() == null ? "default" : llm.model())
                .addSystemMessage(SYSTEM)
                .addUserMessage(brief());
        functions().forEach(conversation::addFunctionTool);
        long seenEvents = 0;
        while (true) {
            breaker.startCycle();
            seenEvents = newAlerts(conversation, seenEvents);
            long start = System.nanoTime();
            ChatCompletion completion;
            try {
                completion = client.chat().completions().create(conversation.build());
            } catch (RuntimeException e) {
                report(llm, 0, 0, start, e.getMessage());
                return Outcome.escalate("the LLM did not answer: " + Tools.cut(String.valueOf(e.getMessage()), 300));
            }
            long in = completion.usage().map(u -> u.promptTokens()).orElse(0L);
            long out = completion.usage().map(u -> u.completionTokens()).orElse(0L);
            report(llm, in, out, start, null);
            breaker.spend(in, out);
            ChatCompletionMessage message = completion.choices().getFirst().message();
            conversation.addMessage(message);
            List<ChatCompletionMessageToolCall> calls = message.toolCalls().orElse(List.of());
            if (calls.isEmpty()) {
                conversation.addUserMessage("Use the tools: test a hypothesis, or call conclude or escalate.");
                continue;
            }
            for (ChatCompletionMessageToolCall call : calls) {
                ChatCompletionMessageFunctionToolCall function = call.function().orElse(null);
                if (function == null) {
                    continue;
                }
                Map<String, Object> arguments = arguments(function.function().arguments());
                String name = function.function().name();
                if (name.equals("conclude")) {
                    return new Outcome(true, Tools.str(arguments, "rootCause"), Tools.str(arguments, "rootCauseCategory"),
                            Tools.str(arguments, "remediationClass"), number(arguments, "confidence", 0.5),
                            Tools.str(arguments, "suggestedRemediation"));
                }
                if (name.equals("escalate")) {
                    return Outcome.escalate(Tools.str(arguments, "reason"));
                }
                conversation.addMessage(ChatCompletionToolMessageParam.builder().toolCallId(function.id())
                        .content(execute(name, arguments)).build());
            }
        }
    }

    private String brief() {
        StringBuilder brief = new StringBuilder("Problem: ").append(registration.title()).append('\n')
                .append(registration.problem()).append("\nSeverity: ").append(registration.severity())
                .append("\nDomains: ").append(String.join(", ", registration.domains()));
        if (!registration.target().isEmpty()) {
            brief.append("\nTarget: ").append(registration.target());
        }
        if (!registration.labels().isEmpty()) {
            brief.append("\nAlert labels: ").append(registration.labels());
        }
        brief.append("\nData sources: ").append(toolbox.available().isEmpty() ? "none" : String.join(", ",
                toolbox.available()));
        if (!toolbox.unavailable().isEmpty()) {
            brief.append(" (not answering: ").append(String.join("; ", toolbox.unavailable())).append(')');
        }
        return redactor.redact(brief.toString());
    }

    /** Alerts attached to the investigation while it runs reach the model as they come. */
    private long newAlerts(ChatCompletionCreateParams.Builder conversation, long after) {
        try {
            var page = server.eventsAfter(after);
            long last = after;
            for (var event : page.path("items")) {
                last = event.path("position").asLong(last);
                if (event.path("type").asString().equals("ALERT_ATTACHED")) {
                    // Labels and annotations come from whoever configured the alert: redacted like the problem.
                    conversation.addUserMessage("A new alert was attached: "
                            + redactor.redact(event.path("payload").toString()));
                }
            }
            return last;
        } catch (java.io.IOException e) {
            return after; // asked again next cycle
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return after;
        }
    }

    private String execute(String name, Map<String, Object> arguments) {
        switch (name) {
            case "propose_hypothesis" -> {
                Trail.Hypothesis parent = trail.hypothesis(Tools.str(arguments, "parentId"));
                Trail.Hypothesis proposed = trail.propose(parent, Tools.str(arguments, "statement"),
                        Tools.str(arguments, "domain"), number(arguments, "confidence", 0.3));
                return "proposed " + proposed.id;
            }
            case "propose_action" -> {
                Map<String, Object> action = new LinkedHashMap<>();
                arguments.forEach((k, v) -> {
                    if (ACTION_FIELDS.contains(k) && v != null) {
                        action.put(k, v instanceof Double d && d == Math.rint(d) ? (Object) d.longValue() : v);
                    }
                });
                try {
                    var recorded = server.propose(action);
                    proposed++;
                    return "recorded as " + recorded.path("status").asString() + ": "
                            + recorded.path("policyReason").asString() + " (action " + recorded.path("id").asString() + ")";
                } catch (java.io.IOException e) {
                    return "error: the gateway did not take it: " + Tools.cut(String.valueOf(e.getMessage()), 500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "error: interrupted";
                }
            }
            case "update_hypothesis" -> {
                Trail.Hypothesis hypothesis = trail.hypothesis(Tools.str(arguments, "id"));
                String status = Tools.str(arguments, "status");
                if (hypothesis == null || !STATUSES.contains(status)) {
                    return "error: unknown hypothesis or status; statuses are " + STATUSES;
                }
                trail.update(hypothesis, status, number(arguments, "confidence", hypothesis.confidence));
                return "updated " + hypothesis.id;
            }
            default -> {
                var tool = toolbox.tools().stream().filter(t -> functionName(t).equals(name)).findFirst();
                if (tool.isEmpty()) {
                    return "error: no tool " + name + "; the tools are "
                            + toolbox.tools().stream().map(LlmReasoner::functionName).toList();
                }
                Map<String, Object> query = new LinkedHashMap<>(arguments);
                Trail.Hypothesis hypothesis = trail.hypothesis(Tools.str(query, "hypothesisId"));
                query.remove("hypothesisId");
                ToolResult result = toolbox.call(tool.get(), query);
                if (result.ok() && hypothesis != null) {
                    trail.evidence(hypothesis, tool.get().name(), tool.get().describe(query), result,
                            result.items() > 0);
                }
                return result.ok() ? result.text() : "error: " + result.text();
            }
        }
    }

    private void report(Registration.Llm llm, long in, long out, long start, String error) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("model", llm.model() == null ? "default" : llm.model());
        payload.put("inputTokens", in);
        payload.put("outputTokens", out);
        payload.put("latencyMs", Duration.ofNanos(System.nanoTime() - start).toMillis());
        BigDecimal cost = llm.cost(in, out);
        payload.put("costUsd", cost);
        if (error != null) {
            payload.put("error", Tools.cut(error, 500));
        }
        events.publish("LLM_CALLED", payload);
        Tracing.current().llm((String) payload.get("model"), in, out, (Long) payload.get("latencyMs"));
    }

    private List<FunctionDefinition> functions() {
        List<FunctionDefinition> functions = new ArrayList<>();
        for (Tool tool : toolbox.tools()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> properties = new LinkedHashMap<>((Map<String, Object>) tool.parameters().get("properties"));
            properties.put("hypothesisId", Tool.string("the hypothesis this question tests, e.g. h1"));
            functions.add(function(functionName(tool), tool.description(), Map.of("type", "object", "properties", properties,
                    "required", tool.parameters().get("required"))));
        }
        functions.add(function("propose_hypothesis", "Propose a hypothesis, or refine one with parentId.",
                Tool.schema(Map.of("statement", Tool.string("what might be the cause"),
                        "domain", Map.of("type", "string", "enum", List.of("network", "database", "application",
                                "security", "kubernetes", "storage")),
                        "confidence", Map.of("type", "number", "minimum", 0, "maximum", 1),
                        "parentId", Tool.string("the hypothesis this one refines")), "statement", "domain", "confidence")));
        functions.add(function("update_hypothesis", "Record what the evidence says about a hypothesis.",
                Tool.schema(Map.of("id", Tool.string("e.g. h1"),
                        "status", Map.of("type", "string", "enum", List.copyOf(STATUSES)),
                        "confidence", Map.of("type", "number", "minimum", 0, "maximum", 1)), "id", "status", "confidence")));
        functions.add(function("propose_action", "Propose one remediation from the catalogue; the policy and "
                + "operators decide whether it runs.",
                Tool.schema(Map.of("kind", Map.of("type", "string", "enum", List.of("restart-pod", "rollout-restart",
                                "scale-deployment", "adjust-hpa", "cordon-node", "cache-clear-webhook")),
                        "namespace", Tool.string("the target's namespace (not for cordon-node, cache-clear-webhook)"),
                        "name", Tool.string("the pod, deployment, HPA or node"),
                        "replicas", Map.of("type", "integer", "minimum", 0),
                        "minReplicas", Map.of("type", "integer", "minimum", 1),
                        "maxReplicas", Map.of("type", "integer", "minimum", 1),
                        "webhook", Tool.string("a configured cache webhook's name"),
                        "rationale", Tool.string("why, from the evidence")), "kind", "rationale")));
        functions.add(function("conclude", "The root cause is confirmed by evidence.",
                Tool.schema(Map.of("rootCause", Tool.string("the cause, one sentence"),
                        "rootCauseCategory", Tool.string("e.g. resource-exhaustion/memory"),
                        "remediationClass", Tool.string("e.g. rollback, scale-out, raise-memory-limit"),
                        "confidence", Map.of("type", "number", "minimum", 0, "maximum", 1),
                        "suggestedRemediation", Tool.string("what a human should do")),
                        "rootCause", "rootCauseCategory", "remediationClass", "confidence")));
        functions.add(function("escalate", "Hand over to a human: the evidence cannot settle the cause.",
                Tool.schema(Map.of("reason", Tool.string("why, and where to look")), "reason")));
        return functions;
    }

    private static FunctionDefinition function(String name, String description, Map<String, Object> schema) {
        FunctionParameters.Builder parameters = FunctionParameters.builder();
        schema.forEach((key, value) -> parameters.putAdditionalProperty(key, JsonValue.from(value)));
        return FunctionDefinition.builder().name(name).description(description).parameters(parameters.build()).build();
    }

    /** OpenAI function names allow only {@code [a-zA-Z0-9_-]}: prometheus.query is offered as prometheus_query. */
    private static String functionName(Tool tool) {
        return tool.name().replace('.', '_');
    }

    private static Map<String, Object> arguments(String json) {
        try {
            Map<String, Object> parsed = JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
            return parsed == null ? Map.of() : parsed;
        } catch (JacksonException e) {
            return Map.of();
        }
    }

    private static double number(Map<String, Object> arguments, String name, double fallback) {
        return arguments.get(name) instanceof Number n ? n.doubleValue() : fallback;
    }
}
