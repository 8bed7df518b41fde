package dev.nightshift.server.jobs.kubernetes;

import dev.nightshift.contract.RunResult;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.investigation.InvestigationStatus;
import dev.nightshift.server.jobs.InvestigationLauncher;
import dev.nightshift.server.jobs.LaunchException;
import dev.nightshift.server.jobs.LaunchRequest;
import dev.nightshift.server.jobs.RunEnd;
import dev.nightshift.server.jobs.RunEnds;
import dev.nightshift.server.jobs.FileRunLog;
import dev.nightshift.server.jobs.RunLog;
import dev.nightshift.server.system.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.kubernetes.client.PodLogs;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.BatchV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ContainerStateTerminated;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobCondition;
import io.kubernetes.client.openapi.models.V1JobList;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The Kubernetes runtime: one Job per investigation, built by {@link JobManifests}. Informers on
 * the runtime's Jobs and Pods (label {@code app=autonomous-diagnostics}) turn what Kubernetes does
 * into investigation states: a running pod is {@code RUNNING}; a complete Job ends as the worker's
 * termination message says; {@code DeadlineExceeded} is {@code TIMED_OUT}; an {@code OOMKilled}
 * container, the pod failure policy or an exhausted backoff is {@code FAILED}. When a Job ends, its
 * pod's log is archived before {@code ttlSecondsAfterFinished} removes it.
 */
