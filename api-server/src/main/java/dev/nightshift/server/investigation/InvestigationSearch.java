package dev.nightshift.server.investigation;

import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.trust.TrustPhase;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * The filters of {@code GET /api/v1/investigations}, all optional and combined with AND.
 *
 * @param labels label pairs that must all match
 * @param createdFrom inclusive lower bound of the creation time
 * @param createdTo exclusive upper bound of the creation time
 * @param text case-insensitive substring of title or problem
 * @param after keyset cursor: only investigations older than this ID
 */
record InvestigationSearch(
        InvestigationStatus status,
        TrustPhase trustPhase,
        Domain domain,
        Severity severity,
        Source source,
        Map<String, String> labels,
        Instant createdFrom,
        Instant createdTo,
        String text,
        int limit,
        UUID after,
        boolean hideShadow) {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;

    InvestigationSearch {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** The opaque cursor that continues after {@code id}: its 16 bytes, base64url. */
    static String cursorAfter(UUID id) {
        ByteBuffer bytes = ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    static UUID parseCursor(String cursor) {
        try {
            byte[] bytes = Base64.getUrlDecoder().decode(cursor);
            if (bytes.length == 16) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                return new UUID(buffer.getLong(), buffer.getLong());
            }
        } catch (IllegalArgumentException e) {
            // not base64url: reported below
        }
        throw ApiException.invalid("cursor", "is not a cursor returned by this API");
    }
}
