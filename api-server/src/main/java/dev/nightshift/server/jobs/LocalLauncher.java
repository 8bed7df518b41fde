package dev.nightshift.server.jobs;

import dev.nightshift.contract.RunResult;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.investigation.InvestigationStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The local runtime: each investigation runs the agent-worker in a child JVM, started with the
 * server's own {@code java}. The deadline destroys the whole process tree; exit codes and the result
 * file map to states exactly as on Kubernetes ({@link RunEnd}). Logs go to
 * {@code <data-dir>/logs/<id>.log}; each run works in a fresh {@code <data-dir>/runs/<id>/}, where it
 * finds its bootstrap token (a file only the server's user can read) and leaves its result file.
 */
final class LocalLauncher implements InvestigationLauncher, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalLauncher.class);
    static final String NAME = "local-runtime";

    private final LocalRuntimeProperties properties;
    private final String workerClasspath;
    private final Path logs;
    private final Path runs;
    private final Supplier<String> apiUrl;
    private final Supplier<String> kafkaBootstrapServers;
    private final InvestigationService investigations;
    private final RunEnds runEnds;
    private final Map<UUID, Run> active = new ConcurrentHashMap<>();
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("local-runtime-deadlines").daemon().factory());

    private static final class Run {
        final Process process;
        final ScheduledFuture<?> deadline;
        volatile boolean timedOut;
        volatile boolean cancelled;

        Run(Process process, ScheduledFuture<?> deadline) {
            this.process = process;
            this.deadline = deadline;
        }
    }

    LocalLauncher(LocalRuntimeProperties properties, String workerClasspath, Path dataDir, Supplier<String> apiUrl,
            Supplier<String> kafkaBootstrapServers, InvestigationService investigations, RunEnds runEnds)
            throws IOException {
        this.runEnds = runEnds;
        this.kafkaBootstrapServers = kafkaBootstrapServers;
        this.properties = properties;
        this.workerClasspath = workerClasspath;
        this.logs = Files.createDirectories(dataDir.resolve("logs"));
        this.runs = Files.createDirectories(dataDir.resolve("runs"));
        this.apiUrl = apiUrl;
        this.investigations = investigations;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized void launch(LaunchRequest request) {
        UUID id = request.investigationId();
        if (active.containsKey(id)) {
            return; // idempotent: already running
        }
        Path runDirectory = runs.resolve(id.toString());
        Path resultFile = runDirectory.resolve("result");
        Path logFile = logs.resolve(id + ".log");
        ProcessBuilder builder = new ProcessBuilder(javaBinary(), "-Xmx" + properties.workerHeap(),
                "-XX:+ExitOnOutOfMemoryError", "-cp", workerClasspath, properties.workerMainClass())
                .directory(runDirectory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("NIGHTSHIFT_") || name.startsWith("SPRING_"));
        environment.put("INVESTIGATION_ID", id.toString());
        if (request.traceparent() != null) {
            environment.put("TRACEPARENT", request.traceparent());
        }
        environment.put("NIGHTSHIFT_API_URL", apiUrl.get());
        environment.put("NIGHTSHIFT_RESULT_FILE", resultFile.toString());
        Path tokenFile = runDirectory.resolve("token");
        environment.put("NIGHTSHIFT_TOKEN_FILE", tokenFile.toString());
        String kafka = kafkaBootstrapServers.get();
        if (kafka != null && !kafka.isBlank()) {
            environment.put("KAFKA_BOOTSTRAP_SERVERS", kafka);
        }
        Process process;
        try {
            Files.createDirectories(runDirectory);
            Files.deleteIfExists(resultFile);
            writePrivately(tokenFile, request.workerToken());
            process = builder.start();
        } catch (IOException e) {
            throw new LaunchException("cannot start the worker process: " + e.getMessage(), e);
        }
        ScheduledFuture<?> deadline = deadlines.schedule(() -> expire(id), request.tier().deadline().toMillis(),
                TimeUnit.MILLISECONDS);
        Run run = new Run(process, deadline);
        active.put(id, run);
        try (var ignored = MDC.putCloseable("investigationId", id.toString())) {
            log.info("Started worker process {} (deadline {} s)", process.pid(), request.tier().deadline().toSeconds());
        }
        investigations.report(id, InvestigationStatus.RUNNING, NAME, "worker process " + process.pid() + " started");
        process.onExit().thenRun(() -> ended(id, run, request.tier().deadline(), resultFile));
    }

    /** Writes the token into a file that only this user can read, created so from its first byte. */
    private static void writePrivately(Path file, String token) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, token, StandardCharsets.UTF_8);
    }

    private void expire(UUID id) {
        Run run = active.get(id);
        if (run != null) {
            run.timedOut = true;
            destroyTree(run.process);
        }
    }

    private void ended(UUID id, Run run, Duration deadline, Path resultFile) {
        run.deadline.cancel(false);
        active.remove(id, run);
        if (run.cancelled) {
            return; // the cancel already recorded CANCELLED
        }
        RunEnd end = run.timedOut ? RunEnd.deadlineExceeded(deadline)
                : RunEnd.exited(run.process.exitValue(), readResult(resultFile), properties.workerHeap());
        runEnds.ended(id, end, NAME);
    }

    private static Optional<RunResult> readResult(Path resultFile) {
        try {
            return Files.exists(resultFile)
                    ? RunResult.parse(Files.readString(resultFile, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public void cancel(UUID investigationId) {
        Run run = active.get(investigationId);
        if (run != null) {
            run.cancelled = true;
            destroyTree(run.process);
        }
    }

    @Override
    public int maxConcurrentRuns() {
        return properties.maxConcurrent();
    }

    @Override
    public Set<UUID> activeRuns() {
        return Set.copyOf(active.keySet());
    }

    @Override
    public Optional<RunLog> log(UUID investigationId) {
        Path file = logs.resolve(investigationId + ".log");
        return Files.exists(file) ? Optional.of(new FileRunLog(file, () -> active.containsKey(investigationId)))
                : Optional.empty();
    }

    /** Stops every run: a server that stops leaves no worker behind. */
    @Override
    public void close() {
        active.values().forEach(run -> {
            run.cancelled = true;
            destroyTree(run.process);
        });
        deadlines.shutdownNow();
    }

    private static void destroyTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
