package dev.nightshift.worker;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets, and the configured kinds of personal data, from text before it reaches the LLM,
 * an event or a log line: bearer and basic credentials, JWTs, cloud and SaaS keys, private keys,
 * passwords in URLs, connection strings and key-value pairs, and every secret value the worker
 * itself holds (from Vault or its registration). What is kept (a key's name, a URL's user) tells the
 * reader where a secret was without showing it.
 */
final class Redactor {

    static final String MASK = "[REDACTED]";
    /** Shorter known values are not replaced everywhere: they would blank ordinary words and numbers. */
    static final int MIN_SECRET_LENGTH = 6;

    /** A pattern and what of its match to keep: group 1 before the mask, group 2 (if any) after it. */
    private record Rule(Pattern pattern, boolean keepsGroups) {}

    private static final List<Rule> SECRETS = List.of(
            whole("-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\\s\\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)"),
            whole("\\beyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}"),
            keep("(?i)(\\bbearer\\s+)[A-Za-z0-9._~+/=-]{8,}"),
            keep("(?i)(\\bbasic\\s+)[A-Za-z0-9+/]{8,}={0,2}"),
            whole("\\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\\b"),
            whole("\\bAIza[0-9A-Za-z_-]{35}\\b"),
            whole("\\bgh[pousr]_[A-Za-z0-9]{30,}\\b"),
            whole("\\bgithub_pat_[A-Za-z0-9_]{30,}\\b"),
            whole("\\bxox[abprs]-[A-Za-z0-9-]{10,}"),
            whole("\\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"),
            whole("\\bhv[sbr]\\.[A-Za-z0-9_-]{20,}"),
            whole("\\bnsw_[A-Za-z0-9_-]{16,}"),
            whole("\\bglpat-[A-Za-z0-9_-]{20,}"),
            keep("(?i)(AccountKey=)[^;\\s\"']+"),
            keep("(?i)(SharedAccessSignature=|sig=)[^;&\\s\"']{16,}"),
            // user:password@host in any URL or DSN
            keep("([a-zA-Z][a-zA-Z0-9+.-]*://[^/\\s:@\"']+:)[^@\\s/\"']+(@)"),
            // "password": "...", "api_key": "..." in JSON
            keep("(?i)(\"(?:password|passwd|pwd|secret|client_secret|token|access_token|refresh_token|api_?key|"
                    + "apiKey|private_key|secret_access_key|aws_secret_access_key)\"\\s*:\\s*\")[^\"]+(\")"),
            // password=..., api_key: ..., PGPASSWORD=... in connection strings, env dumps and flags
            keep("(?i)(\\b[a-z_]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)"
                    + "\\s*[=:]\\s*[\"']?)(?!\\[REDACTED\\])[^\\s;,&\"'}]{3,}"));

    private static final Rule EMAIL = whole("\\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}\\b");
    private static final Rule IPV4 = whole(
            "\\b(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\b");
    private static final Rule IPV6 = whole("(?i)\\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\\b|(?i)\\b(?:[0-9a-f]{1,4}:){1,7}:"
            + "(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?\\b");

    private final List<Rule> rules;
    /** Known secret values, longest first (a value containing another is replaced whole). */
    private volatile List<String> values = List.of();

    Redactor(boolean emails, boolean ipAddresses, List<String> patterns) {
        List<Rule> all = new ArrayList<>(SECRETS);
        if (emails) {
            all.add(EMAIL);
        }
        if (ipAddresses) {
            all.add(IPV4);
            all.add(IPV6);
        }
        patterns.forEach(p -> all.add(whole(p)));
        this.rules = List.copyOf(all);
    }

    /** The default: secrets and e-mail addresses. */
    static Redactor standard() {
        return new Redactor(true, false, List.of());
    }

    /** Known secret values, redacted wherever they appear (from now on). */
    synchronized Redactor addSecrets(Collection<String> secrets) {
        java.util.Set<String> all = new java.util.HashSet<>(values);
        secrets.stream().filter(s -> s != null && s.strip().length() >= MIN_SECRET_LENGTH).map(String::strip)
                .forEach(all::add);
        List<String> longestFirst = new ArrayList<>(all);
        longestFirst.sort(Comparator.comparingInt(String::length).reversed());
        values = List.copyOf(longestFirst);
        return this;
    }

    String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = text;
        for (String value : values) {
            result = result.replace(value, MASK);
        }
        for (Rule rule : rules) {
            Matcher matcher = rule.pattern().matcher(result);
            if (!matcher.find()) {
                continue;
            }
            StringBuilder out = new StringBuilder();
            do {
                String replacement = MASK;
                if (rule.keepsGroups()) {
                    replacement = group(matcher, 1) + MASK + group(matcher, 2);
                }
                matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
            } while (matcher.find());
            matcher.appendTail(out);
            result = out.toString();
        }
        return result;
    }

    /** Strings anywhere in maps and lists (an event's payload), redacted; other values as they are. */
    Object redactDeep(Object value) {
        if (value instanceof String text) {
            return redact(text);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), redactDeep(v)));
            return copy;
        }
        if (value instanceof Collection<?> list) {
            return list.stream().map(this::redactDeep).toList();
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> redactPayload(Map<String, ?> payload) {
        return (Map<String, Object>) redactDeep(payload);
    }

    private static String group(Matcher matcher, int group) {
        return matcher.groupCount() >= group && matcher.group(group) != null ? matcher.group(group) : "";
    }

    private static Rule whole(String regex) {
        return new Rule(Pattern.compile(regex), false);
    }

    private static Rule keep(String regex) {
        return new Rule(Pattern.compile(regex), true);
    }
}
