package io.connwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.ConnectionMonitor;
import io.connwatch.analysis.Pattern;
import io.connwatch.testing.LoopbackPatterns;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics} over real HTTP on loopback, for a real monitor: what Prometheus scrapes. */
class PrometheusEndpointTest {
    @TempDir
    Path dumps;

    private LoopbackPatterns loopback;
    private PrometheusEndpoint endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void tearDown() throws Exception {
        if (endpoint != null) {
            endpoint.close();
        }
        if (loopback != null) {
            loopback.close();
        }
    }

    private HttpResponse<String> get(URI uri, String method) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheMonitorsMetersBesideTheJvmsAndDropsAClosedMonitor() throws Exception {
        loopback = new LoopbackPatterns("edge-http", dumps, b -> b);
        ConnectionMonitor monitor = loopback.monitor();
        Set<Thread> before = nonDaemonThreads();
        endpoint = PrometheusEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                List.of(monitor));
        assertEquals(URI.create("http://127.0.0.1:" + endpoint.address().getPort() + "/metrics"), endpoint.url());
        loopback.stuck();
        loopback.awaitAtLeast(Map.of(Pattern.STUCK, 1));

        HttpResponse<String> page = get(endpoint.url(), "GET");
        assertEquals(200, page.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", page.headers().firstValue("Content-Type").orElse(""));
        String body = page.body();
        assertTrue(body.contains("connwatch_connections_flagged{monitor=\"edge-http\",pattern=\"stuck\"} 1"), body);
        for (String jvm : List.of("jvm_memory_used_bytes{", "jvm_threads_live_threads", "jvm_classes_loaded_classes",
                "process_files_open_files", "process_uptime_seconds", "system_cpu_usage", "jvm_info{")) {
            assertTrue(body.contains(jvm), jvm + " in\n" + body);
        }
        Set<Thread> added = nonDaemonThreads();
        added.removeAll(before);
        added.removeIf(t -> !servers(t)); // the test's relays and HTTP client have threads of their own
        assertEquals(Set.of(), added, "serving metrics keeps no JVM alive");
        assertTrue(threads().stream().anyMatch(PrometheusEndpointTest::servers), "the server's threads are there");

        assertEquals(404, get(endpoint.url().resolve("/other"), "GET").statusCode());
        assertEquals(405, get(endpoint.url(), "POST").statusCode());
        HttpResponse<String> head = get(endpoint.url(), "HEAD");
        assertEquals(200, head.statusCode());

        monitor.close();
        String after = get(endpoint.url(), "GET").body();
        assertFalse(after.contains("connwatch_"), after);
        assertTrue(after.contains("jvm_memory_used_bytes{"), "the JVM's meters stay");

        endpoint.close();
        URI gone = endpoint.url();
        endpoint = null;
        assertThrows(ConnectException.class, () -> get(gone, "GET"), "the port is closed");
    }

    @Test
    void anAddressInUseIsAnIoExceptionAndLeavesNothingRunning() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Set<Thread> before = threads();
            assertThrows(java.net.BindException.class, () -> PrometheusEndpoint.start(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort()), List.of()));
            Set<Thread> added = threads();
            added.removeAll(before);
            added.removeIf(t -> !servers(t));
            assertEquals(Set.of(), added);
        }
    }

    // The JDK server's dispatcher, and the endpoint's own.
    private static boolean servers(Thread t) {
        return t.getName().startsWith("connwatch-metrics") || t.getName().startsWith("HTTP-Dispatcher");
    }

    private static Set<Thread> nonDaemonThreads() {
        Set<Thread> s = threads();
        s.removeIf(Thread::isDaemon);
        return s;
    }

    private static Set<Thread> threads() {
        Set<Thread> s = new HashSet<>(Thread.getAllStackTraces().keySet());
        s.removeIf(t -> !t.isAlive());
        return s;
    }
}
