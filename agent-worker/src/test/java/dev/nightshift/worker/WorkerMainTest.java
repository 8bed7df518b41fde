package dev.nightshift.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.nightshift.contract.RunResult;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerMainTest {

    private static final String ID = "0190f1c2-7a3b-7c4d-8e5f-123456789abc";

    @Test
    void shouldReadInvestigationAndApiUrl() {
        WorkerConfig config = WorkerConfig.from(Map.of("INVESTIGATION_ID", ID, "NIGHTSHIFT_API_URL", "https://ns:8443",
                "NIGHTSHIFT_TOKEN_FILE", "/var/run/nightshift/token", "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"));
        assertThat(config.investigationId()).isEqualTo(UUID.fromString(ID));
        assertThat(config.apiUrl()).isEqualTo(URI.create("https://ns:8443"));
        assertThat(config.tokenFile()).isEqualTo(Path.of("/var/run/nightshift/token"));
        assertThat(config.kafkaBootstrapServers()).isEqualTo("kafka:9092");
    }

    @Test
    void shouldDefaultApiUrlToLocalServer() {
        assertThat(WorkerConfig.from(Map.of("INVESTIGATION_ID", ID, "NIGHTSHIFT_TOKEN_FILE", "t")).apiUrl())
                .hasToString("http://localhost:8080");
    }

    @Test
    void shouldNameTheMissingOrMalformedVariable() {
        assertThatIllegalArgumentException().isThrownBy(() -> WorkerConfig.from(Map.of()))
                .withMessage("INVESTIGATION_ID is not set");
        assertThatIllegalArgumentException().isThrownBy(() -> WorkerConfig.from(Map.of("INVESTIGATION_ID", "42")))
                .withMessageContaining("not a UUID");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> WorkerConfig.from(Map.of("INVESTIGATION_ID", ID, "NIGHTSHIFT_API_URL", "ftp://x")))
                .withMessageContaining("http or https");
        assertThatIllegalArgumentException().isThrownBy(() -> WorkerConfig.from(Map.of("INVESTIGATION_ID", ID)))
                .withMessage("NIGHTSHIFT_TOKEN_FILE is not set");
    }

    @Test
    void shouldFailTerminallyOnBadEnvironmentAndSayWhy(@TempDir Path dir) throws Exception {
        Path result = dir.resolve("result");
        assertThat(WorkerMain.run(Map.of("NIGHTSHIFT_RESULT_FILE", result.toString())))
                .isEqualTo(RunResult.EXIT_BAD_CONFIG);
        assertThat(RunResult.parse(Files.readString(result)))
                .hasValue(new RunResult(RunResult.Outcome.FAILED, "INVESTIGATION_ID is not set"));
    }

    @Test
    void shouldFailTerminallyWithoutItsToken(@TempDir Path dir) throws Exception {
        Path result = dir.resolve("result");
        assertThat(WorkerMain.run(Map.of("INVESTIGATION_ID", ID, "NIGHTSHIFT_RESULT_FILE", result.toString(),
                "NIGHTSHIFT_TOKEN_FILE", dir.resolve("missing").toString()))).isEqualTo(RunResult.EXIT_BAD_CONFIG);
        assertThat(RunResult.parse(Files.readString(result))).hasValueSatisfying(outcome -> {
            assertThat(outcome.outcome()).isEqualTo(RunResult.Outcome.FAILED);
            assertThat(outcome.reason()).startsWith("cannot read NIGHTSHIFT_TOKEN_FILE");
        });
    }
}
