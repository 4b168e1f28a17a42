package io.connwatch.metrics;

import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.ConnectionMonitor;
import io.connwatch.analysis.Pattern;
import io.connwatch.capture.CaptureTrigger;
import io.connwatch.testing.LoopbackPatterns;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConnwatchMetrics} on a real monitor, its connections real sockets on loopback through a relay. */
class ConnwatchMetricsTest {
    @TempDir
    Path dumps;

    private LoopbackPatterns loopback;
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void tearDown() throws Exception {
        if (loopback != null) {
            loopback.close();
        }
        registry.close();
    }

    private ConnectionMonitor monitor(String name) {
        loopback = new LoopbackPatterns(name, dumps, b -> b.accumulationThreshold(1));
        return loopback.monitor();
    }

    private Gauge gauge(ConnwatchMeters meter, String... tags) {
        return registry.get(meter.getName()).tags(tags).gauge();
    }

    private double counter(ConnwatchMeters meter, String... tags) {
        return registry.get(meter.getName()).tags(tags).functionCounter().count();
    }

    @Test
    void everyMeterIsThereWithTheTagKeysItsDeclarationNamesAndBoundedValues() {
        ConnectionMonitor monitor = monitor("edge-meters");
        new ConnwatchMetrics(monitor, List.of(Tag.of("zone", "eu"))).bindTo(registry);

        for (ConnwatchMeters m : ConnwatchMeters.values()) {
            Collection<Meter> meters = registry.find(m.getName()).meters();
            assertFalse(meters.isEmpty(), m.getName());
            Set<String> declared = new HashSet<>(m.tagKeys());
            declared.add("zone");
            for (Meter meter : meters) {
                Set<String> keys = meter.getId().getTags().stream().map(Tag::getKey).collect(Collectors.toSet());
                assertEquals(declared, keys, meter.getId().toString());
                assertEquals("edge-meters", meter.getId().getTag("monitor"));
                assertEquals(m.getType(), meter.getId().getType(), m.getName());
                assertEquals(m.getBaseUnit(), meter.getId().getBaseUnit(), m.getName());
                assertEquals(m.description(), meter.getId().getDescription(), m.getName());
            }
        }
        assertEquals(Arrays.stream(Pattern.values()).map(Pattern::tagValue).collect(Collectors.toSet()),
                values(ConnwatchMeters.FLAGGED, "pattern"));
        assertEquals(Set.of("zombie", "half_zombie", "stuck", "no_outgoing", "idle", "old", "slow_backend",
                "listener_leak"), values(ConnwatchMeters.FLAGGED, "pattern"), "the tag values dashboards spell");
        assertEquals(Set.of("incoming", "outgoing"), values(ConnwatchMeters.CLOSED, "side"));
        assertEquals(Arrays.stream(TerminationReason.values()).map(TerminationReason::wireName)
                .collect(Collectors.toSet()), values(ConnwatchMeters.CLOSED, "reason"));
        assertEquals(Set.of("zombie_cleanup", "half_zombie_cleanup", "stuck_no_response", "connect_timeout",
                "inactivity", "max_lifetime"), values(ConnwatchMeters.CLEANED, "reason"));
        assertEquals(Set.of("accumulation", "spike", "force_capture"), values(ConnwatchMeters.CAPTURES, "trigger"));
        assertEquals(Set.of("written", "failed"), values(ConnwatchMeters.CAPTURES, "outcome"));
        // Bounded: the series of one monitor are as many whatever the traffic (no addresses, no targets).
        assertEquals(2 + 8 + 1 + 30 + 6 + 1 + 1 + 6 + 30, registry.getMeters().size());
        assertTrue(Double.isNaN(gauge(ConnwatchMeters.FLAGGED, "pattern", "stuck").value()), "no check yet");
    }

    private Set<String> values(ConnwatchMeters meter, String key) {
        return registry.find(meter.getName()).meters().stream().map(m -> m.getId().getTag(key))
                .collect(Collectors.toSet());
    }

    @Test
    void gaugesFollowTheLastCheckAndTheTrackersCounts() throws Exception {
        ConnectionMonitor monitor = monitor("edge-check");
        new ConnwatchMetrics(monitor).bindTo(registry);

        loopback.stuck().slowBackend();
        assertEquals(2, gauge(ConnwatchMeters.ACTIVE).value(), "the tracker's count, before any check");
        assertEquals(2, gauge(ConnwatchMeters.PEAK).value());
        assertTrue(Double.isNaN(gauge(ConnwatchMeters.FLAGGED, "pattern", "stuck").value()), "no check yet");

        loopback.awaitAtLeast(Map.of(Pattern.STUCK, 1, Pattern.SLOW_BACKEND, 1));
        assertEquals(1, gauge(ConnwatchMeters.FLAGGED, "pattern", "stuck").value());
        assertEquals(1, gauge(ConnwatchMeters.FLAGGED, "pattern", "slow_backend").value());
        assertEquals(0, gauge(ConnwatchMeters.FLAGGED, "pattern", "zombie").value());
        assertEquals(2, counter(ConnwatchMeters.OPENED));
        assertEquals(1, counter(ConnwatchMeters.ACCUMULATIONS), "2 connections > threshold 1");
        assertEquals(1, counter(ConnwatchMeters.CAPTURES, "trigger", "accumulation", "outcome", "written"));
        assertEquals(0, counter(ConnwatchMeters.CAPTURES, "trigger", "accumulation", "outcome", "failed"));
    }

