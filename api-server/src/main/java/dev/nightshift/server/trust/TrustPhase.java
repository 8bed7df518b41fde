package dev.nightshift.server.trust;

import dev.nightshift.server.system.WireEnum;
import java.util.Locale;

/**
 * The four phases of graduated trust. Each investigation records the phase it was created in.
 * The slug is the one name used for service accounts, labels, values files and Vault roles.
 */
public enum TrustPhase implements WireEnum {
    /** Runs on production data; output goes nowhere and is reviewed after the fact. */
    SHADOW,
    /** Presents hypotheses and evidence to the on-call engineer; no writes. */
    ASSIST,
    /** Low-risk actions after explicit operator approval. */
    LIMITED_REMEDIATION,
    /** Resolves routine incidents alone; escalates below a confidence threshold. */
    AUTONOMOUS;

    @Override
    public String wire() {
        return name();
    }

    /** {@code LIMITED_REMEDIATION} becomes {@code limited-remediation}. */
    public String slug() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
