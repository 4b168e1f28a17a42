package io.connwatch.bench;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.Pattern;
import io.connwatch.metrics.ConnwatchMetrics;
import io.connwatch.tracking.TrackedConnection;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One Prometheus scrape of a monitor's meters ({@link ConnwatchMetrics} on a {@code PrometheusMeterRegistry}, in the
 * text format, into a reused buffer) over a tracker of {@code connections} live connections with the mix of
 * {@link Population}, after one check. The scrape must cost the same at any size: it reads counters and the last
 * check, and never walks the connections.
 *
 * <p>Baseline {@code walkBaseline}: what a scrape that counted the stuck connections itself would cost, one pass over
 * the tracker reading each connection's pattern bits (cheaper than a check, which also classifies).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class ScrapeBenchmark {
    @Param({"1000", "100000"})
    int connections;

    Population population;
    ConnectionMonitor monitor;
    PrometheusMeterRegistry registry;
    final ByteArrayOutputStream page = new ByteArrayOutputStream(256 * 1024);

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        population = Population.of(connections, false);
        monitor = new ConnectionMonitor(population.tracker, MonitorSettings.defaults());
        CheckResult r = monitor.checkNow();
        if (r.examined() != connections || r.count(Pattern.STUCK) == 0) {
            throw new IllegalStateException("population not as built: " + r);
        }
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ConnwatchMetrics(monitor).bindTo(registry);
        scrape();
        String text = page.toString();
        if (!text.contains("connwatch_connections_flagged{monitor=\"bench\",pattern=\"stuck\"} "
                + (double) r.count(Pattern.STUCK))) {
            throw new IllegalStateException("the page does not show the check's stuck count:\n" + text);
        }
        System.out.println();
        System.out.println("# scrape of a monitor with " + connections + " connections: " + page.size() + " bytes, "
                + registry.getMeters().size() + " meters");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        monitor.close();
        registry.close();
    }

    @Benchmark
    public int scrape() throws IOException {
        page.reset();
        registry.scrape(page, "text/plain; version=0.0.4; charset=utf-8");
        return page.size();
    }

    @Benchmark
    public int walkBaseline() {
        int stuck = 0;
        for (TrackedConnection c : population.tracker) {
            if (Pattern.STUCK.in(c.patternBits())) {
                stuck++;
            }
        }
        return stuck;
    }
}
