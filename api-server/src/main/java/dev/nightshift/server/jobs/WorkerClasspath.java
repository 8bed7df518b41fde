package dev.nightshift.server.jobs;

import dev.nightshift.worker.WorkerMain;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Finds the agent-worker for the local runtime, whatever the working directory: the server depends
 * on the worker, so its classes are wherever the server's are. Run from a build, that is a jar or
 * classes directory on disk; run from the executable jar, it is a jar nested inside, which is copied
 * out once (a child JVM cannot read nested jars).
 */
final class WorkerClasspath {

    private WorkerClasspath() {}

    static Path locate(Path configured, Path dataDir) {
        if (configured != null) {
            if (!Files.exists(configured)) {
                throw new IllegalStateException("nightshift.runtime.local.worker-jar " + configured + " does not exist");
            }
            return configured;
        }
        URL location = WorkerMain.class.getProtectionDomain().getCodeSource().getLocation();
        if ("file".equals(location.getProtocol())) {
            try {
                return Path.of(location.toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException("Cannot read the worker's location " + location, e);
            }
        }
        return copyNested(location, dataDir.resolve("worker"));
    }

    /** {@code jar:nested:/server.jar/!BOOT-INF/lib/agent-worker.jar!/} is read as {@code nested:...agent-worker.jar}. */
    private static Path copyNested(URL location, Path directory) {
        String spec = location.toString();
        if (spec.startsWith("jar:")) {
            spec = spec.substring("jar:".length());
        }
        if (spec.endsWith("!/")) {
            spec = spec.substring(0, spec.length() - 2);
        }
        Path target = directory.resolve("agent-worker.jar");
        try {
            Files.createDirectories(directory);
            Path temporary = Files.createTempFile(directory, "agent-worker", ".jar");
            try (InputStream in = URI.create(spec).toURL().openStream()) {
                Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot copy the worker jar out of " + location, e);
        }
    }
}
