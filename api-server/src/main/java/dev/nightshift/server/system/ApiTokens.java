package dev.nightshift.server.system;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The static API tokens the server accepts, held only as SHA-256 hashes. A token in clear exists
 * here only transiently: the configured admin token is hashed at start, and a generated one is
 * printed once to the console (never through the logging system) and then forgotten.
 */
public final class ApiTokens {

    /** The principal of a static token. */
    public record Principal(String name, Set<Role> roles) {}

    static final String ADMIN_PRINCIPAL = "admin";
    private static final Pattern HASH = Pattern.compile("sha256:[0-9a-f]{64}");

    private final Map<String, Principal> byHash;

    private ApiTokens(Map<String, Principal> byHash) {
        this.byHash = Map.copyOf(byHash);
    }

    /**
     * Builds the registry. When nothing grants access at all (no admin token, no static token, no
     * JWT issuer) a random admin token is generated and written to {@code console}, so that a fresh
     * local server is usable and never open.
     */
    public static ApiTokens from(SecurityProperties properties, PrintStream console) {
        Map<String, Principal> byHash = new HashMap<>();
        for (SecurityProperties.Token token : properties.tokens()) {
            if (SecurityProperties.blank(token.name())) {
                throw new IllegalStateException("nightshift.security.tokens[].name must not be empty");
            }
            if (token.hash() == null || !HASH.matcher(token.hash()).matches()) {
                throw new IllegalStateException("nightshift.security.tokens[" + token.name()
                        + "].hash must be 'sha256:' followed by 64 lowercase hex digits");
            }
            if (token.roles() == null || token.roles().isEmpty()) {
                throw new IllegalStateException("nightshift.security.tokens[" + token.name() + "].roles must not be empty");
            }
            if (byHash.put(token.hash().substring("sha256:".length()),
                    new Principal(token.name(), EnumSet.copyOf(token.roles()))) != null) {
                throw new IllegalStateException("nightshift.security.tokens[" + token.name() + "] repeats another token's hash");
            }
        }
        String adminToken = properties.adminToken();
        if (SecurityProperties.blank(adminToken) && byHash.isEmpty() && !properties.jwt().enabled()) {
            adminToken = generate();
            console.println();
            console.println("Nightshift generated an admin API token for this run (shown once, not logged):");
            console.println("  " + adminToken);
            console.println("Set NIGHTSHIFT_ADMIN_TOKEN to choose your own.");
            console.println();
            console.flush();
        }
        if (!SecurityProperties.blank(adminToken)) {
            byHash.put(sha256Hex(adminToken), new Principal(ADMIN_PRINCIPAL, EnumSet.of(Role.ADMIN)));
        }
        return new ApiTokens(byHash);
    }

    /** The principal a presented token stands for, if any. */
    public Optional<Principal> resolve(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(byHash.get(sha256Hex(token)));
    }

    /** What to put in configuration for a token: {@code sha256:<hex>}. */
    public static String hash(String token) {
        return "sha256:" + sha256Hex(token);
    }

    /** SHA-256 of a token as lowercase hex: the only form in which tokens are kept. */
    public static String sha256Hex(String token) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String generate() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return "nsk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
