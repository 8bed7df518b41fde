package dev.nightshift.server;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class NightshiftApplication {

    public static void main(String[] args) {
        SpringApplication.run(NightshiftApplication.class, args);
    }
}
