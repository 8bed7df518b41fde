package dev.nightshift.server.rbac;

import dev.nightshift.server.action.Cluster;
import java.nio.file.Path;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.ObjectMapper;

/** The drift check and {@code GET /api/v1/rbac/drift} (ADMIN). */
@Configuration(proxyBeanMethods = false)
class RbacConfiguration {

    @Bean
    RbacDrift rbacDrift(ObjectProvider<Cluster> cluster, @Value("${nightshift.rbac.expected-file:}") String file,
            ObjectMapper json) {
        return new RbacDrift(cluster.getIfAvailable(), file.isBlank() ? null : Path.of(file), json);
    }

    @RestController
    static class RbacDriftController {

        private final RbacDrift drift;

        RbacDriftController(RbacDrift drift) {
            this.drift = drift;
        }

        @GetMapping(path = "/api/v1/rbac/drift", produces = MediaType.APPLICATION_JSON_VALUE)
        RbacDrift.Report drift() {
            return drift.check();
        }
    }
}
