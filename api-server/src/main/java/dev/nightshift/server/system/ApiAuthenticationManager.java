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
 * when an issuer is configured. The basic-auth user name is ignored: the token alone identifies.
 */
final class ApiAuthenticationManager implements AuthenticationManager {

    private final ApiTokens tokens;
    private final AuthenticationProvider jwt;

    /** @param jwt the JWT provider, or {@code null} when no issuer is configured */
    ApiAuthenticationManager(ApiTokens tokens, AuthenticationProvider jwt) {
        this.tokens = tokens;
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
