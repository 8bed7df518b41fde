package dev.nightshift.server.investigation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class InvestigationPropertiesTest {

    @Test
    void shouldDefaultToSimpleAndMultiDomainTiersAndADayOfIdempotency() {
        var properties = new InvestigationProperties(null, Duration.ofHours(24));
        assertThat(properties.tierNames()).containsExactly("simple", "multi-domain");
        assertThat(properties.tierFor(1)).map(InvestigationProperties.Tier::name).hasValue("simple");
        assertThat(properties.tierFor(2)).map(InvestigationProperties.Tier::name).hasValue("multi-domain");
        assertThat(properties.tierFor(6)).map(InvestigationProperties.Tier::name).hasValue("multi-domain");
        assertThat(properties.tierNamed("simple")).hasValue(
                new InvestigationProperties.Tier("simple", 1, Duration.ofSeconds(900), 8, 0,
                        new InvestigationProperties.Resources("500m", "1Gi", "2", "4Gi")));
        assertThat(properties.tierNamed("multi-domain")).hasValue(
                new InvestigationProperties.Tier("multi-domain", 6, Duration.ofSeconds(900), 15, 0,
                        new InvestigationProperties.Resources("1", "2Gi", "4", "8Gi")));
    }

    @Test
    void shouldPickTheSmallestConfiguredTierThatHoldsTheDomains() {
        var properties = new InvestigationProperties(List.of(new InvestigationProperties.Tier("wide", 6, null, 0, 0, null),
                new InvestigationProperties.Tier("single", 1, null, 0, 0, null), new InvestigationProperties.Tier("pair", 2, null, 0, 0, null)), Duration.ZERO);
        assertThat(properties.tierFor(2)).map(InvestigationProperties.Tier::name).hasValue("pair");
        assertThat(properties.tierFor(3)).map(InvestigationProperties.Tier::name).hasValue("wide");
    }

    @Test
    void shouldRefuseBadTierNamesAndDuplicates() {
        assertThatIllegalStateException().isThrownBy(() -> new InvestigationProperties(
                List.of(new InvestigationProperties.Tier("Big_One", 2, null, 0, 0, null)), Duration.ZERO)).withMessageContaining("DNS-1123");
        assertThatIllegalStateException().isThrownBy(() -> new InvestigationProperties(List.of(
                new InvestigationProperties.Tier("a", 1, null, 0, 0, null), new InvestigationProperties.Tier("a", 2, null, 0, 0, null)), Duration.ZERO))
                .withMessageContaining("unique");
    }
}
