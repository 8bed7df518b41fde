package dev.nightshift.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URI;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WorkerMainTest {

    private static final String ID = "0190f1c2-7a3b-7c4d-8e5f-123456789abc";

    @Test
    void shouldReadInvestigationAndApiUrl() {
        WorkerConfig config = WorkerConfig.from(Map.of("INVESTIGATION_ID", ID, "NIGHTSHIFT_API_URL", "https://ns:8443"));
        assertThat(config.investigationId()).isEqualTo(UUID.fromString(ID));
        assertThat(config.apiUrl()).isEqualTo(URI.create("https://ns:8443"));
    }

    @Test
    void shouldDefaultApiUrlToLocalServer() {
        assertThat(WorkerConfig.from(Map.of("INVESTIGATION_ID", ID)).apiUrl()).hasToString("http://localhost:8080");
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
    }

    @Test
    void shouldExitWithTheTerminalConfigCodeOnBadEnvironment() {
        assertThat(WorkerMain.run(Map.of())).isEqualTo(WorkerMain.EXIT_BAD_CONFIG);
        assertThat(WorkerMain.run(Map.of("INVESTIGATION_ID", ID))).isEqualTo(WorkerMain.EXIT_OK);
    }
}
