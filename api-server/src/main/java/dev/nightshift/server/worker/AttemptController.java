package dev.nightshift.server.worker;

import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/v1/investigations/{id}/attempts}: a worker of this investigation registers (WORKER token only). */
@RestController
class AttemptController {

    private final WorkerRegistrations registrations;

    AttemptController(WorkerRegistrations registrations) {
        this.registrations = registrations;
    }

    @PostMapping(path = "/api/v1/investigations/{id}/attempts", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<WorkerRegistrations.Registration> register(@PathVariable UUID id) {
        WorkerRegistrations.Registration registration = registrations.register(id);
        return ResponseEntity.status(HttpStatus.CREATED)
                .cacheControl(CacheControl.noStore()) // it carries credentials
                .body(registration);
    }
}
