package dev.nightshift.server.trust;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TrustPhaseTest {

    @Test
    void shouldMapEveryPhaseToOneSlug() {
        assertThat(Arrays.stream(TrustPhase.values()).map(TrustPhase::slug))
                .containsExactly("shadow", "assist", "limited-remediation", "autonomous");
    }
}
