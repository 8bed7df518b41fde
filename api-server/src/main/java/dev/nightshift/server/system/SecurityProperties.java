package dev.nightshift.server.system;

import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Who may call the API.
 *
 * @param adminToken an admin token in clear, for local use ({@code NIGHTSHIFT_ADMIN_TOKEN}); when
 *     empty and no other token or JWT issuer is configured, one is generated at start and printed once
 * @param tokens static API tokens, each stored only as a {@code sha256:<hex>} hash; none by default
 * @param jwt OAuth2 JWT resource server settings; disabled unless an issuer or JWK set URI is set
 */
@ConfigurationProperties("nightshift.security")
public record SecurityProperties(String adminToken, List<Token> tokens, Jwt jwt) {

    public SecurityProperties {
        tokens = tokens == null ? List.of() : List.copyOf(tokens);
        jwt = jwt == null ? new Jwt(null, null, null, null) : jwt;
    }

    /**
     * A static API token.
     *
     * @param name the principal name recorded as actor; required
     * @param hash {@code sha256:} and the lowercase hex SHA-256 of the token; required
     * @param roles the roles it grants, e.g. {@code OPERATOR}; required
     */
    public record Token(String name, String hash, Set<Role> roles) {}

    /**
     * @param issuerUri the issuer; its discovery document supplies the JWK set when no
     *     {@code jwkSetUri} is given, and tokens must carry it as {@code iss}
     * @param jwkSetUri where to fetch signing keys directly
     * @param rolesClaim the claim holding role names, dotted for nested claims; default {@code roles}
     * @param principalClaim the claim naming the principal; default {@code sub}
     */
    public record Jwt(String issuerUri, String jwkSetUri, String rolesClaim, String principalClaim) {

        public Jwt {
            rolesClaim = blank(rolesClaim) ? "roles" : rolesClaim;
            principalClaim = blank(principalClaim) ? "sub" : principalClaim;
        }

        public boolean enabled() {
            return !blank(issuerUri) || !blank(jwkSetUri);
        }
    }

    static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
