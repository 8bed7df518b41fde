package dev.nightshift.server.investigation;

import dev.nightshift.server.system.WireEnum;
import java.util.Locale;

/** The operational domains an investigation may look into. */
public enum Domain implements WireEnum {
    NETWORK, DATABASE, APPLICATION, SECURITY, KUBERNETES, STORAGE;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
