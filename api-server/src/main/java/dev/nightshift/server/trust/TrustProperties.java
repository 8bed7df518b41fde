package dev.nightshift.server.trust;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Trust configuration of this environment.
 *
 * @param phase the phase new investigations are created in; default {@code SHADOW}
 */
@ConfigurationProperties("nightshift.trust")
public record TrustProperties(@DefaultValue("SHADOW") TrustPhase phase) {}
