package dev.nightshift.server.worker;

import java.math.BigDecimal;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The LLM the workers reason with: any OpenAI-compatible chat-completions endpoint with tool
 * calling. Without a base URL the workers use the rule-based reasoner.
 *
 * @param baseUrl e.g. {@code https://api.openai.com/v1} or a vLLM/Ollama {@code /v1}; {@code NIGHTSHIFT_LLM_BASE_URL}
 * @param model {@code NIGHTSHIFT_LLM_MODEL}
 * @param apiKey {@code NIGHTSHIFT_LLM_API_KEY}; reaches workers only over their registration
 * @param tokenBudget input plus output tokens one investigation may spend; default 200,000
 * @param prices per model, USD per million tokens; a model without a price costs 0 and says so
 */
@ConfigurationProperties("nightshift.llm")
public record LlmProperties(String baseUrl, String model, String apiKey, @DefaultValue("200000") long tokenBudget,
        Map<String, Price> prices) {

    public LlmProperties {
        prices = prices == null ? Map.of() : Map.copyOf(prices);
    }

    /** USD per million input and output tokens. */
    public record Price(BigDecimal input, BigDecimal output) {}

    boolean configured() {
        return baseUrl != null && !baseUrl.isBlank();
    }

    @Override
    public String toString() {
        return "LlmProperties[baseUrl=" + baseUrl + ", model=" + model + ", apiKey=(redacted)]";
    }
}
