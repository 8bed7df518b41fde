package dev.nightshift.server.system;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.type.LogicalType;

/** Strict JSON binding: what the contract does not allow is rejected, not guessed or coerced. */
@Configuration(proxyBeanMethods = false)
class WebConfiguration {

    @Bean
    JsonMapperBuilderCustomizer strictJson() {
        return builder -> builder
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                // A number or boolean where the contract says string is an error, not "42".
                .withCoercionConfig(LogicalType.Textual, config -> config
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }

    /** Bodies of the API are small; 413 above the limit (256 KiB unless configured). */
    @Bean
    FilterRegistrationBean<BodySizeLimitFilter> apiBodySizeLimit(
            @Value("${nightshift.api.max-body-size:256KB}") DataSize limit, ProblemResponses problems) {
        var registration = new FilterRegistrationBean<>(new BodySizeLimitFilter("/api/", ALERTS, limit, problems));
        // After Spring Security (order -100): an anonymous caller learns nothing about size limits.
        registration.setOrder(0);
        return registration;
    }

    /** Alertmanager sends whole alert groups: up to 10 MiB, beyond which it gets 413 (and drops it). */
    @Bean
    FilterRegistrationBean<BodySizeLimitFilter> alertsBodySizeLimit(
            @Value("${nightshift.intake.max-body-size:10MB}") DataSize limit, ProblemResponses problems) {
        var registration = new FilterRegistrationBean<>(new BodySizeLimitFilter(ALERTS, null, limit, problems));
        registration.setOrder(0);
        return registration;
    }

    static final String ALERTS = "/api/v1/alerts/";
}
