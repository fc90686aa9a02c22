package dev.streamtrain.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.streamtrain.core.config.JobConfig;
import dev.streamtrain.core.events.Addresses;
import dev.streamtrain.core.events.Alert;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real browser (Debian's chromium, headless, driven by Selenium through Debian's chromedriver;
 * nothing is downloaded) during an endless run on the embedded broker: the charts receive live points, an alert
 * appears on the timeline and in the alert list, and the page's controls reach the trainer and come back
 * acknowledged. The screenshot is kept as {@code app/target/dashboard.png}.
 */
class DashboardBrowserTest {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    @Test
    void thePageGoesLiveShowsAlertsAndItsControlsReachTheTrainer() throws Exception {
        assertTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "the browser test needs Debian's chromium and chromium-driver (apt-get install chromium"
                        + " chromium-driver; .ci/run does)");
        JobConfig cfg = AppTestBroker.job("dashboard", """
                ingest: {stop-at-end: false}
                training: {eval-every: 20}
                serving: {port: 0, token: t0ken}
                """);
        LabeledRows[] split = CsvRows.digits().split(0.8, 5);
        RunJobTest.seed(cfg, split, 1);
        var paced = new EndlessStream(cfg.ingest().trainTopic(), split[0], 1000); // a pass of the rows a second
        WebDriver browser = null;
        try (Pipeline pipeline = Pipeline.start(cfg, KafkaCluster.forJob(cfg), new ConsoleProgress(System.out, false),
                0)) {
            browser = chromium();
            browser.get(pipeline.dashboardUrl());
            try {
                checkPage(browser, pipeline, cfg);
            } finally { // the screenshot is the artifact to look at, pass or fail (while the run still serves)
                Files.write(Path.of("target", "dashboard.png"), ((TakesScreenshot) browser)
                        .getScreenshotAs(OutputType.BYTES));
            }
        } finally {
            if (browser != null) {
                browser.quit();
            }
            paced.close();
        }
    }

    private static void checkPage(WebDriver page, Pipeline pipeline, JobConfig cfg) throws Exception {
        {
            await().atMost(Duration.ofSeconds(60)).until(() -> text(page, "connection").equals("live")
                    && points(page, "chart-loss") > 0);
            int first = points(page, "chart-loss");
            await().atMost(Duration.ofSeconds(60)).until(() -> points(page, "chart-loss") > first + 3
                    && points(page, "chart-lr") > first + 3 && points(page, "chart-throughput") > first + 3
                    && points(page, "chart-queue") > 0 && points(page, "chart-lag") > 0
                    && points(page, "chart-accuracy") > 0);
            assertTrue(text(page, "summary").contains("MLP 64-128-10"), text(page, "summary"));
            assertTrue(text(page, "model").contains("v0"), "the served version: " + text(page, "model"));

            long update = ((Number) ((org.openqa.selenium.JavascriptExecutor) page)
                    .executeScript("return window.streamtrain.summary.update")).longValue(); // on the chart's x axis
            pipeline.vertx().eventBus().publish(Addresses.ALERTS, new Alert(cfg.job(), "injected_by_test", "warning",
                    "an alert injected by the browser test; nothing to do", Math.max(1, update),
                    Double.NaN, System.currentTimeMillis()));
            await().atMost(Duration.ofSeconds(30)).until(() -> !page.findElements(
                    By.cssSelector("#alerts li[data-kind='injected_by_test']")).isEmpty()
                    && markers(page, "chart-loss").contains("alert:injected_by_test"));
            assertTrue(text(page, "alerts").contains("nothing to do"), text(page, "alerts"));

            control(page, "pause", "wrong-token");
            assertTrue(text(page, "control-result").startsWith("pause not done: the token is not the one"),
                    text(page, "control-result"));
            control(page, "pause", "t0ken");
            assertTrue(text(page, "control-result").startsWith("pause accepted at update"),
                    text(page, "control-result"));
            control(page, "resume", "t0ken");
            assertTrue(text(page, "control-result").startsWith("resume accepted at update"),
                    text(page, "control-result"));

            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    pipeline.dashboardUrl().replaceAll("/$", "") + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String expected : new String[] {"streamtrain_updates_total{job=\"dashboard\"}",
                "vertx_http_server_response_time_seconds_bucket{", "route=\"/v1/trainer/:action\"",
                "streamtrain_ingest_lag_records{job=\"dashboard\",partition=\"dashboard.train-0\"}"}) {
                assertTrue(metrics.contains(expected), "missing " + expected + " in /metrics");
            }
            var writes = java.util.regex.Pattern.compile(
                    "(?m)^streamtrain_checkpoint_write_seconds_count\\{job=\"dashboard\"} (\\S+)$").matcher(metrics);
            assertTrue(writes.find() && Double.parseDouble(writes.group(1)) > 0, "checkpoint writes are timed");
        }
    }

    private static WebDriver chromium() {
        var options = new ChromeOptions().setBinary(CHROMIUM)
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,2000");
        var service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /** Types the token, clicks the action's button and waits for the answer. */
    private static void control(WebDriver page, String action, String token) {
        WebElement field = page.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        String before = text(page, "control-result");
        page.findElement(By.cssSelector("button[data-action='" + action + "']")).click();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            String now = text(page, "control-result");
            return !now.equals(before) && !now.endsWith("…");
        });
    }

    private static String text(WebDriver page, String id) {
        return page.findElement(By.id(id)).getText();
    }

    private static int points(WebDriver page, String chart) {
        String n = page.findElement(By.id(chart)).getAttribute("data-points");
        return n == null ? 0 : Integer.parseInt(n);
    }

    private static String markers(WebDriver page, String chart) {
        String kinds = page.findElement(By.id(chart)).getAttribute("data-markers");
        return kinds == null ? "" : kinds;
    }
}
