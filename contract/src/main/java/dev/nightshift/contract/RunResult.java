package dev.nightshift.contract;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * How a worker run ended, in one line: {@code <OUTCOME> <reason>}. The worker writes it to its
 * Kubernetes termination message (or, in the local runtime, a result file); the server reads it
 * when the run ends. The event stream carries the details; this line is the fallback that always
 * arrives.
 *
 * @param outcome what the run concluded
 * @param reason one line for humans, possibly empty
 */
public record RunResult(Outcome outcome, String reason) {

    /** Kubernetes keeps at most 4096 bytes of a termination message. */
    public static final int MAX_BYTES = 4096;

    /** Exit code of a run that concluded or escalated. */
    public static final int EXIT_OK = 0;
    /** Exit code of bad input or configuration: terminal, never retried (the Job's pod failure policy). */
    public static final int EXIT_BAD_CONFIG = 2;

    public enum Outcome {
        /** A diagnosis with its evidence. */
        CONCLUDED,
        /** Handed to a human with the evidence so far (low confidence, circuit breaker, no reasoning). */
        ESCALATED,
        /** The run could not do its work. */
        FAILED
    }

    public RunResult {
        if (outcome == null) {
            throw new IllegalArgumentException("outcome is required");
        }
        reason = reason == null ? "" : reason.replaceAll("[\\r\\n]+", " ").strip();
    }

    /** The line to write, cut to {@link #MAX_BYTES} bytes of UTF-8 without splitting a character. */
    public String format() {
        String line = reason.isEmpty() ? outcome.name() : outcome.name() + " " + reason;
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_BYTES) {
            return line;
        }
        int end = MAX_BYTES;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--; // do not cut inside a multi-byte character
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** The result in a termination message or result file; empty when it holds none. */
    public static Optional<RunResult> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String line = text.strip();
        int newline = line.indexOf('\n');
        if (newline >= 0) {
            line = line.substring(0, newline).strip();
        }
        int space = line.indexOf(' ');
        String word = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        for (Outcome outcome : Outcome.values()) {
            if (outcome.name().equals(word)) {
                return Optional.of(new RunResult(outcome, space < 0 ? "" : line.substring(space + 1)));
            }
        }
        return Optional.empty();
    }
}
