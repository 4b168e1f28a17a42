package io.connwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.connwatch.analysis.Pattern;
import io.connwatch.testing.LoopbackPatterns;
import io.micrometer.core.instrument.Clock;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's way to an OpenTelemetry collector: the same binder on Micrometer's OTLP registry, configured as the
 * README shows, posts connwatch's meters to an OTLP/HTTP endpoint (here a loopback server standing in for the
 * collector's receiver).
 */
class OtlpExportTest {
    @TempDir
    Path dumps;

    @Test
    void theMetersReachAnOtlpEndpointUnderTheirDottedNames() throws Exception {
        List<byte[]> posts = new CopyOnWriteArrayList<>();
        List<String> contentTypes = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        collector.createContext("/v1/metrics", exchange -> {
            try (exchange) {
                posts.add(exchange.getRequestBody().readAllBytes());
                contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        collector.start();
        try (LoopbackPatterns loopback = new LoopbackPatterns("edge-otlp", dumps, b -> b)) {
            loopback.stuck();
            loopback.awaitAtLeast(Map.of(Pattern.STUCK, 1));
            String url = "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/metrics";
            OtlpMeterRegistry otlp = new OtlpMeterRegistry(key -> switch (key) {
                case "otlp.url" -> url;
                case "otlp.step" -> "30s";
                case "otlp.resourceAttributes" -> "service.name=edge-proxy";
                default -> null;
            }, Clock.SYSTEM);
            new ConnwatchMetrics(loopback.monitor()).bindTo(otlp);
            otlp.close(); // a push registry publishes what it has as it closes
        } finally {
            collector.stop(0);
        }
        assertFalse(posts.isEmpty(), "nothing was posted");
        assertEquals("application/x-protobuf", contentTypes.get(0));
        String body = new String(posts.get(posts.size() - 1), StandardCharsets.ISO_8859_1);
        for (String expected : List.of("connwatch.connections.flagged", "pattern", "stuck", "edge-otlp",
                "connwatch.connections.cleaned", "connwatch.connection.duration", "service.name", "edge-proxy")) {
            assertTrue(body.contains(expected), expected + " in the OTLP request");
        }
    }
}
