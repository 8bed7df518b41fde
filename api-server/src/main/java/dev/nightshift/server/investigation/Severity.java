package dev.nightshift.server.investigation;

import dev.nightshift.server.system.WireEnum;
import java.util.Locale;

/** How urgent the problem is, as the caller or the alert says. */
public enum Severity implements WireEnum {
    CRITICAL, WARNING, INFO;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
