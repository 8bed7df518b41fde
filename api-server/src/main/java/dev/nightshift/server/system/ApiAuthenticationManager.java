package dev.nightshift.server.system;

import java.util.List;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ProviderNotFoundException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * One authentication decision for every way in: a bearer token or a basic-auth password is first
 * looked up among the static API tokens; a bearer token that is not one of them is tried as a JWT
 * when an issuer is configured. A worker run's bootstrap token authenticates a
 * {@link WorkerCredentials.WorkerPrincipal} of its one investigation, while that is not over. The
 * basic-auth user name is ignored: the token alone identifies.
 */
final class ApiAuthenticationManager implements AuthenticationManager {

    static final String WORKER_AUTHORITY = "ROLE_WORKER";

    private final ApiTokens tokens;
    private final WorkerCredentials workers;
    private final AuthenticationProvider jwt;

    /** @param jwt the JWT provider, or {@code null} when no issuer is configured */
    ApiAuthenticationManager(ApiTokens tokens, WorkerCredentials workers, AuthenticationProvider jwt) {
        this.tokens = tokens;
        this.workers = workers;
        this.jwt = jwt;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String presented = switch (authentication) {
            case BearerTokenAuthenticationToken bearer -> bearer.getToken();
            case UsernamePasswordAuthenticationToken basic ->
                    basic.getCredentials() == null ? null : basic.getCredentials().toString();
            default -> throw new ProviderNotFoundException("Unsupported authentication");
        };
        if (workers.isWorkerToken(presented)) {
            return workers.investigationOf(presented)
                    .map(id -> UsernamePasswordAuthenticationToken.authenticated(
                            new WorkerCredentials.WorkerPrincipal(id), null,
                            List.of(new SimpleGrantedAuthority(WORKER_AUTHORITY))))
                    .orElseThrow(() -> new BadCredentialsException("The worker token is not valid"));
        }
        var principal = tokens.resolve(presented);
        if (principal.isPresent()) {
            List<SimpleGrantedAuthority> authorities = principal.get().roles().stream()
                    .map(role -> new SimpleGrantedAuthority(role.authority()))
                    .toList();
            return UsernamePasswordAuthenticationToken.authenticated(principal.get().name(), null, authorities);
        }
        if (jwt != null && authentication instanceof BearerTokenAuthenticationToken) {
            return jwt.authenticate(authentication);
        }
        throw new BadCredentialsException("The token is not valid");
    }
}
