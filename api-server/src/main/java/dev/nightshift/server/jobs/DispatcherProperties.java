package dev.nightshift.server.jobs;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Admission of queued investigations.
 *
 * @param enabled whether this replica launches anything; {@code false} pauses admission (queued
 *     investigations wait); default {@code true}
 * @param maxConcurrent the most investigations launching or running at once, over all replicas;
 *     default 20 (the local runtime caps itself lower, at its own {@code max-concurrent})
 * @param interval how often queued investigations are looked for, besides right after each
 *     creation; default 2 s
 * @param launchGrace how long an investigation may stay {@code LAUNCHING} before a resync launches
 *     it again (its dispatcher may have died between claim and launch); default 60 s
 */
@ConfigurationProperties("nightshift.dispatcher")
public record DispatcherProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("20") int maxConcurrent,
        @DefaultValue("2s") Duration interval,
        @DefaultValue("60s") Duration launchGrace) {}
