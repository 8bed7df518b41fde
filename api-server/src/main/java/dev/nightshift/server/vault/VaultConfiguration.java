package dev.nightshift.server.vault;

import dev.nightshift.server.audit.AuditLog;
import dev.nightshift.server.events.EventStore;
import dev.nightshift.server.notify.Notifications;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.vault.authentication.AppRoleAuthentication;
import org.springframework.vault.authentication.AppRoleAuthenticationOptions;
import org.springframework.vault.authentication.ClientAuthentication;
import org.springframework.vault.authentication.KubernetesAuthentication;
import org.springframework.vault.authentication.KubernetesAuthenticationOptions;
import org.springframework.vault.authentication.LifecycleAwareSessionManager;
import org.springframework.vault.authentication.TokenAuthentication;
import org.springframework.vault.client.VaultClients;
import org.springframework.vault.client.VaultEndpoint;
import org.springframework.vault.core.VaultTemplate;
import org.springframework.web.client.RestTemplate;

/** Vault, when {@code nightshift.vault.uri} is set: the api-server's own session and the credential service. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("nightshift.vault.uri")
class VaultConfiguration {

    @Bean(destroyMethod = "destroy")
    ThreadPoolTaskScheduler vaultSessionScheduler() {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setThreadNamePrefix("vault-session-");
        scheduler.setPoolSize(1);
        scheduler.setDaemon(true);
        return scheduler;
    }

    @Bean
    VaultTemplate vaultTemplate(VaultProperties properties, ThreadPoolTaskScheduler vaultSessionScheduler) {
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(java.net.http.HttpClient.newBuilder()
                .connectTimeout(properties.timeout()).build());
        requests.setReadTimeout(properties.timeout());
        VaultEndpoint endpoint = VaultEndpoint.from(properties.uri());
        RestTemplate login = VaultClients.createRestTemplate(endpoint, requests);
        ClientAuthentication authentication = switch (properties.authentication()) {
            case TOKEN -> {
                if (properties.token() == null || properties.token().isBlank()) {
                    throw new IllegalStateException("nightshift.vault.token is required with authentication TOKEN");
                }
                yield new TokenAuthentication(properties.token());
            }
            case APPROLE -> new AppRoleAuthentication(AppRoleAuthenticationOptions.builder()
                    .path(properties.appRole().path())
                    .roleId(AppRoleAuthenticationOptions.RoleId.provided(properties.appRole().roleId()))
                    .secretId(AppRoleAuthenticationOptions.SecretId.provided(properties.appRole().secretId()))
                    .build(), login);
            case KUBERNETES -> new KubernetesAuthentication(KubernetesAuthenticationOptions.builder()
                    .path(properties.kubernetes().path()).role(properties.kubernetes().role())
                    .jwtSupplier(() -> {
                        try {
                            return Files.readString(properties.kubernetes().jwtPath()).strip();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }).build(), login);
        };
        return new VaultTemplate(endpoint, requests,
                new LifecycleAwareSessionManager(authentication, vaultSessionScheduler, login));
    }

    @Bean
    VaultCredentials vaultCredentials(VaultTemplate vault, VaultProperties properties, JdbcClient jdbc, AuditLog audit,
            EventStore events, Notifications notifications, PlatformTransactionManager transactions, Clock clock,
            MeterRegistry meters) {
        return new VaultCredentials(vault, properties, jdbc, audit, events, notifications, transactions, clock, meters);
    }
}
