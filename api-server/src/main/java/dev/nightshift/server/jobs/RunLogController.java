package dev.nightshift.server.jobs;

import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.QueryParameters;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/** {@code GET /api/v1/investigations/{id}/logs}: the log of the investigation's own run. */
@RestController
class RunLogController {

    static final int MAX_TAIL_LINES = 100_000;

    private final InvestigationService investigations;
    private final InvestigationLauncher launcher;

    RunLogController(InvestigationService investigations, InvestigationLauncher launcher) {
        this.investigations = investigations;
        this.launcher = launcher;
    }

    @GetMapping(path = "/api/v1/investigations/{id}/logs", produces = MediaType.TEXT_PLAIN_VALUE)
    ResponseEntity<StreamingResponseBody> logs(@PathVariable UUID id,
            @RequestParam(required = false) String tailLines,
            @RequestParam(required = false, defaultValue = "false") String follow, Authentication principal) {
        int tail = (int) QueryParameters.integer("tailLines", tailLines, 1, MAX_TAIL_LINES, 0);
        if (!follow.equals("true") && !follow.equals("false")) {
            throw ApiException.invalid("follow", "must be true or false");
        }
        investigations.requireVisible(id, principal);
        var runLog = launcher.log(id);
        StreamingResponseBody body = out -> {
            if (runLog.isPresent()) {
                try {
                    runLog.get().copyTo(out, tail, Boolean.parseBoolean(follow));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        return ResponseEntity.ok().contentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8))
                .body(body);
    }
}
