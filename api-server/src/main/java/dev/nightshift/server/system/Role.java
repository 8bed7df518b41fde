package dev.nightshift.server.system;

import java.util.Locale;
import java.util.Optional;

/**
 * API roles. {@code ADMIN} includes {@code OPERATOR}, which includes {@code VIEWER}; {@code ADMIN}
 * also includes {@code INTAKE}, which alone can do nothing but deliver alerts.
 */
public enum Role {
    /** Reads investigations and their history. */
    VIEWER,
    /** Starts and cancels investigations. */
    OPERATOR,
    /** Everything, including actuator endpoints. */
    ADMIN,
    /** Delivers alerts (Alertmanager's webhook) and nothing else. */
    INTAKE;

    public String authority() {
        return "ROLE_" + name();
    }

    /** The role of a JWT claim value, ignoring case and an optional {@code ROLE_} prefix. */
    public static Optional<Role> fromClaim(String value) {
        String name = value.toUpperCase(Locale.ROOT);
        if (name.startsWith("ROLE_")) {
            name = name.substring("ROLE_".length());
        }
        for (Role role : values()) {
            if (role.name().equals(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
