package dev.nightshift.server.investigation;

import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.FieldError;
import dev.nightshift.server.system.ProblemType;
import dev.nightshift.server.system.QueryParameters;
import dev.nightshift.server.system.WireEnum;
import dev.nightshift.server.trust.TrustPhase;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/investigations}: the contract is openapi.yaml. */
@RestController
@RequestMapping(path = "/api/v1/investigations", produces = MediaType.APPLICATION_JSON_VALUE)
class InvestigationController {

    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
    private static final int MAX_LABEL_FILTERS = 16;
    private static final int MAX_QUERY = 200;
    private static final int MAX_REASON = 1000;

    private final InvestigationService investigations;
    private final InvestigationQueries queries;
    private final InvestigationProperties properties;

    InvestigationController(InvestigationService investigations, InvestigationQueries queries,
            InvestigationProperties properties) {
        this.investigations = investigations;
        this.queries = queries;
        this.properties = properties;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<InvestigationViews.Detail> create(@RequestBody JsonNode body,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
            Authentication principal) {
        if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
            throw ApiException.invalid("Idempotency-Key", "must be 1 to 255 printable ASCII characters");
        }
        InvestigationRequest request = InvestigationRequest.read(body, properties);
        InvestigationService.Created created = investigations.create(request, principal.getName(), idempotencyKey);
        InvestigationViews.Detail detail = created.investigation();
        return ResponseEntity.status(created.replayed() ? HttpStatus.OK : HttpStatus.CREATED)
                .location(URI.create("/api/v1/investigations/" + detail.summary().id()))
                .body(detail);
    }

    @GetMapping
    InvestigationViews.Page list(
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String trustPhase,
            @RequestParam(required = false) String domain,
            @RequestParam(required = false) String severity,
            @RequestParam(required = false) String source,
            @RequestParam(name = "label", required = false) List<String> labels,
            @RequestParam(required = false) String createdFrom,
            @RequestParam(required = false) String createdTo,
            @RequestParam(name = "q", required = false) String text,
            @RequestParam(required = false) String limit,
            @RequestParam(required = false) String cursor,
            Authentication principal) {
        List<FieldError> errors = new ArrayList<>();
        InvestigationStatus statusFilter = WireEnum.parse(InvestigationStatus.class, "status", status, errors);
        TrustPhase phaseFilter = WireEnum.parse(TrustPhase.class, "trustPhase", trustPhase, errors);
        Domain domainFilter = WireEnum.parse(Domain.class, "domain", domain, errors);
        Severity severityFilter = WireEnum.parse(Severity.class, "severity", severity, errors);
        Source sourceFilter = WireEnum.parse(Source.class, "source", source, errors);
        Map<String, String> labelFilter = labels(labels, errors);
        Instant from = QueryParameters.instant("createdFrom", createdFrom, errors);
        Instant to = QueryParameters.instant("createdTo", createdTo, errors);
        if (from != null && to != null && !from.isBefore(to)) {
            errors.add(new FieldError("createdTo", "must be after createdFrom"));
        }
        if (text != null && (text.isBlank() || text.length() > MAX_QUERY)) {
            errors.add(new FieldError("q", "must be 1 to " + MAX_QUERY + " characters, not blank"));
        }
        int pageSize = limit(limit, errors);
        UUID after = null;
        if (cursor != null) {
            try {
                after = InvestigationSearch.parseCursor(cursor);
            } catch (ApiException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new ApiException(ProblemType.VALIDATION, "Invalid query parameters.", errors);
        }
        return queries.search(new InvestigationSearch(statusFilter, phaseFilter, domainFilter, severityFilter,
                sourceFilter, labelFilter, from, to, text, pageSize, after, !InvestigationService.seesShadow(principal)));
    }

    @GetMapping("/{id}")
    InvestigationViews.Detail get(@PathVariable UUID id, Authentication principal) {
        InvestigationViews.Detail detail = investigations.get(id);
        if (detail.summary().trustPhase() == TrustPhase.SHADOW && !InvestigationService.seesShadow(principal)) {
            throw new InvestigationNotFoundException(id); // as if it did not exist: shadow results are not for viewers
        }
        return detail;
    }

    @PostMapping(path = "/{id}/cancel", consumes = MediaType.APPLICATION_JSON_VALUE)
    InvestigationViews.Detail cancel(@PathVariable UUID id, @RequestBody(required = false) CancelRequest request,
            Authentication principal) {
        String reason = request == null ? null : request.reason();
        if (reason != null && reason.length() > MAX_REASON) {
            throw ApiException.invalid("reason", "must be at most " + MAX_REASON + " characters");
        }
        return investigations.cancel(id, principal.getName(), reason);
    }

    /** The body of {@code POST .../cancel}; optional. */
    record CancelRequest(String reason) {}

    private static Map<String, String> labels(List<String> labels, List<FieldError> errors) {
        Map<String, String> filter = new HashMap<>();
        if (labels == null) {
            return filter;
        }
        if (labels.size() > MAX_LABEL_FILTERS) {
            errors.add(new FieldError("label", "at most " + MAX_LABEL_FILTERS + " label filters"));
            return filter;
        }
        for (String label : labels) {
            int eq = label.indexOf('=');
            String key = eq < 0 ? label : label.substring(0, eq);
            if (eq < 0 || !InvestigationRequest.LABEL_KEY.matcher(key).matches()) {
                errors.add(new FieldError("label", "'" + label + "' is not key=value with a valid label key"));
            } else if (filter.put(key, label.substring(eq + 1)) != null) {
                errors.add(new FieldError("label", "repeats the key " + key));
            }
        }
        return filter;
    }

    private static int limit(String limit, List<FieldError> errors) {
        try {
            return (int) QueryParameters.integer("limit", limit, 1, InvestigationSearch.MAX_LIMIT,
                    InvestigationSearch.DEFAULT_LIMIT);
        } catch (ApiException e) {
            errors.addAll(e.errors());
            return InvestigationSearch.DEFAULT_LIMIT;
        }
    }
}
