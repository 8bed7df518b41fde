package dev.nightshift.server.jobs;

import dev.nightshift.worker.WorkerMain;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the agent-worker's classpath for the local runtime, whatever the working directory. The
 * worker's jar carries the list of its runtime dependencies ({@value #LIST}, written by its
 * build). Run from a build, they are jars on disk where the list says; run from the executable
 * jar, they are jars nested inside, found by file name next to the worker's own and copied out at
 * start (a child JVM cannot read nested jars).
 */
final class WorkerClasspath {

    static final String LIST = "META-INF/nightshift/worker.classpath";

    private WorkerClasspath() {}

    /** The worker's classpath, in the form of the {@code -cp} option. */
    static String locate(Path configured, Path dataDir) {
        if (configured != null) {
            if (!Files.exists(configured)) {
                throw new IllegalStateException("nightshift.runtime.local.worker-jar " + configured + " does not exist");
            }
            return configured.toString();
        }
        Path directory = dataDir.resolve("worker");
        URL worker = WorkerMain.class.getProtectionDomain().getCodeSource().getLocation();
        List<String> entries = new ArrayList<>();
        entries.add(onDisk(worker, directory, "agent-worker.jar").toString());
        for (String dependency : dependencies()) {
            Path built = Path.of(dependency);
            if (Files.exists(built)) {
                entries.add(built.toString());
            } else {
                // Inside the executable jar: a sibling of the worker's nested jar, by file name.
                String name = built.getFileName().toString();
                entries.add(onDisk(sibling(worker, name), directory, name).toString());
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static List<String> dependencies() {
        try (InputStream list = WorkerMain.class.getClassLoader().getResourceAsStream(LIST)) {
            if (list == null) {
                throw new IllegalStateException("The agent-worker jar has no " + LIST + "; rebuild it");
            }
            String text = new String(list.readAllBytes(), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? List.of() : List.of(text.split(File.pathSeparator));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + LIST, e);
        }
    }

    /** {@code jar:nested:/server.jar/!BOOT-INF/lib/agent-worker.jar!/} to the same with another jar's name. */
    private static URL sibling(URL worker, String name) {
        String spec = worker.toString();
        int slash = spec.lastIndexOf('/', spec.endsWith("!/") ? spec.length() - 3 : spec.length() - 1);
        try {
            return URI.create(spec.substring(0, slash + 1) + name + (spec.endsWith("!/") ? "!/" : "")).toURL();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("Cannot locate " + name + " next to " + worker, e);
        }
    }

    private static Path onDisk(URL location, Path directory, String name) {
        if ("file".equals(location.getProtocol())) {
            try {
                return Path.of(location.toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException("Cannot read the location " + location, e);
            }
        }
        return copyNested(location, directory, name);
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
