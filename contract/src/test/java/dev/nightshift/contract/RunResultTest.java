package dev.nightshift.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RunResultTest {

    @Test
    void shouldRoundTripOutcomeAndReason() {
        RunResult result = new RunResult(RunResult.Outcome.ESCALATED, "reasoning not available");
        assertThat(result.format()).isEqualTo("ESCALATED reasoning not available");
        assertThat(RunResult.parse(result.format())).hasValue(result);
        assertThat(RunResult.parse("CONCLUDED")).hasValue(new RunResult(RunResult.Outcome.CONCLUDED, ""));
    }

    @Test
    void shouldKeepOneLine() {
        assertThat(new RunResult(RunResult.Outcome.FAILED, "a\nb\r\nc").reason()).isEqualTo("a b c");
        assertThat(RunResult.parse("FAILED boom\nException in thread main")).hasValue(
                new RunResult(RunResult.Outcome.FAILED, "boom"));
    }

    @Test
    void shouldFindNothingInOtherText() {
        assertThat(RunResult.parse(null)).isEmpty();
        assertThat(RunResult.parse("")).isEmpty();
        assertThat(RunResult.parse("java.lang.OutOfMemoryError: Java heap space")).isEmpty();
    }

    @Test
    void shouldFitTheTerminationMessageLimitWithoutSplittingCharacters() {
        String formatted = new RunResult(RunResult.Outcome.FAILED, "é".repeat(5000)).format();
        assertThat(formatted.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(RunResult.MAX_BYTES);
        assertThat(formatted).doesNotContain("\uFFFD").startsWith("FAILED éé");
    }
}
