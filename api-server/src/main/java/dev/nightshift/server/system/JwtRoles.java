package dev.nightshift.server.system;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Maps a JWT to a principal: roles from a configurable, possibly nested claim (for example
 * {@code realm_access.roles}), holding a list or a space-separated string; unknown role names are
 * ignored.
 */
final class JwtRoles implements Converter<Jwt, AbstractAuthenticationToken> {

    private final String rolesClaim;
    private final String principalClaim;

    JwtRoles(SecurityProperties.Jwt properties) {
        this.rolesClaim = properties.rolesClaim();
        this.principalClaim = properties.principalClaim();
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        List<SimpleGrantedAuthority> authorities = roleNames(jwt.getClaims()).stream()
                .map(Role::fromClaim)
                .flatMap(Optional::stream)
                .distinct()
                .map(role -> new SimpleGrantedAuthority(role.authority()))
                .toList();
        String name = jwt.getClaimAsString(principalClaim);
        return new JwtAuthenticationToken(jwt, authorities, name != null ? name : jwt.getSubject());
    }

    private List<String> roleNames(Map<String, Object> claims) {
        Object value = claims;
        for (String part : rolesClaim.split("\\.")) {
            if (!(value instanceof Map<?, ?> map)) {
                return List.of();
            }
            value = map.get(part);
        }
        if (value instanceof Collection<?> values) {
            return values.stream().map(String::valueOf).toList();
        }
        if (value instanceof String text) {
            return List.of(text.trim().split("\\s+"));
        }
        return List.of();
    }
}
