package dev.nightshift.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {

    private static List<String> lines(String resource) throws IOException {
        try (InputStream in = RedactorTest.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        }
    }

    @Test
    void shouldLeaveNoLeakOfTheCorpus() throws IOException {
        Redactor redactor = Redactor.standard();
        List<String> leaks = lines("/redaction/leaks.tsv");
        assertThat(leaks).hasSizeGreaterThan(20);
        for (String line : leaks) {
            String secret = line.substring(0, line.indexOf('\t'));
            String text = line.substring(line.indexOf('\t') + 1).replace("\\n", "\n");
            String redacted = redactor.redact(text);
            assertThat(redacted).as(text).doesNotContain(secret).contains(Redactor.MASK);
        }
    }

    @Test
    void shouldLeaveOrdinaryTelemetryUnchanged() throws IOException {
        Redactor redactor = Redactor.standard();
        for (String line : lines("/redaction/telemetry.txt")) {
            assertThat(redactor.redact(line)).isEqualTo(line);
        }
    }

    @Test
    void shouldKeepWhatLocatesASecretAndRedactKnownValuesEverywhere() {
        Redactor redactor = Redactor.standard().addSecrets(List.of("vault-read-value-123", "short"));
        assertThat(redactor.redact("postgres://checkout:S3cr3t@db.shop.svc:5432/orders"))
                .isEqualTo("postgres://checkout:[REDACTED]@db.shop.svc:5432/orders");
        assertThat(redactor.redact("Authorization: Bearer abcdefghijkl")).isEqualTo("Authorization: Bearer [REDACTED]");
        assertThat(redactor.redact("DB_PASSWORD=abc123xyz host=db")).isEqualTo("DB_PASSWORD=[REDACTED] host=db");
        assertThat(redactor.redact("the cache answered vault-read-value-123 twice"))
                .isEqualTo("the cache answered [REDACTED] twice");
        assertThat(redactor.redact("a short answer")).as("values under six characters are not hunted")
                .isEqualTo("a short answer");
        assertThat(redactor.redactDeep(Map.of("evidence", List.of("token=abcdef123456", 3))))
                .isEqualTo(Map.of("evidence", List.of("token=[REDACTED]", 3)));
    }

    @Test
    void shouldRedactPersonalDataAsConfigured() {
        String line = "ops@example.com saw 10.42.0.17 and fe80:0:0:0:200:f8ff:fe21:67cf drop packets";
        assertThat(new Redactor(true, false, List.of()).redact(line))
                .isEqualTo("[REDACTED] saw 10.42.0.17 and fe80:0:0:0:200:f8ff:fe21:67cf drop packets");
        assertThat(new Redactor(false, true, List.of()).redact(line))
                .isEqualTo("ops@example.com saw [REDACTED] and [REDACTED] drop packets");
        assertThat(new Redactor(false, false, List.of("CUST-\\d{6}")).redact("order of CUST-123456 failed"))
                .isEqualTo("order of [REDACTED] failed");
    }
}
