package dev.nightshift.server.system;

import java.util.Arrays;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;
import org.springframework.core.convert.converter.ConverterFactory;
import org.springframework.format.FormatterRegistry;
import org.springframework.util.unit.DataSize;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.EnumFeature;

/** Strict JSON and query-parameter binding: what the contract does not allow is rejected, not guessed. */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

    @Bean
    JsonMapperBuilderCustomizer strictJson() {
        return builder -> builder
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
    }

    /** Bodies of the API are small; 413 above the limit (256 KiB unless configured). */
    @Bean
    FilterRegistrationBean<BodySizeLimitFilter> apiBodySizeLimit(
            @Value("${nightshift.api.max-body-size:256KB}") DataSize limit, ProblemResponses problems) {
        var registration = new FilterRegistrationBean<>(new BodySizeLimitFilter("/api/", limit, problems));
        // After Spring Security (order -100): an anonymous caller learns nothing about size limits.
        registration.setOrder(0);
        return registration;
    }

    @Override
    public void addFormatters(FormatterRegistry registry) {
        registry.addConverterFactory(new WireEnumConverterFactory());
    }

    /** Binds {@code ?severity=critical} to {@code Severity.CRITICAL}; anything else fails binding (400). */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final class WireEnumConverterFactory implements ConverterFactory<String, Enum> {

        @Override
        public <T extends Enum> Converter<String, T> getConverter(Class<T> targetType) {
            if (!WireEnum.class.isAssignableFrom(targetType)) {
                return source -> (T) Enum.valueOf(targetType, source);
            }
            return source -> Arrays.stream(targetType.getEnumConstants())
                    .filter(c -> ((WireEnum) c).wire().equals(source))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown value"));
        }
    }
}
