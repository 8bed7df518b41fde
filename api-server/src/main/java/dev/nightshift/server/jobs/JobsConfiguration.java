package dev.nightshift.server.jobs;

import dev.nightshift.server.investigation.InvestigationProperties;
import dev.nightshift.server.investigation.InvestigationService;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Chooses the runtime. The local runtime is the embedded default; the Kubernetes runtime arrives
 * with the rest of the Jobs issue and will be chosen by {@code nightshift.runtime.type=kubernetes}.
 */
@Configuration(proxyBeanMethods = false)
class JobsConfiguration {

    @Bean
    LocalLauncher localLauncher(LocalRuntimeProperties properties, @Value("${nightshift.data-dir}") Path dataDir,
            @Value("${nightshift.runtime.type:local}") String type, Environment environment,
            InvestigationService investigations) throws IOException {
        if (!"local".equals(type)) {
            throw new IllegalStateException("nightshift.runtime.type must be 'local' in this build, was '" + type + "'");
        }
        Path absoluteDataDir = dataDir.toAbsolutePath();
        String worker = WorkerClasspath.locate(properties.workerJar(), absoluteDataDir);
        return new LocalLauncher(properties, worker, absoluteDataDir, () -> properties.apiUrl() != null
                ? properties.apiUrl()
                : "http://127.0.0.1:" + environment.getProperty("local.server.port",
                        environment.getProperty("server.port", "8080")), investigations);
    }

    @Bean
    Dispatcher dispatcher(LocalLauncher launcher, LocalRuntimeProperties local, InvestigationService investigations,
            InvestigationProperties investigationProperties, DispatcherProperties properties, JdbcClient jdbc,
            PlatformTransactionManager transactionManager, Clock clock) {
        return new Dispatcher(launcher, local.maxConcurrent(), investigations, investigationProperties, properties, jdbc,
                transactionManager, clock);
    }
}
