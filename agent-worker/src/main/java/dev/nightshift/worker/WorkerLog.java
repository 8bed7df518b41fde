package dev.nightshift.worker;

import java.time.Instant;

/**
 * The worker's log lines, on stdout and stderr (the pod log): each carries the time and the
 * investigation ID (and attempt, once registered), so lines of many runs can be told apart
 * wherever they are collected.
 */
final class WorkerLog {

    private static volatile String context = "-";

    private WorkerLog() {}

    static void context(String investigationId, int attempt) {
        context = attempt > 0 ? investigationId + " attempt " + attempt : investigationId;
    }

    static void info(String message) {
        System.out.println(Instant.now() + " INFO [" + context + "] " + message);
    }

    static void error(String message) {
        System.err.println(Instant.now() + " ERROR [" + context + "] " + message);
    }
}
