package dev.nightshift.server.jobs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * A run's log kept in a file of its own: the local runtime's, or one archived from a pod.
 *
 * @param file the log file
 * @param active whether the run may still write to it
 */
public record FileRunLog(Path file, BooleanSupplier active) implements RunLog {

    private static final int CHUNK = 8192;

    @Override
    public void copyTo(OutputStream out, int tailLines, boolean follow) throws IOException, InterruptedException {
        if (!Files.exists(file)) {
            return;
        }
        try (RandomAccessFile log = new RandomAccessFile(file.toFile(), "r")) {
            long position = tailLines > 0 ? startOfLastLines(log, tailLines) : 0;
            byte[] buffer = new byte[CHUNK];
            while (true) {
                log.seek(position);
                int read;
                while ((read = log.read(buffer)) > 0) {
                    out.write(buffer, 0, read);
                    position += read;
                }
                out.flush();
                boolean stillActive = active.getAsBoolean();
                if (!follow || (!stillActive && position >= log.length())) {
                    return;
                }
                Thread.sleep(200);
            }
        }
    }

    /** Where the last {@code lines} lines begin; a final line without newline counts. */
    static long startOfLastLines(RandomAccessFile log, int lines) throws IOException {
        long end = log.length();
        if (end == 0) {
            return 0;
        }
        log.seek(end - 1);
        int remaining = log.read() == '\n' ? lines + 1 : lines;
        byte[] buffer = new byte[CHUNK];
        long position = end;
        while (position > 0) {
            int size = (int) Math.min(CHUNK, position);
            position -= size;
            log.seek(position);
            log.readFully(buffer, 0, size);
            for (int i = size - 1; i >= 0; i--) {
                if (buffer[i] == '\n' && --remaining == 0) {
                    return position + i + 1;
                }
            }
        }
        return 0;
    }
}
