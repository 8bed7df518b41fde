package dev.nightshift.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class EventEnvelopeTest {

    private static final UUID EVENT = UUID.fromString("01a20000-0000-7000-8000-000000000001");
    private static final UUID INVESTIGATION = UUID.fromString("01a20000-0000-7000-8000-000000000002");

    @Test
    void shouldWriteTheEnvelopeAsAsyncapiDescribesIt() {
        String json = new EventEnvelope(EVENT, INVESTIGATION, 1, 2, "ESCALATED", Instant.parse("2026-11-22T02:00:00Z"),
                null, Map.of("reason", "reasoning not available")).toJson();
        JsonNode parsed = JsonMapper.builder().build().readTree(json);
        assertThat(parsed.path("eventId").asString()).isEqualTo(EVENT.toString());
        assertThat(parsed.path("investigationId").asString()).isEqualTo(INVESTIGATION.toString());
        assertThat(parsed.path("attempt").asInt()).isEqualTo(1);
        assertThat(parsed.path("seq").asLong()).isEqualTo(2);
        assertThat(parsed.path("type").asString()).isEqualTo("ESCALATED");
        assertThat(parsed.path("time").asString()).isEqualTo("2026-11-22T02:00:00Z");
        assertThat(parsed.has("traceparent")).isFalse();
        assertThat(parsed.path("payload").path("reason").asString()).isEqualTo("reasoning not available");
        assertThat(parsed.path("version").asInt()).isEqualTo(1);
    }

    @Test
    void shouldEscapeWhatJsonRequires() {
        String nasty = "quote \" backslash \\ newline \n tab \t bell \u0007 é";
        String json = new EventEnvelope(EVENT, INVESTIGATION, 1, 0, "FAILED", Instant.EPOCH, "00-abc-def-01",
                Map.of("reason", nasty)).toJson();
        JsonNode parsed = JsonMapper.builder().build().readTree(json);
        assertThat(parsed.path("payload").path("reason").asString()).isEqualTo(nasty);
        assertThat(parsed.path("traceparent").asString()).isEqualTo("00-abc-def-01");
    }

    @Test
    void shouldWriteNestedPayloadsAndKeepNumbersNumbers() {
        Map<String, Object> evidence = new java.util.HashMap<>();
        evidence.put("tool", "prometheus.query");
        evidence.put("bytes", 1024L);
        evidence.put("truncated", false);
        evidence.put("note", null);
        String json = new EventEnvelope(EVENT, INVESTIGATION, 2, 7, "CONCLUDED", Instant.EPOCH, null,
                Map.of("confidence", 0.85, "evidence", java.util.List.of(evidence), "cost", Double.NaN)).toJson();
        JsonNode payload = JsonMapper.builder().build().readTree(json).path("payload");
        assertThat(payload.path("confidence").isDouble()).isTrue();
        assertThat(payload.path("confidence").asDouble()).isEqualTo(0.85);
        assertThat(payload.path("cost").isNull()).as("JSON has no NaN").isTrue();
        JsonNode first = payload.path("evidence").get(0);
        assertThat(first.path("bytes").asLong()).isEqualTo(1024);
        assertThat(first.path("truncated").isBoolean()).isTrue();
        assertThat(first.has("note")).isTrue();
        assertThat(first.path("note").isNull()).isTrue();
    }
}
