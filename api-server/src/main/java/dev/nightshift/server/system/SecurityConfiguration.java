package dev.nightshift.server.system;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import java.util.function.Supplier;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authorization.AuthorityAuthorizationManager;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationManagers;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.SupplierJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * Everything under {@code /api/} needs a principal; {@code /actuator/health} is open and the other
 * actuator endpoints are for admins. Roles per endpoint are the table in README.md and openapi.yaml.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    static final String INVESTIGATIONS = "/api/v1/investigations";

    @Bean
    ApiTokens apiTokens(SecurityProperties properties) {
        return ApiTokens.from(properties, System.out);
    }

    @Bean
    static RoleHierarchy roleHierarchy() {
        return RoleHierarchyImpl.withDefaultRolePrefix()
                .role(Role.ADMIN.name()).implies(Role.OPERATOR.name(), Role.INTAKE.name())
                .role(Role.OPERATOR.name()).implies(Role.VIEWER.name())
                .build();
    }

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiTokens tokens, WorkerCredentials workers,
            SecurityProperties properties, ProblemResponses problems, RoleHierarchy roles) throws Exception {
        AuthenticationManager manager = new ApiAuthenticationManager(tokens, workers, jwtProvider(properties.jwt()));
        AuthorityAuthorizationManager<RequestAuthorizationContext> viewer =
                AuthorityAuthorizationManager.hasRole(Role.VIEWER.name());
        viewer.setRoleHierarchy(roles);
        AuthorizationManager<RequestAuthorizationContext> viewerOrOwnWorker =
                AuthorizationManagers.anyOf(viewer, SecurityConfiguration::ownWorker);
        AuthenticationEntryPoint unauthorized = (request, response, ex) -> {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"nightshift\"");
            boolean presented = request.getHeader(HttpHeaders.AUTHORIZATION) != null;
            problems.write(response, Problems.of(ProblemType.UNAUTHORIZED,
                    presented ? "The credentials are not valid." : "Send an API token or a JWT as a bearer token.",
                    request.getRequestURI()));
        };
        AccessDeniedHandler forbidden = (request, response, ex) -> problems.write(response,
                Problems.of(ProblemType.FORBIDDEN, "Your roles do not allow this operation.", request.getRequestURI()));

        return http
                .csrf(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authenticationManager(manager)
                .authorizeHttpRequests(authorize -> authorize
                        .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                        // The UI's files; everything it shows comes from the API with the user's token.
                        .requestMatchers(HttpMethod.GET, "/", "/index.html", "/ui/**", "/favicon.ico").permitAll()
                        .requestMatchers("/actuator/**").hasRole(Role.ADMIN.name())
                        .requestMatchers(HttpMethod.GET, INVESTIGATIONS + "/{id}", INVESTIGATIONS + "/{id}/events")
                                .access(viewerOrOwnWorker)
                        .requestMatchers(HttpMethod.POST, INVESTIGATIONS + "/{id}/attempts", INVESTIGATIONS + "/{id}/actions",
                                INVESTIGATIONS + "/{id}/credential-reports")
                                .access(SecurityConfiguration::ownWorker)
                        .requestMatchers("/k8s-proxy", "/k8s-proxy/**").access((authentication, context) ->
                                new AuthorizationDecision(authentication.get() != null && authentication.get()
                                        .getPrincipal() instanceof WorkerCredentials.WorkerPrincipal))
                        .requestMatchers(HttpMethod.GET, INVESTIGATIONS, INVESTIGATIONS + "/*/logs",
                                INVESTIGATIONS + "/*/hypotheses", "/api/v1/reports/**")
                                .hasRole(Role.VIEWER.name())
                        .requestMatchers(HttpMethod.POST, INVESTIGATIONS, INVESTIGATIONS + "/*/cancel",
                                INVESTIGATIONS + "/*/feedback")
                                .hasRole(Role.OPERATOR.name())
                        .requestMatchers(HttpMethod.GET, "/api/v1/audit", "/api/v1/audit/**", "/api/v1/notifications")
                                .hasRole(Role.OPERATOR.name())
                        .requestMatchers(HttpMethod.POST, "/api/v1/alerts/alertmanager").hasRole(Role.INTAKE.name())
                        .requestMatchers(HttpMethod.POST, "/api/v1/trust/acknowledge").hasRole(Role.ADMIN.name())
                        .requestMatchers(HttpMethod.GET, "/api/v1/rbac/drift").hasRole(Role.ADMIN.name())
                        .requestMatchers(HttpMethod.POST, "/api/v1/actions/*/approve", "/api/v1/actions/*/reject",
                                "/api/v1/actions/*/rollback").hasRole(Role.OPERATOR.name())
                        // A worker token opens only the paths above, and only for its own investigation.
                        .anyRequest().hasRole(Role.VIEWER.name()))
                .httpBasic(basic -> basic.authenticationEntryPoint(unauthorized))
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .authenticationManagerResolver(request -> manager)
                        .authenticationEntryPoint(unauthorized)
                        .accessDeniedHandler(forbidden))
                .exceptionHandling(exceptions -> exceptions
                        .authenticationEntryPoint(unauthorized)
                        .accessDeniedHandler(forbidden))
                .headers(headers -> headers.cacheControl(cache -> {}))
                .build();
    }

    /** Whether a worker run asks about its own investigation, the {@code {id}} of the path. */
    private static AuthorizationDecision ownWorker(Supplier<? extends Authentication> authentication,
            RequestAuthorizationContext context) {
        return new AuthorizationDecision(authentication.get() != null
                && authentication.get().getPrincipal() instanceof WorkerCredentials.WorkerPrincipal worker
                && worker.investigationId().toString().equalsIgnoreCase(context.getVariables().get("id")));
    }

    private static JwtAuthenticationProvider jwtProvider(SecurityProperties.Jwt jwt) {
        if (!jwt.enabled()) {
            return null;
        }
        JwtDecoder decoder;
        if (!SecurityProperties.blank(jwt.jwkSetUri())) {
            NimbusJwtDecoder nimbus = NimbusJwtDecoder.withJwkSetUri(jwt.jwkSetUri()).build();
            nimbus.setJwtValidator(SecurityProperties.blank(jwt.issuerUri())
                    ? JwtValidators.createDefault()
                    : new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefaultWithIssuer(jwt.issuerUri())));
            decoder = nimbus;
        } else {
            // Resolved on first use, so the server starts while the identity provider is down.
            decoder = new SupplierJwtDecoder(() -> JwtDecoders.fromIssuerLocation(jwt.issuerUri()));
        }
        JwtAuthenticationProvider provider = new JwtAuthenticationProvider(decoder);
        provider.setJwtAuthenticationConverter(new JwtRoles(jwt));
        return provider;
    }

}
