package dev.nightshift.server.jobs;

import dev.nightshift.contract.RunResult;
import dev.nightshift.worker.WorkerMain;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.LoggerFactory;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds the agent-worker's classpath for the local runtime, whatever the working directory: the
 * server depends on the worker and on what it uses (the contract module, the Kafka client and
 * SLF4J's API), so their classes are wherever the server's are. Run from a build, those are jars or classes directories on disk; run from the
 * executable jar, they are jars nested inside, which are copied out at start (a child JVM cannot
 * read nested jars). When the worker gains more dependencies it becomes a shaded jar and this
 * list one entry long.
 */
final class WorkerClasspath {

    private WorkerClasspath() {}

    /** The worker's classpath, in the form of the {@code -cp} option. */
    static String locate(Path configured, Path dataDir) {
        if (configured != null) {
            if (!Files.exists(configured)) {
                throw new IllegalStateException("nightshift.runtime.local.worker-jar " + configured + " does not exist");
            }
            return configured.toString();
        }
        return Stream.of(WorkerMain.class, RunResult.class, KafkaProducer.class, LoggerFactory.class)
                .map(type -> onDisk(type, dataDir.resolve("worker")).toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static Path onDisk(Class<?> type, Path directory) {
        URL location = type.getProtectionDomain().getCodeSource().getLocation();
        if ("file".equals(location.getProtocol())) {
            try {
                return Path.of(location.toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException("Cannot read the location of " + type.getName() + ": " + location, e);
            }
        }
        return copyNested(location, directory, type.getPackageName() + ".jar");
    }

    /** {@code jar:nested:/server.jar/!BOOT-INF/lib/agent-worker.jar!/} is read as {@code nested:...agent-worker.jar}. */
    private static Path copyNested(URL location, Path directory, String name) {
        String spec = location.toString();
        if (spec.startsWith("jar:")) {
            spec = spec.substring("jar:".length());
        }
        if (spec.endsWith("!/")) {
            spec = spec.substring(0, spec.length() - 2);
        }
        Path target = directory.resolve(name);
        try {
            Files.createDirectories(directory);
            Path temporary = Files.createTempFile(directory, name, ".tmp");
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
