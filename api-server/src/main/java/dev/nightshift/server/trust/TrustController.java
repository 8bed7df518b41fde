package dev.nightshift.server.trust;

import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/trust}: the phase in force and the next gate's evidence; the promotion report; acknowledgement. */
@RestController
class TrustController {

    private final TrustService trust;

    TrustController(TrustService trust) {
        this.trust = trust;
    }

    @GetMapping(path = "/api/v1/trust", produces = MediaType.APPLICATION_JSON_VALUE)
    TrustService.Status status() {
        return trust.status();
    }

    @GetMapping(path = "/api/v1/trust/promotion-report", produces = MediaType.APPLICATION_JSON_VALUE)
    TrustService.PromotionReport report() {
        return trust.promotionReport();
    }

    @GetMapping(path = "/api/v1/trust/promotion-report", produces = "text/markdown")
    String markdown() {
        return trust.promotionReport().markdown();
    }

    @PostMapping(path = "/api/v1/trust/acknowledge", produces = MediaType.APPLICATION_JSON_VALUE)
    TrustService.Status acknowledge(Authentication principal) {
        return trust.acknowledge(principal.getName());
    }
}
