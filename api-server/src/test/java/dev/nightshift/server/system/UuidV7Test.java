package dev.nightshift.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class UuidV7Test {

    private static final Instant T0 = Instant.parse("2026-11-22T02:00:00.123Z");

    @Test
    void shouldCarryVersionVariantAndMillisecond() {
        UUID id = new UuidV7().next(T0);
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(UuidV7.timestamp(id)).isEqualTo(T0);
    }

    @Test
    void shouldIncreaseStrictlyWithinOneMillisecond() {
        UuidV7 ids = new UuidV7();
        List<UUID> made = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            made.add(ids.next(T0));
        }
        for (int i = 1; i < made.size(); i++) {
            assertThat(made.get(i).toString()).isGreaterThan(made.get(i - 1).toString());
        }
    }

    @Test
    void shouldNeverGoBackwardsWhenTheClockDoes() {
        UuidV7 ids = new UuidV7();
        UUID first = ids.next(T0);
        UUID second = ids.next(T0.minusSeconds(1));
        assertThat(second.toString()).isGreaterThan(first.toString());
    }

    @Test
    void shouldBoundTheMillisecondFromBelow() {
        UUID bound = UuidV7.lowerBound(T0);
        UUID id = new UuidV7().next(T0);
        UUID earlier = new UuidV7().next(T0.minusMillis(1));
        // PostgreSQL compares uuids as unsigned bytes, as the canonical strings sort.
        assertThat(id.toString()).isGreaterThanOrEqualTo(bound.toString());
        assertThat(earlier.toString()).isLessThan(bound.toString());
    }
}
