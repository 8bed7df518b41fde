package dev.nightshift.server.jobs;

import java.io.IOException;
import java.io.OutputStream;

/** The log of one investigation's run, and only that run's (per-investigation log isolation). */
public interface RunLog {

    /**
     * Writes the log, or its last {@code tailLines} lines (0 for all), to {@code out}; with
     * {@code follow}, keeps writing what the run appends until it ends.
     */
    void copyTo(OutputStream out, int tailLines, boolean follow) throws IOException, InterruptedException;
}
