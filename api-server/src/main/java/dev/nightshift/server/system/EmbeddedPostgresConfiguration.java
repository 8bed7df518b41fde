package dev.nightshift.server.system;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.boot.flyway.autoconfigure.FlywayDataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * The embedded default: without {@code spring.datasource.url}, the server runs a real PostgreSQL of
 * its own, with data under {@code nightshift.data-dir}/postgres so that it survives a restart.
 * Configure a datasource URL and this steps aside for the external database.
 *
 * <p>As with an external database, migrations run as the owner and the application as a role of
 * its own ({@value #APP_ROLE}), which the migrations grant what it needs and not the right to
 * change or remove audit rows; the superuser would ignore such grants, so the application never
 * uses it.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedPostgresConfiguration.NoDatasourceUrl.class)
class EmbeddedPostgresConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);
    static final String APP_ROLE = "nightshift_app";

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(@Value("${nightshift.data-dir}") Path dataDir) throws IOException {
        Path dataDirectory = dataDir.resolve("postgres").toAbsolutePath();
        Files.createDirectories(dataDirectory);
        log.info("Starting embedded PostgreSQL with data in {}", dataDirectory);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + APP_ROLE
                    + "') THEN CREATE ROLE " + APP_ROLE + " LOGIN; END IF; END $$");
        } catch (SQLException e) {
            postgres.close();
            throw new IOException("Cannot create the application's database role", e);
        }
        return postgres;
    }

    /** The application's pool, as {@value #APP_ROLE}; {@code spring.datasource.hikari.*} settings apply as usual. */
    @Bean(destroyMethod = "close")
    @Primary
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(EmbeddedPostgres postgres) {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl(APP_ROLE, "postgres"));
        dataSource.setUsername(APP_ROLE);
        dataSource.setPoolName("nightshift-embedded");
        return dataSource;
    }

    /** The owner, for migrations only (and tests that play a tampering owner). */
    @Bean
    @FlywayDataSource
    DataSource ownerDataSource(EmbeddedPostgres postgres) {
        return postgres.getPostgresDatabase();
    }

    /** Tells the migrations which role to grant to. */
    @Bean
    FlywayConfigurationCustomizer appRoleGrants() {
        return configuration -> configuration.placeholders(Map.of("appRole", APP_ROLE));
    }

    static final class NoDatasourceUrl implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !StringUtils.hasText(context.getEnvironment().getProperty("spring.datasource.url"));
        }
    }
}
