package dev.nightshift.worker;

import java.util.Map;

/**
 * Entry point of the container a Job runs: one investigation, then exit. Exit codes are the
 * contract with the Job's pod failure policy: {@value #EXIT_OK} concluded or escalated,
 * {@value #EXIT_BAD_CONFIG} bad input or configuration (terminal, never retried), anything else a
 * crash.
 *
 * <p>This build checks its environment and exits; the reasoning loop arrives with the worker issue.
 */
public final class WorkerMain {

    static final int EXIT_OK = 0;
    static final int EXIT_BAD_CONFIG = 2;

    private WorkerMain() {}

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
    }

    static int run(Map<String, String> environment) {
        WorkerConfig config;
        try {
            config = WorkerConfig.from(environment);
        } catch (IllegalArgumentException e) {
            System.err.println("nightshift-worker: " + e.getMessage());
            return EXIT_BAD_CONFIG;
        }
        System.out.println("nightshift-worker: investigation " + config.investigationId()
                + " against " + config.apiUrl() + ": no reasoning loop in this build, exiting");
        return EXIT_OK;
    }
}
