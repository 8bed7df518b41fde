package dev.nightshift.server.cost;

import java.math.BigDecimal;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Prices of what an investigation consumes besides LLM tokens (those are in {@code nightshift.llm.prices}).
 *
 * @param computePerHour USD per hour of one run (its pod or process); default 0.10
 */
@ConfigurationProperties("nightshift.cost")
public record CostProperties(@DefaultValue("0.10") BigDecimal computePerHour) {}
