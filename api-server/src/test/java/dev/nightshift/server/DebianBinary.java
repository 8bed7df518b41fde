package dev.nightshift.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** What the tests that run a real server from a Debian package share: finding it, a port, waiting, stopping. */
final class DebianBinary {

    private DebianBinary() {}

    /**
     * Skips the test with a clear message when the package is not installed — except under
     * {@code CI=true}, where that is a failure.
     */
    static void require(Path binary, String debianPackage) {
        if (Files.isExecutable(binary)) {
            return;
        }
        String message = debianPackage + " is not installed (apt-get install -y " + debianPackage + "); " + binary
                + " is missing";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message);
        }
        Assumptions.abort(message);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * Polls {@code ready} until it holds; an I/O error counts as not yet.
     *
     * @throws IOException when the process exits or the time is up (the process is then stopped)
     */
    static void await(Process process, String name, Duration timeout, Callable<Boolean> ready)
            throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue());
            }
            try {
                if (ready.call()) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            Thread.sleep(100);
        }
        stop(process);
        throw new IOException(name + " was not ready within " + timeout);
    }

    static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
