package dev.nightshift.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.server.ApiClient;
import dev.nightshift.server.IntegrationTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The audit trail's hash chain, its verification, and operators' feedback on ended investigations. */
class AuditTrailIT extends IntegrationTest {

    @Autowired
    @Qualifier("ownerDataSource")
    private DataSource ownerDataSource;

    private String create() {
        return api.post("/api/v1/investigations").bearer(OPERATOR).json(Map.of("title", "t", "problem", "p",
                "domains", List.of("network"), "severity", "warning")).send().json().path("id").asString();
    }

    private JsonNode trail(String id) {
        ApiClient.Response response = api.get("/api/v1/audit?investigationId=" + id).bearer(OPERATOR).send();
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().path("items");
    }

    @Test
    void shouldChainEveryEntryOfAnInvestigationsLifeAndVerify() {
        String id = create();
        api.post("/api/v1/investigations/" + id + "/cancel").bearer(OPERATOR).json(Map.of("reason", "duplicate")).send();

        JsonNode trail = trail(id);
        assertThat(trail.valueStream().map(e -> e.path("action").asString() + ":" + e.path("actor").asString()).toList())
                .containsExactly("investigation.created:otto-operator", "investigation.transition:otto-operator",
                        "investigation.transition:otto-operator");
        assertThat(trail.get(2).path("details").path("to").asString()).isEqualTo("CANCELLED");
        assertThat(trail.get(2).path("details").path("reason").asString()).isEqualTo("duplicate");
        assertThat(trail.get(0).path("hash").asString()).hasSize(64);
        // Consecutive entries of one investigation may have others' in between; the whole chain links.
        JsonNode all = api.get("/api/v1/audit?limit=1000").bearer(OPERATOR).send().json().path("items");
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).path("prevHash").asString()).isEqualTo(all.get(i - 1).path("hash").asString());
            assertThat(all.get(i).path("seq").asLong()).isEqualTo(all.get(i - 1).path("seq").asLong() + 1);
        }
        JsonNode verification = api.get("/api/v1/audit/verify").bearer(OPERATOR).send().json();
        assertThat(verification.path("ok").asBoolean()).isTrue();
        assertThat(verification.path("entries").asLong()).isGreaterThanOrEqualTo(3);
        assertThat(api.get("/api/v1/audit").bearer(VIEWER).send().status()).isEqualTo(403);
    }

    @Test
    void shouldRefuseToUpdateOrDeleteAndShowWhereAnOwnerTamperedWithTheChain() {
        String id = create();
        long seq = trail(id).get(0).path("seq").asLong();
        // The application's own connection: its role has no such grant.
        assertThatThrownBy(() -> jdbc.sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = ?").param(seq).update())
                .isInstanceOf(DataAccessException.class).rootCause().hasMessageContaining("permission denied");
        assertThatThrownBy(() -> jdbc.sql("DELETE FROM audit_log WHERE seq = ?").param(seq).update())
                .isInstanceOf(DataAccessException.class).rootCause().hasMessageContaining("permission denied");
        assertThatThrownBy(() -> jdbc.sql("TRUNCATE audit_log").update())
                .isInstanceOf(DataAccessException.class).rootCause().hasMessageContaining("permission denied");
        // The owner, whom grants do not bind, meets the trigger.
        JdbcClient owner = JdbcClient.create(ownerDataSource);
        assertThatThrownBy(() -> owner.sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = ?").param(seq).update())
                .isInstanceOf(DataAccessException.class).rootCause().hasMessageContaining("append-only");
        assertThatThrownBy(() -> owner.sql("DELETE FROM audit_log WHERE seq = ?").param(seq).update())
                .isInstanceOf(DataAccessException.class).rootCause().hasMessageContaining("append-only");

        // The owner can switch the trigger off, but not rewrite the chain it leaves behind.
        String actor = owner.sql("SELECT actor FROM audit_log WHERE seq = ?").param(seq).query(String.class).single();
        owner.sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete").update();
        try {
            owner.sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = ?").param(seq).update();
            JsonNode broken = api.get("/api/v1/audit/verify").bearer(OPERATOR).send().json();
            assertThat(broken.path("ok").asBoolean()).isFalse();
            assertThat(broken.path("firstBrokenEntry").asLong()).isEqualTo(seq);
        } finally {
            owner.sql("UPDATE audit_log SET actor = ? WHERE seq = ?").params(actor, seq).update();
            owner.sql("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete").update();
        }
        assertThat(api.get("/api/v1/audit/verify").bearer(OPERATOR).send().json().path("ok").asBoolean()).isTrue();
    }

    @Test
    void shouldRecordRevisableFeedbackOnEndedInvestigationsOnly() {
        String id = create();
        String path = "/api/v1/investigations/" + id + "/feedback";
        Map<String, Object> accepted = Map.of("verdict", "ACCEPTED", "rootCauseCategory", "network/dns");
        assertThat(api.post(path).bearer(OPERATOR).json(accepted).send().status()).as("not ended yet").isEqualTo(409);

        api.post("/api/v1/investigations/" + id + "/cancel").bearer(OPERATOR).json(Map.of()).send();
        ApiClient.Response first = api.post(path).bearer(OPERATOR).json(accepted).send();
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        assertThat(first.json().path("revision").asInt()).isEqualTo(1);
        ApiClient.Response revised = api.post(path).bearer(OPERATOR).json(Map.of("verdict", "MODIFIED",
                "rootCauseCategory", "network/firewall", "remediationClass", "fix-network-policy",
                "comment", "rule 42, not DNS")).send();
        assertThat(revised.json().path("revision").asInt()).isEqualTo(2);
        assertThat(revised.json().path("actor").asString()).isEqualTo("otto-operator");

        List<String> recorded = api.get("/api/v1/investigations/" + id + "/events").bearer(VIEWER)
                .header("Accept", "application/json").send().json().path("items").valueStream()
                .filter(e -> e.path("type").asString().equals("FEEDBACK_RECORDED"))
                .map(e -> e.path("payload").path("rootCauseCategory").asString()).toList();
        assertThat(recorded).containsExactly("network/dns", "network/firewall");
        assertThat(trail(id).valueStream().filter(e -> e.path("action").asString().equals("feedback.recorded")))
                .hasSize(2);

        ApiClient.Response bad = api.post(path).bearer(OPERATOR).json(Map.of("verdict", "MAYBE",
                "rootCauseCategory", "Not A Slug", "extra", 1)).send();
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorFields()).containsExactlyInAnyOrder("verdict", "rootCauseCategory", "extra");
        assertThat(api.post(path).bearer(VIEWER).json(accepted).send().status()).isEqualTo(403);
        assertThat(api.post("/api/v1/investigations/" + java.util.UUID.randomUUID() + "/feedback").bearer(OPERATOR)
                .json(accepted).send().status()).isEqualTo(404);
    }
}
