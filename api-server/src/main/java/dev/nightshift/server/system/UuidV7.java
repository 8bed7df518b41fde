package dev.nightshift.server.system;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;

/**
 * RFC 9562 version 7 UUIDs: 48 bits of Unix milliseconds, then randomness. IDs made by one
 * generator are strictly increasing, also within one millisecond (the 12-bit {@code rand_a} field
 * is a counter seeded randomly each millisecond), so they sort in creation order.
 */
public final class UuidV7 {

    private static final SecureRandom RANDOM = new SecureRandom();

    private long lastMillis = -1;
    private long counter;

    /** A new ID for the given instant; strictly greater than every ID this generator made before. */
    public synchronized UUID next(Instant now) {
        long millis = now.toEpochMilli();
        if (millis > lastMillis) {
            lastMillis = millis;
            counter = RANDOM.nextInt(1 << 11); // leave headroom before the 12-bit field overflows
        } else if (++counter > 0xFFF) {
            lastMillis++; // borrow from the next millisecond rather than repeat an ID
            counter = 0;
        }
        long msb = (lastMillis << 16) | 0x7000L | counter;
        long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb);
    }

    /** The smallest version 7 UUID of the given millisecond: a bound for time-range queries. */
    public static UUID lowerBound(Instant instant) {
        return new UUID((instant.toEpochMilli() << 16) | 0x7000L, 0x8000000000000000L);
    }

    /** The millisecond a version 7 UUID was made in. */
    public static Instant timestamp(UUID id) {
        return Instant.ofEpochMilli(id.getMostSignificantBits() >>> 16);
    }
}
