package dev.nightshift.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.nightshift.server.IntegrationTest;
import dev.nightshift.server.NightshiftApplication;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two api-server replicas on one PostgreSQL: a client streaming from one replica sees, live, what
 * the other replica stores.
 */
class ReplicasIT extends IntegrationTest {

    @Autowired
    private EmbeddedPostgres postgres;

    @Test
    void shouldStreamEventsStoredByAnotherReplica() throws Exception {
        // Command-line arguments: they outrank application.yaml, as a real deployment's settings do.
        try (ConfigurableApplicationContext second = new SpringApplicationBuilder(NightshiftApplication.class).run(
                "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres",
                "--server.port=0",
                "--nightshift.data-dir=" + Files.createTempDirectory("nightshift-replica-"),
                "--nightshift.security.admin-token=second-replica-admin",
                "--nightshift.dispatcher.enabled=false",
                "--nightshift.events.embedded-kafka.enabled=false")) {
            int secondPort = Integer.parseInt(second.getEnvironment().getProperty("local.server.port"));
            String id = api.post("/api/v1/investigations").bearer(OPERATOR).json(Map.of("title", "t", "problem", "p",
                    "domains", List.of("network"), "severity", "critical")).send().json().path("id").asString();

            Iterator<EventStreamIT.Message> messages = EventStreamIT.stream(secondPort, "second-replica-admin", id, null);
            assertThat(messages.next().id()).isEqualTo("1");

            // Stored by the first replica; the client is connected to the second.
            assertThat(api.post("/api/v1/investigations/" + id + "/cancel").bearer(OPERATOR).send().status())
                    .isEqualTo(200);
            // Pushed, not found by a later poll: without the cross-replica notification it never comes.
            EventStreamIT.Message cancelled = assertTimeoutPreemptively(Duration.ofSeconds(20), messages::next);
            assertThat(cancelled.id()).isEqualTo("2");
            assertThat(cancelled.data().path("payload").path("to").asString()).isEqualTo("CANCELLED");
            assertThat(EventStreamIT.rest(messages)).isEmpty();
        }
    }
}
