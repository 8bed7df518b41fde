package dev.nightshift.worker;

import dev.nightshift.contract.RunResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Entry point of the container a Job runs: one investigation, then exit. It registers with the
 * api-server (its bootstrap token from {@code NIGHTSHIFT_TOKEN_FILE}), receives its configuration,
 * reasons within its circuit breaker — with the LLM when one is configured, with the rules
 * otherwise — publishing every step, and ends with {@code CONCLUDED} or {@code ESCALATED}.
 *
 * <p>Exit codes are the contract with the Job's pod failure policy: {@link RunResult#EXIT_OK}
 * concluded or escalated, {@link RunResult#EXIT_BAD_CONFIG} bad input or configuration or a refused
 * registration (terminal, never retried), anything else a crash. The outcome line goes to the
 * result file ({@code NIGHTSHIFT_RESULT_FILE}, or the Kubernetes termination message).
 */
public final class WorkerMain {

    static final Path TERMINATION_LOG = Path.of("/dev/termination-log");
    static final int EXIT_CRASH = 1;

    private WorkerMain() {}

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
    }

    static int run(Map<String, String> environment) {
        Path resultFile = environment.containsKey("NIGHTSHIFT_RESULT_FILE")
                ? Path.of(environment.get("NIGHTSHIFT_RESULT_FILE")) : TERMINATION_LOG;
        WorkerConfig config;
        String token;
        try {
            config = WorkerConfig.from(environment);
            token = readToken(config.tokenFile());
        } catch (IllegalArgumentException e) {
            WorkerLog.error(e.getMessage());
            report(resultFile, new RunResult(RunResult.Outcome.FAILED, e.getMessage()));
            return RunResult.EXIT_BAD_CONFIG;
        }
        WorkerLog.context(config.investigationId().toString(), 0);
        WorkerLog.redactor(Redactor.standard().addSecrets(java.util.List.of(token)));
        ServerClient server = new ServerClient(config, token);
        Registration registration;
        try {
            registration = server.register(Instant.now().plusSeconds(120));
        } catch (ServerClient.RefusedException e) {
            WorkerLog.error(e.getMessage());
            report(resultFile, new RunResult(RunResult.Outcome.FAILED, e.getMessage()));
            return RunResult.EXIT_BAD_CONFIG;
        } catch (IOException e) {
            WorkerLog.error("cannot register with the api-server: " + e.getMessage());
            return EXIT_CRASH;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_CRASH;
        }
        WorkerLog.context(config.investigationId().toString(), registration.attempt());
        Redactor redactor = registration.redaction().redactor().addSecrets(registration.secretValues())
                .addSecrets(java.util.List.of(token));
        WorkerLog.redactor(redactor);
        Secrets secrets;
        try {
            secrets = Secrets.fetch(registration, redactor, server);
        } catch (VaultClient.InterceptedException e) {
            String reason = "credential alert: the Vault wrapping token was already unwrapped (" + e.getMessage()
                    + "); stopping";
            WorkerLog.error(reason);
            report(resultFile, new RunResult(RunResult.Outcome.FAILED, reason));
            return RunResult.EXIT_BAD_CONFIG;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_CRASH;
        }
        try {
            registration = secrets.apply(registration).redacted(redactor);
            WorkerLog.info("registered: reasoner " + registration.reasoner() + ", sources " + registration.sources()
                    + (registration.llm() == null ? "" : ", LLM " + registration.llm()) + ", cycle limit "
                    + registration.budgets().cycleLimit() + ", secrets " + secrets.summary());
            RunResult result;
            try (Tracing tracing = Tracing.start(environment.get("TRACEPARENT"), registration.traces().zipkinEndpoint(),
                    registration.traces().otlpEndpoint(), config.investigationId().toString(), registration.attempt())) {
                result = investigate(config, registration, server, redactor, secrets);
                tracing.end(result.outcome().name());
            }
            report(resultFile, result);
            WorkerLog.info(result.format().strip());
            return RunResult.EXIT_OK;
        } finally {
            secrets.revoke();
        }
    }

    /** The reasoning, from STARTED to the final event; the final event is published before the outcome line. */
    private static RunResult investigate(WorkerConfig config, Registration registration, ServerClient server,
            Redactor redactor, Secrets secrets) {
        try (EventPublisher events = EventPublisher.connect(config.kafkaBootstrapServers(), config.investigationId(),
                registration.attempt(), registration.budgets().deadline(), redactor);
                Toolbox toolbox = Toolbox.connect(registration, events, redactor)) {
            boolean llm = registration.llm() != null;
            String reasoner = llm ? LlmReasoner.NAME : RulesReasoner.NAME;
            Map<String, Object> started = new LinkedHashMap<>();
            started.put("reasoner", reasoner);
            started.put("secrets", secrets.report());
            started.put("cycleLimit", registration.budgets().cycleLimit());
            started.put("cycleLimitReason", registration.budgets().cycleLimitReason());
            started.put("datasources", toolbox.available());
            started.put("unavailable", toolbox.unavailable());
            events.publish("STARTED", started);

            Trail trail = new Trail(events);
            CircuitBreaker breaker = new CircuitBreaker(registration.budgets());
            Outcome outcome;
            LlmReasoner model = llm ? new LlmReasoner(registration, toolbox, trail, breaker, events, server, redactor)
                    : null;
            try {
                outcome = model != null ? model.run() : new RulesReasoner(registration, toolbox, trail, breaker).run();
            } catch (CircuitBreaker.Tripped e) {
                outcome = Outcome.escalate(e.getMessage());
            }
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("reasoner", reasoner);
            payload.put("cycles", breaker.cycles());
            payload.put("evidence", trail.evidence());
            if (outcome.concluded()) {
                payload.put("rootCause", outcome.summary());
                payload.put("rootCauseCategory", outcome.rootCauseCategory());
                payload.put("remediationClass", outcome.remediationClass());
                payload.put("confidence", outcome.confidence());
                payload.put("suggestedRemediation", outcome.suggestedRemediation());
                Map<String, Object> proposal = Remediation.proposal(outcome, registration.target());
                if (proposal != null && (model == null || model.proposed() == 0)) {
                    payload.put("proposedAction", propose(server, proposal));
                }
                events.publish("CONCLUDED", payload);
                return new RunResult(RunResult.Outcome.CONCLUDED, outcome.summary());
            }
            payload.put("reason", outcome.summary());
            payload.put("hypotheses", trail.hypotheses().stream()
                    .map(h -> h.id + " " + h.status + " " + h.confidence + ": " + h.statement).toList());
            events.publish("ESCALATED", payload);
            return new RunResult(RunResult.Outcome.ESCALATED, outcome.summary());
        }
    }

    /** Proposes while the investigation still runs (the conclusion ends it); a failure is logged, not fatal. */
    private static Map<String, Object> propose(ServerClient server, Map<String, Object> proposal) {
        Map<String, Object> proposed = new LinkedHashMap<>();
        proposed.put("kind", proposal.get("kind"));
        try {
            JsonNode action = server.propose(proposal);
            proposed.put("id", action.path("id").asString());
            proposed.put("status", action.path("status").asString());
            WorkerLog.info("proposed " + proposal.get("kind") + " of " + proposal.get("namespace") + "/"
                    + proposal.get("name") + ": " + action.path("status").asString() + " ("
                    + action.path("policyReason").asString() + ")");
        } catch (IOException e) {
            proposed.put("error", e.getMessage());
            WorkerLog.error("could not propose " + proposal.get("kind") + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            proposed.put("error", "interrupted");
        }
        return proposed;
    }

    private static String readToken(Path file) {
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (token.isEmpty()) {
                throw new IllegalArgumentException("NIGHTSHIFT_TOKEN_FILE " + file + " is empty");
            }
            return token;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read NIGHTSHIFT_TOKEN_FILE " + file + ": " + e.getMessage());
        }
    }

    private static void report(Path resultFile, RunResult result) {
        try {
            Files.writeString(resultFile, result.format(), StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            // Outside a pod and without a result file there is nowhere to write; the exit code still tells.
            WorkerLog.error("cannot write result to " + resultFile + ": " + e.getMessage());
        }
    }
}
