package dev.nightshift.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

class EventBroadcasterTest {

    private static StoredEvent event(UUID investigation, long position) {
        return new StoredEvent(position, UUID.randomUUID(), investigation, 0, position, "STATE_CHANGED", Instant.now(),
                null, JsonNodeFactory.instance.objectNode(), 1);
    }

    @Test
    void shouldDropOnlyTheSlowSubscriberAndKeepFeedingTheOthers() {
        EventBroadcaster broadcaster = new EventBroadcaster(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        UUID investigation = UUID.randomUUID();
        EventBroadcaster.Subscription slow = broadcaster.subscribe(investigation, 1);
        EventBroadcaster.Subscription fast = broadcaster.subscribe(investigation, 10);

        for (long position = 1; position <= 3; position++) {
            broadcaster.deliver(event(investigation, position));
        }

        assertThat(slow.overflowed()).isTrue();
        assertThat(fast.overflowed()).isFalse();
        assertThat(fast.queue()).extracting(StoredEvent::position).containsExactly(1L, 2L, 3L);
    }

    @Test
    void shouldDeliverOnlyTheSubscribedInvestigationAndForgetClosedSubscriptions() {
        EventBroadcaster broadcaster = new EventBroadcaster(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        UUID mine = UUID.randomUUID();
        EventBroadcaster.Subscription subscription = broadcaster.subscribe(mine, 10);
        broadcaster.deliver(event(UUID.randomUUID(), 1));
        assertThat(subscription.queue()).isEmpty();
        assertThat(broadcaster.clients()).isEqualTo(1);
        subscription.close();
        assertThat(broadcaster.clients()).isZero();
    }
}