public final class KubernetesLauncher implements InvestigationLauncher, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KubernetesLauncher.class);
    static final String NAME = "kubernetes-runtime";
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(30);

    private final KubernetesRuntimeProperties properties;
    private final V1Job template;
    private final BatchV1Api batch;
    private final CoreV1Api core;
    private final PodLogs podLogs;
    private final InvestigationService investigations;
    private final RunEnds runEnds;
    private final Path logs;
    private final RateLimiter rateLimiter;
    private final Counter orphans;
    private final Set<String> orphanNames = ConcurrentHashMap.newKeySet();
    private final SharedInformerFactory informers;
    private final SharedIndexInformer<V1Job> jobs;
    private final SharedIndexInformer<V1Pod> pods;

    /**
     * @param client a client for the Kubernetes API; its read timeout is set to none, since watches
     *     and followed logs stay open for minutes
     * @param template the site's Job template, or {@code null}
     */
    public KubernetesLauncher(ApiClient client, KubernetesRuntimeProperties properties, V1Job template,
            InvestigationService investigations, RunEnds runEnds, Path dataDir, MeterRegistry meters)
            throws IOException {
        this.runEnds = runEnds;
        client.setHttpClient(client.getHttpClient().newBuilder().readTimeout(0, TimeUnit.SECONDS).build());
        this.properties = properties;
        this.template = template;
        this.batch = new BatchV1Api(client);
        this.core = new CoreV1Api(client);
        this.podLogs = new PodLogs(client);
        this.investigations = investigations;
        this.logs = Files.createDirectories(dataDir.resolve("logs"));
        this.rateLimiter = new RateLimiter(properties.qps(), properties.burst());
        this.orphans = Counter.builder(MetricNames.ORPHANED_JOBS)
                .description("Jobs of this runtime with no investigation behind them").register(meters);
        this.informers = new SharedInformerFactory(client);
        String namespace = properties.namespace();
        this.jobs = informers.sharedIndexInformerFor(params -> batch.listNamespacedJob(namespace)
                        .labelSelector(JobManifests.SELECTOR)
                        .resourceVersion(params.resourceVersion)
                        .timeoutSeconds(params.timeoutSeconds)
                        .watch(params.watch)
                        .buildCall(null),
                V1Job.class, V1JobList.class, Duration.ofMinutes(10).toMillis());
        this.pods = informers.sharedIndexInformerFor(params -> core.listNamespacedPod(namespace)
                        .labelSelector(JobManifests.SELECTOR)
                        .resourceVersion(params.resourceVersion)
                        .timeoutSeconds(params.timeoutSeconds)
                        .watch(params.watch)
                        .buildCall(null),
                V1Pod.class, V1PodList.class, Duration.ofMinutes(10).toMillis());
        pods.addEventHandler(handler(this::onPod));
        jobs.addEventHandler(handler(this::onJob));
    }

    /** Starts the informers and waits until their caches hold what the cluster has. */
    public void start() {
        informers.startAllRegisteredInformers();
        Instant giveUp = Instant.now().plus(SYNC_TIMEOUT);
        while (!(jobs.hasSynced() && pods.hasSynced())) {
            if (Instant.now().isAfter(giveUp)) {
                throw new IllegalStateException("Kubernetes informers did not sync within " + SYNC_TIMEOUT.toSeconds()
                        + " s; check nightshift.runtime.kubernetes.namespace and the service account's rights");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for informers", e);
            }
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void launch(LaunchRequest request) {
        V1Job job = JobManifests.job(request, properties, template, request.traceparent());
        String name = job.getMetadata().getName();
        V1Job created;
        try {
            rateLimiter.acquire();
            created = batch.createNamespacedJob(properties.namespace(), job).execute();
            log.info("Created Job {}", name);
        } catch (ApiException e) {
            if (e.getCode() == 409) {
                // Its token Secret was created with it, or is about to be by the launch that made it.
                log.info("Job {} exists already: counted as launched", name);
                return;
            }
            throw new LaunchException("Kubernetes refused Job " + name + " (HTTP " + e.getCode() + "): "
                    + firstLine(e.getResponseBody()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted before creating the Job", e);
        }
        // The pod waits for its token volume until the Secret exists; owned by the Job, it goes with it.
        try {
            rateLimiter.acquire();
            core.createNamespacedSecret(properties.namespace(),
                    JobManifests.tokenSecret(request, created, properties.namespace())).execute();
        } catch (ApiException e) {
            if (e.getCode() != 409) {
                cancel(request.investigationId());
                throw new LaunchException("Kubernetes refused the token Secret of Job " + name + " (HTTP "
                        + e.getCode() + "): " + firstLine(e.getResponseBody()), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel(request.investigationId());
            throw new LaunchException("interrupted before creating the token Secret", e);
        }
    }

    @Override
    public void cancel(UUID investigationId) {
        String name = JobManifests.jobName(investigationId);
        try {
            rateLimiter.acquire();
            // Background: a real API server defaults Jobs to Orphan, which would leave the pod running.
            batch.deleteNamespacedJob(name, properties.namespace()).propagationPolicy("Background").execute();
            log.info("Deleted Job {}", name);
        } catch (ApiException e) {
            if (e.getCode() != 404) {
                log.warn("Could not delete Job {} (HTTP {}); its deadline still bounds it", name, e.getCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every investigation with a Job, ended or not: ended ones are reported by the informer. */
    @Override
    public Set<UUID> activeRuns() {
        return jobs.getIndexer().list().stream()
                .map(KubernetesLauncher::investigationId)
                .flatMap(Optional::stream)
                .collect(Collectors.toSet());
    }

    /** While the Job runs, its pod's log from the API; once it ended, the archived copy. */
    @Override
    public Optional<RunLog> log(UUID investigationId) {
        Path archived = logs.resolve(investigationId + ".log");
        if (!ended(investigationId)) {
            Optional<String> pod = latestPod(investigationId).map(p -> p.getMetadata().getName());
            if (pod.isPresent()) {
                return Optional.of((out, tailLines, follow) -> copyPodLog(pod.get(), out, tailLines, follow));
            }
        }
        return Files.exists(archived) ? Optional.of(new FileRunLog(archived, () -> false)) : Optional.empty();
    }

    private void copyPodLog(String pod, OutputStream out, int tailLines, boolean follow)
            throws IOException, InterruptedException {
        rateLimiter.acquire();
        Integer tail = tailLines > 0 ? tailLines : null;
        try {
            if (!follow) {
                String text = core.readNamespacedPodLog(pod, properties.namespace()).container(JobManifests.CONTAINER)
                        .tailLines(tail).execute();
                out.write((text == null ? "" : text).getBytes(StandardCharsets.UTF_8));
                return;
            }
            try (InputStream in = podLogs.streamNamespacedPodLog(properties.namespace(), pod, JobManifests.CONTAINER,
                    null, tail, false)) {
                byte[] buffer = new byte[8192];
                int read;
                while ((read = in.read(buffer)) > 0) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            }
        } catch (ApiException e) {
            throw new IOException("Kubernetes refused the log of pod " + pod + " (HTTP " + e.getCode() + ")", e);
        }
    }

    private boolean ended(UUID investigationId) {
        return jobs.getIndexer().list().stream()
                .filter(job -> investigationId(job).filter(investigationId::equals).isPresent())
                .anyMatch(job -> condition(job, "Complete").isPresent() || condition(job, "Failed").isPresent());
    }

    private void onPod(V1Pod pod) {
        Optional<UUID> id = investigationId(pod);
        if (id.isEmpty() || pod.getStatus() == null || !"Running".equals(pod.getStatus().getPhase())) {
            return;
        }
        withMdc(id.get(), () -> investigations.report(id.get(), InvestigationStatus.RUNNING, NAME,
                "pod " + pod.getMetadata().getName() + " running"));
    }

    private void onJob(V1Job job) {
        Optional<UUID> id = investigationId(job);
        if (id.isEmpty() || !investigations.exists(id.get())) {
            if (orphanNames.add(job.getMetadata().getName())) {
                orphans.increment();
                log.warn("Job {} has no investigation behind it: an orphan; delete it if it is not yours",
                        job.getMetadata().getName());
            }
            return;
        }
        Optional<RunEnd> end = end(job);
        if (end.isEmpty()) {
            return;
        }
        withMdc(id.get(), () -> {
            latestPod(id.get()).ifPresent(pod -> archive(pod, logs.resolve(id.get() + ".log")));
            runEnds.ended(id.get(), end.get(), NAME);
        });
    }

    /** How a Job ended, if it has: the one place that reads Job conditions and container states. */
    Optional<RunEnd> end(V1Job job) {
        UUID id = investigationId(job).orElseThrow();
        Optional<V1ContainerStateTerminated> terminated = latestPod(id).flatMap(KubernetesLauncher::workerTerminated);
        Optional<RunResult> result = terminated.map(V1ContainerStateTerminated::getMessage).flatMap(RunResult::parse);
        if (condition(job, "Complete").isPresent()) {
            return Optional.of(RunEnd.exited(RunResult.EXIT_OK, result, limitsMemory(job)));
        }
        Optional<V1JobCondition> failed = condition(job, "Failed");
        if (failed.isEmpty()) {
            return Optional.empty();
        }
        String reason = failed.get().getReason() == null ? "" : failed.get().getReason();
        if (reason.equals("DeadlineExceeded")) {
            return Optional.of(RunEnd.deadlineExceeded(Duration.ofSeconds(job.getSpec().getActiveDeadlineSeconds())));
        }
        if (terminated.isPresent() && "OOMKilled".equals(terminated.get().getReason())) {
            return Optional.of(new RunEnd(InvestigationStatus.FAILED,
                    "OOMKilled: out of memory with a limit of " + limitsMemory(job)));
        }
        if (terminated.isPresent()) {
            return Optional.of(RunEnd.exited(terminated.get().getExitCode(), result, limitsMemory(job)));
        }
        return Optional.of(new RunEnd(InvestigationStatus.FAILED, "Job failed: " + reason
                + (failed.get().getMessage() == null ? "" : " (" + failed.get().getMessage() + ")")));
    }

    private Optional<V1Pod> latestPod(UUID investigationId) {
        return pods.getIndexer().list().stream()
                .filter(pod -> investigationId(pod).filter(investigationId::equals).isPresent())
                .max(Comparator.comparing(pod -> pod.getMetadata().getCreationTimestamp() == null
                        ? Instant.EPOCH.toString() : pod.getMetadata().getCreationTimestamp().toString()));
    }

    private static Optional<V1ContainerStateTerminated> workerTerminated(V1Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream()
                .filter(status -> JobManifests.CONTAINER.equals(status.getName()))
                .map(V1ContainerStatus::getState)
                .filter(state -> state != null && state.getTerminated() != null)
                .map(state -> state.getTerminated())
                .findFirst();
    }

    private static Optional<V1JobCondition> condition(V1Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst();
    }

    private static String limitsMemory(V1Job job) {
        var limits = job.getSpec().getTemplate().getSpec().getContainers().getFirst().getResources().getLimits();
        return limits == null || limits.get("memory") == null ? "unknown" : limits.get("memory").toSuffixedString();
    }

    /** Copies a pod's log to the archive, bounded; a failure is logged, never fatal. */
    private void archive(V1Pod pod, Path file) {
        try {
            rateLimiter.acquire();
            String text = core.readNamespacedPodLog(pod.getMetadata().getName(), properties.namespace())
                    .container(JobManifests.CONTAINER)
                    .limitBytes((int) Math.min(Integer.MAX_VALUE, properties.logArchiveLimitBytes()))
                    .execute();
            Files.writeString(file, text == null ? "" : text, StandardCharsets.UTF_8);
        } catch (ApiException | IOException e) {
            log.warn("Could not archive the log of pod {}: {}", pod.getMetadata().getName(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Optional<UUID> investigationId(V1Job job) {
        return job.getMetadata() == null ? Optional.empty() : parseId(job.getMetadata().getLabels());
    }

    static Optional<UUID> investigationId(V1Pod pod) {
        return pod.getMetadata() == null ? Optional.empty() : parseId(pod.getMetadata().getLabels());
    }

    private static Optional<UUID> parseId(Map<String, String> labels) {
        if (labels == null || labels.get(JobManifests.LABEL_INVESTIGATION) == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(labels.get(JobManifests.LABEL_INVESTIGATION)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static <T extends KubernetesObject> ResourceEventHandler<T> handler(Consumer<T> consumer) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                safely(consumer, object);
            }

            @Override
            public void onUpdate(T oldObject, T newObject) {
                safely(consumer, newObject);
            }

            @Override
            public void onDelete(T object, boolean deletedFinalStateUnknown) {
                // A deleted Job is a cancel (recorded by the cancel) or TTL clean-up after the end.
            }
        };
    }

    private static <T> void safely(Consumer<T> consumer, T object) {
        try {
            consumer.accept(object);
        } catch (RuntimeException e) {
            log.warn("Could not apply a Kubernetes event; the next resync retries: {}", e.toString());
        }
    }

    private static void withMdc(UUID id, Runnable action) {
        try (var ignored = MDC.putCloseable("investigationId", id.toString())) {
            action.run();
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    @Override
    public void close() {
        informers.stopAllRegisteredInformers();
    }
}
