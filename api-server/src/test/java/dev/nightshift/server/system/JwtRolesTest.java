package dev.nightshift.server.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;

class JwtRolesTest {

    private static Jwt jwt(Map<String, Object> claims) {
        return Jwt.withTokenValue("t").header("alg", "RS256").subject("sub-1").issuedAt(Instant.now())
                .claims(c -> c.putAll(claims)).build();
    }

    private static List<String> authorities(String claim, Map<String, Object> claims) {
        return new JwtRoles(new SecurityProperties.Jwt("https://idp", null, claim, null)).convert(jwt(claims))
                .getAuthorities().stream().map(GrantedAuthority::getAuthority).toList();
    }

    @Test
    void shouldReadRolesFromAListClaimIgnoringCaseAndPrefixAndUnknownNames() {
        assertThat(authorities("roles", Map.of("roles", List.of("viewer", "ROLE_OPERATOR", "billing"))))
                .containsExactly("ROLE_VIEWER", "ROLE_OPERATOR");
    }

    @Test
    void shouldReadNestedAndSpaceSeparatedClaims() {
        assertThat(authorities("realm_access.roles", Map.of("realm_access", Map.of("roles", List.of("admin")))))
                .containsExactly("ROLE_ADMIN");
        assertThat(authorities("scope", Map.of("scope", "viewer operator"))).containsExactly("ROLE_VIEWER", "ROLE_OPERATOR");
        assertThat(authorities("realm_access.roles", Map.of("realm_access", "admin"))).isEmpty();
    }

    @Test
    void shouldNameThePrincipalFromTheConfiguredClaim() {
        var converter = new JwtRoles(new SecurityProperties.Jwt("https://idp", null, "roles", "email"));
        assertThat(converter.convert(jwt(Map.of("email", "a@b.c"))).getName()).isEqualTo("a@b.c");
        assertThat(converter.convert(jwt(Map.of())).getName()).isEqualTo("sub-1");
    }
}
