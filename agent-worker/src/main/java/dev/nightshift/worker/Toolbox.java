package dev.nightshift.worker;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The tools of the sources this run can reach. At start each configured source is asked a cheap
 * question; one that does not answer is reported and skipped, never fatal. Each call runs under a
 * hard timeout (a source that hangs costs the timeout, not the run) and is a {@code TOOL_CALLED}
 * event.
 */
final class Toolbox implements AutoCloseable {

    private final Map<String, Tool> tools;
    private final List<String> available;
    private final List<String> unavailable;
    private final Duration timeout;
    private final EventPublisher events;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    private final Redactor redactor;

    private Toolbox(Map<String, Tool> tools, List<String> available, List<String> unavailable, Duration timeout,
            EventPublisher events, Redactor redactor) {
        this.tools = tools;
        this.redactor = redactor;
        this.available = available;
        this.unavailable = unavailable;
        this.timeout = timeout;
        this.events = events;
    }

    /** @param redactor applied to every tool answer before the reasoner (and so the LLM and the events) sees it */
    static Toolbox connect(Registration registration, EventPublisher events, Redactor redactor) {
        Map<String, Tool> tools = new LinkedHashMap<>();
        List<String> available = new ArrayList<>();
        List<String> unavailable = new ArrayList<>();
        Registration.Budgets budgets = registration.budgets();
        // Read at most 16 times what a result may keep: enough to summarise, never the heap.
        int readCeiling = (int) Math.min(Integer.MAX_VALUE - 8, 16L * budgets.toolResultBytes());
        for (Registration.Source source : registration.sources()) {
            HttpSource http = new HttpSource(source, budgets.toolTimeout(), readCeiling);
            try {
                HttpSource.Answer answer = http.get(Tools.probePath(source.kind()), Map.of());
                if (answer.status() >= 400) {
                    unavailable.add(source.kind() + ": HTTP " + answer.status());
                    continue;
                }
            } catch (IOException e) {
                unavailable.add(source.kind() + ": " + Tools.reason(e));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            available.add(source.kind());
            Tools.of(http, budgets.toolResultBytes()).forEach(tool -> tools.put(tool.name(), tool));
        }
        unavailable.forEach(reason -> WorkerLog.info("data source skipped: " + reason));
        return new Toolbox(tools, available, unavailable, budgets.toolTimeout(), events, redactor);
    }

    List<Tool> tools() {
        return List.copyOf(tools.values());
    }

    Optional<Tool> tool(String name) {
        return Optional.ofNullable(tools.get(name));
    }

    List<String> available() {
        return available;
    }

    List<String> unavailable() {
        return unavailable;
    }

    /** Calls a tool under the hard timeout and reports the call. */
    ToolResult call(Tool tool, Map<String, Object> arguments) {
        return Tracing.current().tool(tool.name(), () -> traced(tool, arguments), ToolResult::ok);
    }

    private ToolResult traced(Tool tool, Map<String, Object> arguments) {
        long start = System.nanoTime();
        Future<ToolResult> running = calls.submit(() -> tool.call(arguments));
        ToolResult result;
        try {
            // The HTTP timeout bounds the answer's start; this bounds everything, a dripping body included.
            result = running.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            running.cancel(true);
            result = ToolResult.failed(tool.name() + " did not answer within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            result = ToolResult.failed(tool.name() + " failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result = ToolResult.failed("interrupted");
        }
        result = new ToolResult(result.ok(), result.items(), redactor.redact(result.text()), result.bytes(),
                result.truncated(), redactor.redact(result.firstItem()));
        long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("tool", tool.name());
        payload.put("query", tool.describe(arguments));
        payload.put("latencyMs", latency);
        payload.put("ok", result.ok());
        payload.put("bytes", result.bytes());
        payload.put("truncated", result.truncated());
        payload.put("items", result.items());
        if (!result.ok()) {
            payload.put("error", result.text());
        }
        events.publish("TOOL_CALLED", payload);
        return result;
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
