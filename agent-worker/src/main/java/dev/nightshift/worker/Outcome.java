package dev.nightshift.worker;

/**
 * How the reasoning ended.
 *
 * @param concluded a diagnosis ({@code CONCLUDED}); otherwise a hand-over to a human ({@code ESCALATED})
 * @param summary the root cause, or the reason for escalating
 */
record Outcome(boolean concluded, String summary, String rootCauseCategory, String remediationClass, double confidence,
        String suggestedRemediation) {

    static Outcome escalate(String reason) {
        return new Outcome(false, reason, null, null, 0, null);
    }
}
