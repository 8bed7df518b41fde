package dev.nightshift.worker;

/**
 * What a tool call brought back, within the worker's size budget.
 *
 * @param ok whether the source answered
 * @param items how many things it found (series, alerts, pods, log lines); 0 means nothing matched
 * @param text the result as the reasoner sees it, at most the budget; a summary or a truncated copy
 * @param bytes how many bytes the source sent (or at least, when it sent more than the worker reads)
 * @param truncated whether {@code text} leaves something out
 * @param firstItem a short description of the first thing found, to name it in a refined hypothesis
 */
record ToolResult(boolean ok, int items, String text, long bytes, boolean truncated, String firstItem) {

    static ToolResult failed(String reason) {
        return new ToolResult(false, 0, reason, 0, false, null);
    }
}
