package dev.nightshift.server.events;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Listens on {@link EventStore#CHANNEL}, so that every replica learns of every stored event,
 * whichever replica stored it and whether it came from a worker or from the server itself, and
 * feeds its live streams. One connection of the pool is held for the purpose; when it breaks it is
 * replaced, and the streams re-read from the database, so nothing is missed.
 */
@Component
class EventNotifications implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EventNotifications.class);
    private static final Duration POLL = Duration.ofSeconds(5);
    private static final Duration RETRY = Duration.ofSeconds(2);

    private final DataSource dataSource;
    private final EventStore store;
    private final EventBroadcaster broadcaster;
    private volatile boolean running;
    private Thread listener;

    EventNotifications(DataSource dataSource, EventStore store, EventBroadcaster broadcaster) {
        this.dataSource = dataSource;
        this.store = store;
        this.broadcaster = broadcaster;
    }

    @Override
    public void start() {
        running = true;
        listener = Thread.ofVirtual().name("event-notifications").start(this::listen);
    }

    @Override
    public void stop() {
        running = false;
        if (listener != null) {
            listener.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        while (running) {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + EventStore.CHANNEL);
                PGConnection notifications = connection.unwrap(PGConnection.class);
                broadcaster.resync(); // anything committed while no one listened is read from the database
                while (running) {
                    PGNotification[] received = notifications.getNotifications((int) POLL.toMillis());
                    if (received != null) {
                        for (PGNotification notification : received) {
                            deliver(notification.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("Event notifications interrupted ({}); reconnecting in {} s", e.getMessage(),
                            RETRY.toSeconds());
                    sleep();
                }
            }
        }
    }

    /** Reads the announced positions ({@code <investigation>:<first>:<last>}) for the streams that follow them. */
    private void deliver(String parameter) {
        String[] parts = parameter.split(":");
        UUID investigationId = UUID.fromString(parts[0]);
        long first = Long.parseLong(parts[1]);
        long last = Long.parseLong(parts[2]);
        if (broadcaster.followed(investigationId)) {
            store.after(investigationId, first - 1, Math.toIntExact(last - first + 1)).forEach(broadcaster::deliver);
        }
    }

    private void sleep() {
        try {
            Thread.sleep(RETRY);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
