package dev.nightshift.server.jobs;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The local runtime: one child JVM per investigation, sized for a laptop.
 *
 * @param maxConcurrent how many runs at once; default 2
 * @param workerHeap the {@code -Xmx} of each worker JVM; default {@code 512m}
 * @param workerJar the worker's jar or classes directory; by default the one the server ships with
 * @param workerMainClass the worker's main class; default {@code dev.nightshift.worker.WorkerMain}
 * @param apiUrl the api-server URL handed to workers; default {@code http://127.0.0.1:<server.port>}
 */
@ConfigurationProperties("nightshift.runtime.local")
public record LocalRuntimeProperties(
        @DefaultValue("2") int maxConcurrent,
        @DefaultValue("512m") String workerHeap,
        Path workerJar,
        @DefaultValue("dev.nightshift.worker.WorkerMain") String workerMainClass,
        String apiUrl) {

    public LocalRuntimeProperties {
        if (maxConcurrent < 1) {
            throw new IllegalStateException("nightshift.runtime.local.max-concurrent must be at least 1");
        }
        if (!workerHeap.matches("[1-9][0-9]*[kKmMgG]")) {
            throw new IllegalStateException("nightshift.runtime.local.worker-heap must look like 512m, was '"
                    + workerHeap + "'");
        }
    }
}
