package dev.nightshift.worker;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The attempt's secrets from Vault: unwrap the single-use token, read every path handed over (the
 * same in every phase; the phase's policy grants or denies), put what was read in place of the
 * registration's credentials, and revoke the token at the end, which revokes every lease with it.
 * A denied path is recorded and its tool skipped; values go to the redactor, never anywhere else.
 */
final class Secrets {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final String source;
    private final VaultClient vault;
    private final VaultClient.Session session;
    private final List<Map<String, Object>> reads;
    /** What was read, by purpose ({@code datasource:prometheus}, {@code llm}). */
    private final Map<String, Map<String, String>> values;
    /** Purposes whose path the phase's policy denied. */
    private final Set<String> denied;

    private Secrets(String source, VaultClient vault, VaultClient.Session session, List<Map<String, Object>> reads,
            Map<String, Map<String, String>> values, Set<String> denied) {
        this.source = source;
        this.vault = vault;
        this.session = session;
        this.reads = reads;
        this.values = values;
        this.denied = denied;
    }

    /**
     * @throws VaultClient.InterceptedException when the wrapping token was already used: the server has been told
     */
    static Secrets fetch(Registration registration, Redactor redactor, ServerClient server)
            throws VaultClient.InterceptedException, InterruptedException {
        Registration.Vault handover = registration.vault();
        if (handover == null) {
            return new Secrets(registration.secrets(), null, null, List.of(), Map.of(), Set.of());
        }
        VaultClient vault = new VaultClient(handover.address(), TIMEOUT);
        VaultClient.Session session;
        try {
            session = vault.unwrap(handover.wrappingToken());
        } catch (VaultClient.InterceptedException e) {
            server.reportCredentials(registration.attempt(), "INTERCEPTED", List.of(), e.getMessage());
            throw e;
        } catch (IOException e) {
            WorkerLog.error("Vault unreachable, continuing without its secrets: " + e.getMessage());
            return new Secrets("vault unreachable: " + e.getMessage(), null, null, List.of(), Map.of(),
                    Set.of());
        }
        redactor.addSecrets(List.of(session.token()));
        List<Map<String, Object>> reads = new ArrayList<>();
        Map<String, Map<String, String>> values = new LinkedHashMap<>();
        Set<String> denied = new HashSet<>();
        for (Registration.SecretPath path : handover.paths()) {
            VaultClient.Read read = vault.read(session, path.path());
            redactor.addSecrets(read.values().values());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("purpose", path.purpose());
            entry.put("path", path.path());
            entry.put("outcome", read.outcome());
            entry.put("leaseId", read.leaseId());
            entry.put("millis", read.millis());
            reads.add(entry);
            if (read.outcome().equals("read")) {
                values.put(path.purpose(), read.values());
            } else {
                if (read.outcome().equals("denied")) {
                    denied.add(path.purpose());
                }
                WorkerLog.info("secret " + path.path() + " (" + path.purpose() + "): " + read.outcome()
                        + (read.error() == null ? "" : " — " + read.error()));
            }
        }
        server.reportCredentials(registration.attempt(), "READ", reads, null);
        return new Secrets(registration.secrets() + ", accessor " + session.accessor(), vault, session, reads, values,
                denied);
    }

    /**
     * The registration with what Vault gave: a data source's {@code token} or {@code username} and
     * {@code password}, the LLM's {@code api_key}. A source whose path the policy denied is dropped
     * (its tools are skipped); the LLM, if denied and given no key otherwise, leaves the rules to reason.
     */
    Registration apply(Registration registration) {
        if (values.isEmpty() && denied.isEmpty()) {
            return registration;
        }
        List<Registration.Source> sources = new ArrayList<>();
        for (Registration.Source s : registration.sources()) {
            String purpose = "datasource:" + s.kind();
            if (denied.contains(purpose)) {
                WorkerLog.info("data source " + s.kind() + " skipped: its secret is denied in this phase");
                continue;
            }
            Map<String, String> secret = values.getOrDefault(purpose, Map.of());
            if (secret.containsKey("token")) {
                sources.add(new Registration.Source(s.kind(), s.url(), "BEARER", secret.get("token"), null, null));
            } else if (secret.containsKey("password")) {
                sources.add(new Registration.Source(s.kind(), s.url(), "BASIC", null, secret.get("username"),
                        secret.get("password")));
            } else {
                sources.add(s);
            }
        }
        Registration.Llm llm = registration.llm();
        if (llm != null && denied.contains("llm") && llm.apiKey() == null) {
            WorkerLog.info("LLM skipped: its key is denied in this phase; the rules reason");
            llm = null;
        } else if (llm != null && values.containsKey("llm")) {
            Map<String, String> secret = values.get("llm");
            if (secret.containsKey("api_key")) {
                llm = new Registration.Llm(llm.baseUrl(), llm.model(), secret.get("api_key"), llm.inputPricePerMillion(),
                        llm.outputPricePerMillion());
            }
        }
        return registration.with(List.copyOf(sources), llm);
    }

    /** For the {@code STARTED} event: where secrets came from and what was read, never a value. */
    Object report() {
        if (vault == null) {
            return source;
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("source", source);
        report.put("reads", reads);
        return report;
    }

    String summary() {
        return vault == null ? source : source + ", " + reads.size() + " paths";
    }

    /** Revokes the token (and its leases); the server revokes by accessor too, whatever happens here. */
    void revoke() {
        if (vault == null) {
            return;
        }
        try {
            vault.revokeSelf(session);
            WorkerLog.info("Vault token revoked");
        } catch (IOException e) {
            WorkerLog.error("could not revoke the Vault token (the server will): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
