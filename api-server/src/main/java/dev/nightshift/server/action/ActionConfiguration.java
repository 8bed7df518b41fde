package dev.nightshift.server.action;

import dev.nightshift.server.audit.AuditLog;
import dev.nightshift.server.events.EventStore;
import dev.nightshift.server.notify.Notifications;
import dev.nightshift.server.trust.TrustService;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import tools.jackson.databind.ObjectMapper;

/** The gateway, its policy, and the cluster access it needs (none unless {@code nightshift.actions.kubernetes.enabled}). */
@Configuration(proxyBeanMethods = false)
class ActionConfiguration {

    @Bean
    ActionPolicy actionPolicy(ActionPolicyProperties properties) {
        return new ActionPolicy(properties);
    }

    @Bean
    @ConditionalOnProperty("nightshift.actions.kubernetes.enabled")
    Cluster cluster(ActionProperties properties, ObjectMapper json) throws IOException {
        return new Cluster(properties.kubernetes(), json);
    }

    @Bean
    ActionService actionService(JdbcClient jdbc, ActionPolicy policy, ActionProperties properties, TrustService trust,
            AuditLog audit, EventStore events, Notifications notifications, PlatformTransactionManager transactions,
            Clock clock, ObjectMapper json, MeterRegistry meters, ObjectProvider<Cluster> clusters) {
        Cluster cluster = clusters.getIfAvailable();
        return new ActionService(jdbc, policy, properties, cluster, new Executor(cluster, properties, json, clock),
                trust, audit, events, notifications, transactions, clock, json, meters);
    }
}
