package dev.nightshift.server.jobs;

import dev.nightshift.server.investigation.InvestigationProperties;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.jobs.kubernetes.KubernetesLauncher;
import dev.nightshift.server.jobs.kubernetes.KubernetesRuntimeProperties;
import dev.nightshift.server.system.Traces;
import dev.nightshift.server.worker.WorkerTokens;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.util.Config;
import io.kubernetes.client.util.Yaml;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Chooses the runtime with {@code nightshift.runtime.type}: {@code local} (the embedded default, a
 * child JVM per investigation) or {@code kubernetes} (a Job per investigation).
 */
@Configuration(proxyBeanMethods = false)
class JobsConfiguration {

    /** How long a run's end, as its runtime saw it, waits for the worker's own final event. */
    @Bean
    RunEnds runEnds(InvestigationService investigations, @Value("${nightshift.runtime.end-grace:10s}") Duration grace) {
        return new RunEnds(investigations, grace);
    }

    @Bean
    InvestigationLauncher investigationLauncher(@Value("${nightshift.runtime.type:local}") String type,
            LocalRuntimeProperties local, KubernetesRuntimeProperties kubernetes,
            @Value("${nightshift.data-dir}") Path dataDir, Environment environment,
            InvestigationService investigations, RunEnds runEnds, MeterRegistry meters) throws IOException {
        Path absoluteDataDir = dataDir.toAbsolutePath();
        return switch (type) {
            case "local" -> new LocalLauncher(local, WorkerClasspath.locate(local.workerJar(), absoluteDataDir),
                    absoluteDataDir, () -> local.apiUrl() != null ? local.apiUrl()
                            : "http://127.0.0.1:" + environment.getProperty("local.server.port",
                                    environment.getProperty("server.port", "8080")),
                    () -> environment.getProperty("spring.kafka.bootstrap-servers"), investigations, runEnds);
            case "kubernetes" -> {
                KubernetesLauncher launcher = new KubernetesLauncher(kubernetesClient(kubernetes), kubernetes,
                        template(kubernetes.jobTemplate()), investigations, runEnds, absoluteDataDir, meters);
                launcher.start();
                yield launcher;
            }
            default -> throw new IllegalStateException("nightshift.runtime.type must be 'local' or 'kubernetes', was '"
                    + type + "'");
        };
    }

    @Bean
    Dispatcher dispatcher(InvestigationLauncher launcher, WorkerTokens workerTokens, InvestigationService investigations,
            InvestigationProperties investigationProperties, DispatcherProperties properties, JdbcClient jdbc, PlatformTransactionManager transactionManager,
            Clock clock, MeterRegistry meters, Traces traces) {
        return new Dispatcher(launcher, workerTokens, investigations, investigationProperties, properties, jdbc,
                transactionManager, clock, meters, traces);
    }

    private static ApiClient kubernetesClient(KubernetesRuntimeProperties properties) throws IOException {
        return properties.apiServerUrl() != null ? Config.fromUrl(properties.apiServerUrl(), true) : Config.defaultClient();
    }

    private static V1Job template(Path file) throws IOException {
        if (file == null) {
            return null;
        }
        if (!Files.isReadable(file)) {
            throw new IllegalStateException("nightshift.runtime.kubernetes.job-template " + file + " is not readable");
        }
        return Yaml.loadAs(Files.readString(file), V1Job.class);
    }
}
