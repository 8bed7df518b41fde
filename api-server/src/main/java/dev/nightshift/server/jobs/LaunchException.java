package dev.nightshift.server.jobs;

/** A run could not be started; the message says why, for the investigation's transition reason. */
public class LaunchException extends RuntimeException {

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
