package dev.nightshift.server.events;

/** A record on the event topic that can never be stored: it goes to the dead-letter topic. */
public class PoisonEventException extends RuntimeException {

    public PoisonEventException(String message) {
        super(message);
    }
}
