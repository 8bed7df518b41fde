package dev.nightshift.server.events;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Hands committed events to the live streams of this replica. Each stream has a bounded queue of
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

        private Subscription(UUID investigationId, int capacity, EventBroadcaster owner) {
            this.investigationId = investigationId;
            this.queue = new ArrayBlockingQueue<>(capacity);
            this.owner = owner;
        }

        public BlockingQueue<StoredEvent> queue() {
            return queue;
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

    /** After the storing transaction commits: never blocks, whatever the clients do. */
    @TransactionalEventListener
    void onAppended(EventStore.Appended appended) {
        StoredEvent event = appended.event();
        for (Subscription subscription : subscriptions.getOrDefault(event.investigationId(), Set.of())) {
            if (!subscription.queue.offer(event)) {
                subscription.overflowed = true;
            }
        }
    }

    /** How many live streams this replica serves. */
    public int clients() {
        return subscriptions.values().stream().mapToInt(Set::size).sum();
    }
}
