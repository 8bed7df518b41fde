package dev.nightshift.server.investigation;

import dev.nightshift.server.system.WireEnum;
import java.util.Locale;

/** What started an investigation. */
public enum Source implements WireEnum {
    /** An operator or tool called {@code POST /api/v1/investigations}. */
    API,
    /** An Alertmanager webhook. */
    ALERTMANAGER;

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
