package dev.nightshift.server;

import dev.nightshift.server.system.ApiTokens;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Static API tokens for a test context: each {@code {name, token, role}} configured by its hash, as in production. */
public final class TestTokens {

    private TestTokens() {}

    public static void register(DynamicPropertyRegistry registry, String[]... tokens) {
        for (int i = 0; i < tokens.length; i++) {
            String prefix = "nightshift.security.tokens[" + i + "].";
            String[] token = tokens[i];
            registry.add(prefix + "name", () -> token[0]);
            registry.add(prefix + "hash", () -> ApiTokens.hash(token[1]));
            registry.add(prefix + "roles", () -> token[2]);
        }
    }
}
