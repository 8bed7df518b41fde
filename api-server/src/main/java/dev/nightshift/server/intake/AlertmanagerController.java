package dev.nightshift.server.intake;

import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/alerts/alertmanager}: Alertmanager's webhook (role {@code INTAKE}). A 2xx
 * answer means the alerts and what they started are committed; Alertmanager retries a 5xx
 * (a database outage answers 503) and drops a 4xx, which therefore only bad payloads get.
 */
@RestController
class AlertmanagerController {

    private final AlertIntake intake;
    private final IntakeProperties properties;

    AlertmanagerController(AlertIntake intake, IntakeProperties properties) {
        this.intake = intake;
        this.properties = properties;
    }

    @PostMapping(path = "/api/v1/alerts/alertmanager", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    AlertIntake.Result receive(@RequestBody JsonNode body, Authentication principal) {
        return intake.receive(AlertmanagerPayload.read(body, properties.maxAlerts()), principal.getName());
    }
}
