package dev.nightshift.server.worker;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What workers redact besides secrets (which they always redact) before anything reaches the LLM,
 * an event or a log line; handed over at registration.
 *
 * @param emails redact e-mail addresses; default true
 * @param ipAddresses redact IPv4 and IPv6 addresses; default false (they are often the evidence)
 * @param patterns further regular expressions whose matches are redacted
 */
@ConfigurationProperties("nightshift.redaction")
public record RedactionProperties(@DefaultValue("true") boolean emails, @DefaultValue("false") boolean ipAddresses,
        List<String> patterns) {

    public RedactionProperties {
        patterns = patterns == null ? List.of() : List.copyOf(patterns);
        for (String pattern : patterns) {
            java.util.regex.Pattern.compile(pattern); // a bad pattern fails the start, not a worker
        }
    }
}
