package dev.nightshift.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private static Registration.Budgets budgets(int cycles, long tokens, Instant deadline) {
        return new Registration.Budgets(cycles, "tier simple: " + cycles + " cycles", tokens, deadline,
                Duration.ofSeconds(15), 65_536);
    }

    @Test
    void shouldTripAfterTheCycleLimitAndSayWhy() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(budgets(3, 0, Instant.now().plusSeconds(600)));
        for (int i = 0; i < 3; i++) {
            breaker.startCycle();
        }
        assertThat(breaker.cycles()).isEqualTo(3);
        assertThatThrownBy(breaker::startCycle).isInstanceOf(CircuitBreaker.Tripped.class)
                .hasMessage("circuit breaker: 3 reasoning cycles without a conclusion (tier simple: 3 cycles)");
    }

    @Test
    void shouldTripWhenTheTokensAreSpentOrTheDeadlineIsNear() throws Exception {
        CircuitBreaker tokens = new CircuitBreaker(budgets(8, 1000, Instant.now().plusSeconds(600)));
        tokens.startCycle();
        tokens.spend(900, 100);
        assertThatThrownBy(tokens::startCycle).hasMessageContaining("token budget of 1000 is spent");

        CircuitBreaker late = new CircuitBreaker(budgets(8, 0, Instant.now().minusSeconds(1)));
        assertThatThrownBy(late::startCycle).hasMessageContaining("deadline");
    }

    @Test
    void shouldPriceLlmCallsPerMillionTokens() {
        var llm = new Registration.Llm("http://llm/v1", "m", null, new BigDecimal("2.50"), new BigDecimal("10"));
        assertThat(llm.cost(1_000_000, 100_000)).isEqualByComparingTo("3.50");
        assertThat(new Registration.Llm("http://llm/v1", "m", null, null, null).cost(1000, 1000)).isZero();
    }
}
