package io.connwatch.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connwatch.agent.apps.AppJvms;
import io.connwatch.agent.apps.HangingBackend;
import io.connwatch.agent.apps.HexDumpStyleProxy;
import io.connwatch.agent.apps.KeepAliveLoad;
import io.connwatch.demo.TestBackend;
import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.ChildJvms;
import io.connwatch.testing.Sockets;
import io.connwatch.testing.TestTimes;
import io.connwatch.testing.Tools;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet view, end to end: {@code java -jar connwatch.jar proxy --metrics-port} in front of a hanging backend,
 * its page checked by Prometheus' own {@code promtool}, and scraped by a real Prometheus server whose query API then
 * answers what an operator's dashboard asks. The agent's {@code metricsPort} serves the same page. Prometheus and
 * promtool come from Debian's {@code prometheus} package, which {@code .ci/run} installs; without them the tests
 * that need them are skipped, saying so.
 */
class FleetMetricsIT {
    private static final Duration WAIT = TestTimes.atMost(60_000);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildJvms jvms = new ChildJvms();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private Process prometheus;

    @AfterEach
    void tearDown() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T use(T resource) {
        resources.add(resource);
        return resource;
    }

    /** A program of Debian's {@code prometheus} package on the PATH; the test is skipped when there is none. */
    private static Path tool(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        Assumptions.abort("no " + name + " on the PATH: install Debian's 'prometheus' package (.ci/run does)");
        return null;
    }

    /** The proxy in front of a backend that reads and never answers; its metrics URL. */
    private URI startProxy(String name, InetSocketAddress[] listening) throws IOException {
        TestBackend backend = use(new TestBackend(TestBackend.Behaviour.HANG));
        int metricsPort = Sockets.freePort();
        ChildJvm proxy = jvms.start(ChildJvm.jar().args("proxy", "--listen", "127.0.0.1:0", "--target",
                "127.0.0.1:" + backend.address().getPort(), "--name", name, "--interval", "500ms",
                "--stuck-after", "1s", "--dump-dir", tmp.resolve("dumps"), "--metrics-port", metricsPort)
                .errorsInOutput());
        Matcher listen = java.util.regex.Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+),.*")
                .matcher(proxy.awaitLine("listening on .*"));
        assertTrue(listen.matches());
        listening[0] = new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(listen.group(1)));
        String line = proxy.awaitLine("metrics: .*");
        assertEquals("metrics: http://127.0.0.1:" + metricsPort + "/metrics", line, "loopback unless told otherwise");
        return URI.create(line.substring("metrics: ".length()));
    }

    /** A client whose request the backend never answers: stuck after 1 s, then cleaned by the proxy's sweep. */
    private void stuckClient(InetSocketAddress proxy) throws IOException {
        Socket s = use(new Socket());
        s.connect(proxy, (int) Sockets.CONNECT_TIMEOUT.toMillis());
        Sockets.send(s, Sockets.REQUEST);
    }

    private String get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), uri + ": " + r.body());
        return r.body();
    }

    @Test
    void promtoolFindsNoProblemInTheProxysPage() throws Exception {
        Path promtool = tool("promtool");
        InetSocketAddress[] proxy = new InetSocketAddress[1];
        URI metrics = startProxy("it-promtool", proxy);
        stuckClient(proxy[0]);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() ->
                get(metrics).contains("connwatch_connections_flagged{monitor=\"it-promtool\",pattern=\"stuck\"} 1"));

        Path page = Files.writeString(tmp.resolve("page.txt"), get(metrics));
        Tools.Result check = Tools.run(TestTimes.atMost(60_000), "sh", "-c", "exec \"$0\" check metrics < \"$1\"",
                promtool.toString(), page.toString());
        assertTrue(check.ok(), check.command() + " exited " + check.exitCode() + ":\n" + check.output());
        assertEquals("", check.output().strip(), "promtool's findings");
    }

    @Test
    void aRealPrometheusSeesTheStuckConnectionsAndTheCleanupsByReason() throws Exception {
        Path server = tool("prometheus");
        InetSocketAddress[] proxy = new InetSocketAddress[1];
        URI metrics = startProxy("it-fleet", proxy);
        int webPort = Sockets.freePort();
        Path config = Files.writeString(tmp.resolve("prometheus.yml"), String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "scrape_configs:",
                "  - job_name: connwatch",
                "    static_configs:",
                "      - targets: ['127.0.0.1:" + metrics.getPort() + "']",
                ""));
        prometheus = new ProcessBuilder(server.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + tmp.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + webPort)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
        URI api = URI.create("http://127.0.0.1:" + webPort + "/");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() ->
                http.send(HttpRequest.newBuilder(api.resolve("-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200);

        // A new stuck client every poll: each shows as stuck from 1 s of age until the next sweep cleans it.
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
            stuckClient(proxy[0]);
            return max(api, "connwatch_connections_flagged{monitor=\"it-fleet\",pattern=\"stuck\"}") > 0;
        });
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() ->
                max(api, "sum by (reason) (connwatch_connections_cleaned_total{monitor=\"it-fleet\","
                        + "reason=\"stuck_no_response\"})") > 0);
        assertEquals(1, max(api, "up{job=\"connwatch\"}"), log());
        assertTrue(max(api, "jvm_memory_used_bytes{area=\"heap\"}") > 0, "the JVM's meters beside connwatch's");
    }

    /** The largest value of an instant query, or -1 when it has no result. */
    private double max(URI api, String query) throws IOException, InterruptedException {
        JsonNode answer = JSON.readTree(get(api.resolve("api/v1/query?query="
                + URLEncoder.encode(query, StandardCharsets.UTF_8))));
        assertEquals("success", answer.path("status").asText(), answer.toString());
        double max = -1;
        for (JsonNode series : answer.path("data").path("result")) {
            max = Math.max(max, Double.parseDouble(series.path("value").path(1).asText()));
        }
        return max;
    }

    private String log() throws IOException {
        return "prometheus said:\n" + Files.readString(tmp.resolve("prometheus.log"));
    }

    @Test
    void theAgentsMetricsPortServesBothOfItsMonitors() throws Exception {
        ChildJvm backend = jvms.start(AppJvms.app(HangingBackend.class, "hang"));
        int backendPort = AppJvms.awaitPort(backend);
        int metricsPort = Sockets.freePort();
        ChildJvm app = jvms.start(AppJvms.app(HexDumpStyleProxy.class, 0, "127.0.0.1:" + backendPort)
                .jvm("-javaagent:" + System.getProperty("connwatch.jar") + "=name=fleet-agent,stuckAfter=1s,"
                        + "interval=200ms,metricsPort=" + metricsPort));
        InetSocketAddress address = AppJvms.awaitAddress(app);
        URI metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
        try (KeepAliveLoad.Connection stuck = KeepAliveLoad.Connection.open(address, Sockets.READ_TIMEOUT)) {
            stuck.send("/hang/1");
            await().atMost(WAIT).pollInterval(Duration.ofMillis(250)).until(() -> get(metrics)
                    .contains("connwatch_connections_flagged{monitor=\"fleet-agent\",pattern=\"stuck\"} 1"));
        }
        String page = get(metrics);
        assertTrue(page.contains("connwatch_connections_active{monitor=\"fleet-agent-upstream\"}"), page);
        assertTrue(page.contains("jvm_threads_live_threads"), "the application's JVM: " + page);
        assertTrue((app.output() + app.errorOutput()).contains(", metrics: http://127.0.0.1:" + metricsPort
                + "/metrics"), "the agent's start line names the page" + app.report());
    }
}
