package dev.nightshift.server.events;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Hands committed events (announced by {@link EventNotifications}) to the live streams of this
 * replica. Each stream has a bounded queue of
 * its own: a slow client fills only its own queue, and on overflow it is dropped (it resumes from
 * the database with {@code Last-Event-ID}), so it never delays anyone else.
 */
@Component
public class EventBroadcaster {

    /** A live stream's inbox. */
    public static final class Subscription implements AutoCloseable {
        private final UUID investigationId;
        private final BlockingQueue<StoredEvent> queue;
        private final EventBroadcaster owner;
        private volatile boolean overflowed;
        private volatile boolean resync;

        private Subscription(UUID investigationId, int capacity, EventBroadcaster owner) {
            this.investigationId = investigationId;
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.owner = owner;
        }

        public BlockingQueue<StoredEvent> queue() {
            return queue;
        }

        /** Whether notifications may have been missed: read the database for anything new. */
        public boolean takeResync() {
            boolean requested = resync;
            resync = false;
            return requested;
        }

        /** Whether events were dropped because the client did not keep up. */
        public boolean overflowed() {
            return overflowed;
        }

        @Override
        public void close() {
            owner.unsubscribe(this);
        }
    }

    private final Map<UUID, Set<Subscription>> subscriptions = new ConcurrentHashMap<>();

    /** Counts the live streams of this replica as {@code nightshift.sse.clients}. */
    public EventBroadcaster(io.micrometer.core.instrument.MeterRegistry meters) {
        io.micrometer.core.instrument.Gauge.builder(dev.nightshift.server.system.MetricNames.SSE_CLIENTS, subscriptions,
                        map -> map.values().stream().mapToInt(Set::size).sum())
                .description("Clients following an investigation's event stream on this replica").register(meters);
    }

    public Subscription subscribe(UUID investigationId, int capacity) {
        Subscription subscription = new Subscription(investigationId, capacity, this);
        subscriptions.computeIfAbsent(investigationId, id -> ConcurrentHashMap.newKeySet()).add(subscription);
        return subscription;
    }

    private void unsubscribe(Subscription subscription) {
        subscriptions.computeIfPresent(subscription.investigationId, (id, set) -> {
            set.remove(subscription);
            return set.isEmpty() ? null : set;
        });
    }

    /** Whether any live stream follows this investigation here. */
    boolean followed(UUID investigationId) {
        return subscriptions.containsKey(investigationId);
    }

    /** Hands a committed event to this replica's streams; never blocks, whatever the clients do. */
    void deliver(StoredEvent event) {
        for (Subscription subscription : subscriptions.getOrDefault(event.investigationId(), Set.of())) {
            if (!subscription.queue.offer(event)) {
                subscription.overflowed = true;
            }
        }
    }

    /**
     * Wakes every stream with an empty look at the database: used after notifications may have been
     * missed. Streams fill gaps from the database, so a nudge is all they need.
     */
    void resync() {
        subscriptions.values().forEach(set -> set.forEach(subscription -> subscription.resync = true));
    }

    /** How many live streams this replica serves. */
    public int clients() {
        return subscriptions.values().stream().mapToInt(Set::size).sum();
    }
}
