package dev.nightshift.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the integration tests: the whole server on a random port, on its embedded default (a real
 * PostgreSQL in a fresh data directory), with one static token per role and a JWT issuer whose JWK
 * set is served over real HTTP. Subclasses share one application context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class IntegrationTest {

    protected static final String VIEWER = "viewer-token-0123456789";
    protected static final String OPERATOR = "operator-token-0123456789";
    protected static final String ADMIN = "admin-token-0123456789";
    protected static final String INTAKE = "intake-token-0123456789";
    protected static final String ISSUER = "https://idp.nightshift.test";

    private static final RSAKey SIGNING_KEY;
    private static final HttpServer JWKS;
    private static final Path DATA_DIR;

    static {
        try {
            SIGNING_KEY = new RSAKeyGenerator(2048).keyID("test-key").generate();
            byte[] jwks = new JWKSet(SIGNING_KEY.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            JWKS = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            JWKS.createContext("/jwks", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, jwks.length);
                exchange.getResponseBody().write(jwks);
                exchange.close();
            });
            JWKS.start();
            DATA_DIR = Files.createTempDirectory("nightshift-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("nightshift.data-dir", DATA_DIR::toString);
        registry.add("nightshift.events.embedded-kafka.enabled", () -> "false"); // no worker events here
        registry.add("nightshift.security.admin-token", () -> ADMIN);
        // The API tests look at investigations as created; LocalRuntimeIT runs them.
        registry.add("nightshift.dispatcher.enabled", () -> "false");
        // Assisted, so that viewers see what these tests create (shadow results are for operators: TrustIT).
        registry.add("nightshift.trust.phase", () -> "ASSIST");
        // What workers are handed at registration (WorkerRegistrationIT); no worker runs here.
        registry.add("nightshift.datasources.clusters.default.prometheus.url", () -> "http://prometheus.default:9090");
        registry.add("nightshift.datasources.clusters.eu-1.prometheus.url", () -> "http://prometheus.eu-1:9090");
        registry.add("nightshift.datasources.clusters.eu-1.prometheus.auth.type", () -> "bearer");
        registry.add("nightshift.datasources.clusters.eu-1.prometheus.auth.token", () -> "prom-secret");
        registry.add("nightshift.datasources.clusters.eu-1.loki.url", () -> "http://loki.eu-1:3100");
        registry.add("nightshift.llm.base-url", () -> "http://llm.internal/v1");
        registry.add("nightshift.llm.model", () -> "gpt-test");
        registry.add("nightshift.llm.api-key", () -> "sk-llm-secret");
        registry.add("nightshift.llm.prices.gpt-test.input", () -> "2.50");
        registry.add("nightshift.llm.prices.gpt-test.output", () -> "10");
        TestTokens.register(registry, new String[] {"vera-viewer", VIEWER, "VIEWER"},
                new String[] {"otto-operator", OPERATOR, "OPERATOR"}, new String[] {"alertmanager", INTAKE, "INTAKE"});
        registry.add("nightshift.security.jwt.issuer-uri", () -> ISSUER);
        registry.add("nightshift.security.jwt.jwk-set-uri",
                () -> "http://127.0.0.1:" + JWKS.getAddress().getPort() + "/jwks");
        registry.add("nightshift.security.jwt.roles-claim", () -> "realm_access.roles");
    }

    @LocalServerPort
    private int port;

    @Autowired
    protected JdbcClient jdbc;

    protected ApiClient api;

    @BeforeEach
    void createClient() {
        api = new ApiClient(port);
    }

    /** A JWT signed by the test issuer's key. */
    protected static String jwt(String subject, String issuer, List<String> roles, Instant expiresAt) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issuer(issuer)
                .issueTime(Date.from(Instant.now().minusSeconds(5)))
                .expirationTime(Date.from(expiresAt))
                .claim("realm_access", Map.of("roles", roles))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(SIGNING_KEY.getKeyID()).build(),
                claims);
        try {
            jwt.sign(new RSASSASigner(SIGNING_KEY));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    protected long investigationCount() {
        return jdbc.sql("SELECT count(*) FROM investigations").query(Long.class).single();
    }
}
