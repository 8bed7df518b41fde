package dev.nightshift.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.server.worker.WorkerTokens;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The incident UI in a real headless Chromium (Debian's chromium and chromium-driver, driven by
 * Selenium): the list shows a new investigation, its page grows the hypothesis tree live while the
 * real worker runs, an approval changes the action in the UI and the API, feedback is saved, and a
 * viewer gets no approve button. It takes screenshots of the main screens (for the README with
 * {@code -Dnightshift.screenshots=docs}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UiIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** target/screenshots; with {@code -Dnightshift.screenshots=docs} the README's own, docs/screenshots. */
    static final Path SCREENSHOTS = ("docs".equals(System.getProperty("nightshift.screenshots"))
            ? Path.of("..", "docs", "screenshots") : Path.of("target", "screenshots")).toAbsolutePath().normalize();
    static final String ADMIN = "ui-admin-token-0123";
    static final String OPERATOR = "ui-operator-token-0123";
    static final String VIEWER = "ui-viewer-token-0123";
    static final Duration WAIT = Duration.ofSeconds(60);

    static SlowPrometheus sources;
    static WebDriver browser;
    static UUID investigation;

    @BeforeAll
    static void start() throws IOException {
        DebianBinary.require(CHROMIUM, "chromium");
        DebianBinary.require(CHROMEDRIVER, "chromium-driver");
        // A Prometheus that answers its probe and then takes its time, so the run is watched while it thinks;
        // and a cache-clear webhook for the action to approve.
        sources = SlowPrometheus.start(Duration.ofSeconds(3), true).with("/cache", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--window-size=1400,1000", "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (sources != null) {
            sources.close();
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        var dataDir = Files.createTempDirectory("nightshift-ui-");
        registry.add("nightshift.data-dir", dataDir::toString);
        registry.add("nightshift.security.admin-token", () -> ADMIN);
        TestTokens.register(registry, new String[] {"vera-viewer", VIEWER, "VIEWER"},
                new String[] {"otto-operator", OPERATOR, "OPERATOR"});
        registry.add("nightshift.trust.phase", () -> "LIMITED_REMEDIATION");
        registry.add("nightshift.datasources.clusters.default.prometheus.url",
                sources::url);
        registry.add("nightshift.actions.cache-webhooks.storefront",
                () -> sources.url() + "/cache");
        registry.add("nightshift.worker.tool-timeout", () -> "10s");
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WorkerTokens workerTokens;

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, WAIT);
    }

    private void signIn(String token) {
        browser.get("http://127.0.0.1:" + port + "/");
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
        WebElement input = waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        input.sendKeys(token);
        browser.findElement(By.id("signin-submit")).click();
        waiting().until(ExpectedConditions.invisibilityOfElementLocated(By.id("signin")));
    }

    private void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private UUID proposeCacheClear(UUID id) {
        String token = workerTokens.mint(id);
        return UUID.fromString(new ApiClient(port).post("/api/v1/investigations/" + id + "/actions").bearer(token)
                .json(Map.of("kind", "cache-clear-webhook", "webhook", "storefront",
                        "rationale", "stale product prices in the storefront cache"))
                .send().json().path("id").asString());
    }

    @Test
    @Order(1)
    void shouldListANewInvestigationAndGrowItsHypothesesLiveWhileTheWorkerRuns() throws IOException {
        signIn(OPERATOR);
        investigation = UUID.fromString(new ApiClient(port).post("/api/v1/investigations").bearer(OPERATOR)
                .json(Map.of("title", "checkout is down", "problem", "Requests to checkout fail since 02:10.",
                        "domains", List.of("application"), "severity", "critical"))
                .send().json().path("id").asString());
        WebElement row = waiting().until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("tr[data-investigation='" + investigation + "']")));
        assertThat(row.getText()).contains("checkout is down");
        screenshot("investigations");

        row.findElement(By.tagName("a")).click();
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.id("hypotheses")));
        // The hypotheses arrive over the live stream while the run is still going: no reload.
        waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#hypotheses li[data-hypothesis]")));
        assertThat(browser.findElement(By.cssSelector("h1 [data-status]")).getText()).isIn("RUNNING", "LAUNCHING");
        assertThat(browser.findElement(By.id("live")).getText()).isEqualTo("Live");
        screenshot("investigation");
    }

    @Test
    @Order(2)
    void shouldApproveAPendingActionInTheUiAndTheApi() throws IOException {
        UUID action = proposeCacheClear(investigation);
        browser.get("http://127.0.0.1:" + port + "/#/approvals");
        WebElement row = waiting().until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("tr[data-action='" + action + "']")));
        assertThat(row.getText()).contains("cache-clear-webhook", "PENDING_APPROVAL");
        screenshot("approvals");
        row.findElement(By.cssSelector("input[data-reason]")).sendKeys("prices are stale since the 02:00 import");
        row.findElement(By.cssSelector("button[data-approve]")).click();
        waiting().until(ExpectedConditions.textToBe(By.cssSelector("[data-action-status='" + action + "']"), "EXECUTED"));
        assertThat(new ApiClient(port).get("/api/v1/actions/" + action).bearer(VIEWER).send().json()
                .path("status").asString()).isEqualTo("EXECUTED");
        assertThat(new ApiClient(port).get("/api/v1/actions/" + action).bearer(VIEWER).send().json()
                .path("decidedBy").asString()).isEqualTo("otto-operator");
    }

    @Test
    @Order(3)
    void shouldSaveFeedbackOnTheEndedInvestigation() throws IOException {
        browser.get("http://127.0.0.1:" + port + "/#/investigations/" + investigation);
        WebElement verdict = new WebDriverWait(browser, Duration.ofSeconds(120))
                .until(ExpectedConditions.visibilityOfElementLocated(By.id("verdict")));
        new org.openqa.selenium.support.ui.Select(verdict).selectByValue("MODIFIED");
        browser.findElement(By.id("fb-cat")).sendKeys("availability/target-down");
        browser.findElement(By.id("fb-comment")).sendKeys("the upstream was down, not checkout");
        browser.findElement(By.id("feedback-submit")).click();
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.id("feedback-saved"), "Saved: MODIFIED"));
        assertThat(jdbc.sql("SELECT verdict FROM investigation_feedback WHERE investigation_id = ?").param(investigation)
                .query(String.class).list()).containsExactly("MODIFIED");
        screenshot("investigation-ended");
        browser.get("http://127.0.0.1:" + port + "/#/trust");
        waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("h1"), "Trust"));
        screenshot("trust");
    }

    @Test
    @Order(4)
    void shouldShowAViewerNoApproveButton() {
        UUID other = UUID.fromString(new ApiClient(port).post("/api/v1/investigations").bearer(OPERATOR)
                .json(Map.of("title", "payments slow", "problem", "p99 of payments rose", "domains",
                        List.of("application"), "severity", "warning"))
                .send().json().path("id").asString());
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> new ApiClient(port).get("/api/v1/investigations/"
                + other).bearer(OPERATOR).send().json().path("status").asString().equals("RUNNING"));
        UUID action = proposeCacheClear(other);
        signIn(VIEWER);
        browser.get("http://127.0.0.1:" + port + "/#/approvals");
        WebElement row = waiting().until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("tr[data-action='" + action + "']")));
        assertThat(row.findElements(By.cssSelector("button[data-approve]"))).isEmpty();
        assertThat(row.getText()).contains("operators decide");
        assertThat(browser.findElement(By.id("whoami")).getText()).contains("vera-viewer");
    }
}
