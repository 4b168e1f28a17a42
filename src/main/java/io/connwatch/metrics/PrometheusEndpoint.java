package io.connwatch.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.connwatch.ConnectionMonitor;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /metrics} in Prometheus' text format, served over HTTP by the JDK's own server: the meters of the monitors
 * bound to it ({@link ConnwatchMetrics}) beside the JVM's (memory, garbage collection, threads, class loading,
 * processor, open file descriptors, uptime). What {@code proxy --metrics-port} and the agent's {@code metricsPort}
 * serve; needs {@code micrometer-registry-prometheus}.
 *
 * <p>Scrapes are answered one at a time on one daemon thread, which, like the server's own, never keeps the JVM
 * alive. A monitor's meters leave the page when the monitor closes.
 */
public final class PrometheusEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrometheusEndpoint.class);
    /** Prometheus' text exposition format, the one every scraper reads. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** The path scraped. */
    public static final String PATH = "/metrics";

    private final HttpServer server;
    private final ExecutorService executor;
    private final PrometheusMeterRegistry registry;
    private final List<AutoCloseable> binders = new ArrayList<>();
    // Reused by every scrape (they run one at a time): a scrape allocates no buffer of its own.
    private final ByteArrayOutputStream page = new ByteArrayOutputStream(64 * 1024);

    private PrometheusEndpoint(HttpServer server, ExecutorService executor, PrometheusMeterRegistry registry) {
        this.server = server;
        this.executor = executor;
        this.registry = registry;
    }

    /**
     * Serves {@code /metrics} on {@code address} for {@code monitors} and the JVM.
     *
     * @throws IOException when the address cannot be bound (in use, not this host's)
     */
    public static PrometheusEndpoint start(InetSocketAddress address, List<ConnectionMonitor> monitors)
            throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "connwatch-metrics");
            t.setDaemon(true);
            return t;
        });
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            registry.close();
            throw e;
        }
        PrometheusEndpoint endpoint = new PrometheusEndpoint(server, executor, registry);
        try {
            endpoint.bindJvm();
            for (ConnectionMonitor m : monitors) {
                endpoint.bind(m);
            }
            server.createContext("/", endpoint::handle);
            server.setExecutor(executor);
            startAsDaemon(server);
        } catch (RuntimeException | Error e) {
            endpoint.close();
            throw e;
        }
        return endpoint;
    }

    // The server's dispatcher thread takes its daemon flag from the thread that starts it: a daemon, so that serving
    // metrics never keeps the JVM of an application (the agent's case) alive after its own threads ended.
    private static void startAsDaemon(HttpServer server) {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread starter = new Thread(() -> {
            try {
                server.start();
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "connwatch-metrics-start");
        starter.setDaemon(true);
        starter.start();
        boolean interrupted = false;
        while (true) {
            try {
                starter.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private void bindJvm() {
        // Two of Micrometer's processor meters break Prometheus' naming rules, and promtool says so: a gauge ending
        // in _count (system_cpu_count) and an abbreviated unit (process_cpu_time_ns_total). Left out; the CPU usage
        // gauges and the load average stay.
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("system.cpu.count")
                || id.getName().equals("process.cpu.time")));
        for (MeterBinder b : List.of(new ClassLoaderMetrics(), new JvmMemoryMetrics(), new JvmThreadMetrics(),
                new JvmInfoMetrics(), new ProcessorMetrics(), new FileDescriptorMetrics(), new UptimeMetrics())) {
            b.bindTo(registry);
        }
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        binders.add(gc);
    }

    /** Adds a monitor's meters to the page; they leave it when the monitor closes. */
    public synchronized void bind(ConnectionMonitor monitor) {
        ConnwatchMetrics metrics = new ConnwatchMetrics(monitor);
        metrics.bindTo(registry);
        binders.add(metrics);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            page.reset();
            try {
                registry.scrape(page, CONTENT_TYPE);
            } catch (IOException | RuntimeException e) {
                LOG.warn("a scrape of {} failed: {}", PATH, e.toString());
                exchange.sendResponseHeaders(500, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            if ("HEAD".equals(method)) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, page.size());
            try (OutputStream body = exchange.getResponseBody()) {
                page.writeTo(body);
            }
        }
    }

    /** The address served, with the port the system gave when port 0 was asked for. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://HOST:PORT/metrics}, with the address as served (an IPv6 host in brackets). */
    public URI url() {
        InetAddress a = server.getAddress().getAddress();
        String host = a.getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + server.getAddress().getPort() + PATH);
    }

    /** The registry behind the page: add meters of your own to it. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The page as a scrape gets it (tests, benchmarks). */
    public String scrape() {
        return registry.scrape(CONTENT_TYPE);
    }

    /** Stops serving, removes every meter and releases the JVM's listeners. */
    @Override
    public synchronized void close() {
        try {
            server.stop(0);
        } catch (RuntimeException notStarted) {
            // it failed to start: nothing to stop
        }
        executor.shutdownNow();
        for (AutoCloseable b : binders) {
            try {
                b.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", b, e.toString());
            }
        }
        binders.clear();
        registry.close();
    }
}
