package dev.nightshift.worker;

import java.time.Instant;

/**
 * The worker's log lines, on stdout and stderr (the pod log): each carries the time and the
 * investigation ID (and attempt, once registered), so lines of many runs can be told apart
 * wherever they are collected.
 */
final class WorkerLog {

    private static volatile String context = "-";
    private static volatile Redactor redactor = Redactor.standard();

    private WorkerLog() {}

    static void context(String investigationId, int attempt) {
        context = attempt > 0 ? investigationId + " attempt " + attempt : investigationId;
    }

    /** Every line is redacted by it from now on. */
    static void redactor(Redactor lines) {
        redactor = lines;
    }

    static void info(String message) {
        System.out.println(Instant.now() + " INFO [" + context + "] " + redactor.redact(message));
    }

    static void error(String message) {
        System.err.println(Instant.now() + " ERROR [" + context + "] " + redactor.redact(message));
    }
}