    @Test
    void countersFollowCleanupsClosesAndCaptures() throws Exception {
        ConnectionMonitor monitor = monitor("edge-cleanup");
        new ConnwatchMetrics(monitor).bindTo(registry);

        loopback.stuck().refused();
        loopback.awaitAtLeast(Map.of(Pattern.STUCK, 1));
        monitor.updateSettings(b -> b.cleanupEnabled(true));
        await().atMost(ms(15_000)).pollInterval(Duration.ofMillis(50)).until(() -> {
            monitor.cleanupNow();
            return counter(ConnwatchMeters.CLEANED, "pattern", "stuck", "reason", "stuck_no_response") == 1;
        });
        assertEquals(0, counter(ConnwatchMeters.CLEANED, "pattern", "half_zombie", "reason", "half_zombie_cleanup"));
        double stuckCloses = registry.find(ConnwatchMeters.CLOSED.getName()).tag("reason", "stuck_no_response")
                .functionCounters().stream().mapToDouble(FunctionCounter::count).sum();
        assertEquals(1, stuckCloses, "closed{reason=stuck_no_response}, on the side the sweep closed");
        assertEquals(1, counter(ConnwatchMeters.CLOSED, "side", "outgoing", "reason", "econnrefused"));
        FunctionTimer refusedLife = registry.get(ConnwatchMeters.DURATION.getName())
                .tags("side", "outgoing", "reason", "econnrefused").functionTimer();
        assertEquals(1, refusedLife.count());
        assertTrue(refusedLife.totalTime(TimeUnit.NANOSECONDS) > 0, "how long it lived");
        double stuckLives = registry.find(ConnwatchMeters.DURATION.getName()).tag("reason", "stuck_no_response")
                .functionTimers().stream().mapToDouble(FunctionTimer::count).sum();
        assertEquals(1, stuckLives);
        assertEquals(0, gauge(ConnwatchMeters.ACTIVE).value(), "both gone");

        Path dump = monitor.forceCaptureNow();
        assertNotNull(dump);
        assertEquals(1, counter(ConnwatchMeters.CAPTURES, "trigger", "force_capture", "outcome", "written"));
        assertEquals(0, counter(ConnwatchMeters.CAPTURES, "trigger", CaptureTrigger.SPIKE.wireName(),
                "outcome", "written"));
    }

    @Test
    void closingTheMonitorRemovesItsMeters() throws Exception {
        ConnectionMonitor monitor = monitor("edge-closing");
        ConnectionMonitor other = new ConnectionMonitor(new io.connwatch.tracking.ConnectionTracker("other"),
                monitor.settings());
        try {
            ConnwatchMetrics metrics = new ConnwatchMetrics(monitor);
            metrics.bindTo(registry);
            new ConnwatchMetrics(other).bindTo(registry);
            loopback.stuck();
            loopback.awaitAtLeast(Map.of(Pattern.STUCK, 1));
            assertTrue(meterCount("edge-closing") > 0);

            monitor.close();
            assertEquals(0, meterCount("edge-closing"), "nothing stale left to scrape");
            assertTrue(meterCount("other") > 0, "another monitor's meters stay");
            metrics.bindTo(registry);
            assertEquals(0, meterCount("edge-closing"), "a closed monitor's binder registers nothing");

            ConnwatchMetrics late = new ConnwatchMetrics(monitor);
            late.bindTo(registry);
            assertEquals(0, meterCount("edge-closing"), "nor does a new binder of a closed monitor");
        } finally {
            other.close();
        }
        assertEquals(List.of(), registry.getMeters());
    }

    @Test
    void closingTheBinderRemovesItsMetersFromEveryRegistryWhileTheMonitorGoesOn() {
        ConnectionMonitor monitor = monitor("edge-binder");
        MeterRegistry second = new SimpleMeterRegistry();
        ConnwatchMetrics metrics = new ConnwatchMetrics(monitor);
        metrics.bindTo(registry);
        metrics.bindTo(second);
        assertFalse(second.getMeters().isEmpty());
        metrics.close();
        assertEquals(List.of(), registry.getMeters());
        assertEquals(List.of(), second.getMeters());
        monitor.checkNow(); // the monitor goes on, without the binder's listeners
    }

    private long meterCount(String monitor) {
        return registry.getMeters().stream().filter(m -> monitor.equals(m.getId().getTag("monitor"))).count();
    }

    @Test
    void prometheusSeesTheNamesDashboardsUse() throws Exception {
        ConnectionMonitor monitor = monitor("edge-prom");
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try {
            new ConnwatchMetrics(monitor).bindTo(prometheus);
            loopback.stuck();
            loopback.awaitAtLeast(Map.of(Pattern.STUCK, 1));
            String page = prometheus.scrape();
            assertTrue(page.contains("connwatch_connections_flagged{monitor=\"edge-prom\",pattern=\"stuck\"} 1"),
                    page);
            assertTrue(page.contains("connwatch_connections_active{monitor=\"edge-prom\"} 1"), page);
            assertTrue(page.contains("# TYPE connwatch_connections_cleaned_total counter"), page);
            assertTrue(page.contains("connwatch_connections_closed_total{monitor=\"edge-prom\",reason=\"normal\","
                    + "side=\"incoming\"} 0"), page);
            assertTrue(page.contains("connwatch_connection_duration_seconds_count{monitor=\"edge-prom\""), page);
            assertTrue(page.contains("connwatch_accumulations_total{monitor=\"edge-prom\"} 0"), page);
            assertTrue(page.contains("# HELP connwatch_connections_flagged " + ConnwatchMeters.FLAGGED.description()),
                    page);
            monitor.close();
            assertFalse(prometheus.scrape().contains("connwatch_"), "a closed monitor leaves the page");
        } finally {
            prometheus.close();
        }
    }
}
