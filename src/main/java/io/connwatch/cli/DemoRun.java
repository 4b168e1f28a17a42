package io.connwatch.cli;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorListener;
import io.connwatch.MonitorSettings;
import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.Pattern;
import io.connwatch.capture.CaptureResult;
import io.connwatch.cleanup.CleanupEvent;
import io.connwatch.proxy.ConnwatchProxy;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One demo run. Thresholds are short so that every pattern shows within 15 s: the connections a real proxy would
 * hold for minutes here last seconds.
 */
final class DemoRun {
    private static final byte[] HTTP11 = "GET / HTTP/1.1\r\nHost: demo\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP10 = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "ping\n".getBytes(StandardCharsets.US_ASCII);
    private static final int BURST = 40;

    private final Path out;
    private final Duration duration;
    private final PrintWriter console;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ScheduledExecutorService clients = Executors.newScheduledThreadPool(4, r -> {
        Thread t = new Thread(r, "demo-client");
        t.setDaemon(true);
        return t;
    });
    private final Map<Pattern, Set<Long>> found = new EnumMap<>(Pattern.class);
    private final List<Path> dumps = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private JfrRecording recording = JfrRecording.NONE;
    private long startNanos;

    DemoRun(Path out, Duration duration, PrintWriter console) {
        this.out = out;
        this.duration = duration;
        this.console = console;
        for (Pattern p : Pattern.values()) {
            found.put(p, new HashSet<>());
        }
    }

    static MonitorSettings settings(Path out) {
        return MonitorSettings.builder()
                .checkInterval(Duration.ofSeconds(1))
                .cleanupInterval(Duration.ofSeconds(1))
                .accumulationThreshold(30)
                .spikeThreshold(20)
                .captureCooldown(Duration.ofSeconds(5))
                .stuckAfter(Duration.ofSeconds(3))
                .halfZombieGrace(Duration.ofSeconds(3))
                .connectTimeout(Duration.ofSeconds(3))
                .idleAfter(Duration.ofSeconds(4))
                .inactivityTimeout(Duration.ofSeconds(8))
                .oldAfter(Duration.ofSeconds(6))
                .maxLifetime(Duration.ofSeconds(12))
                .slowAfter(Duration.ofSeconds(3))
                .listenerLeakThreshold(5)
                .outputDirectory(out)
                .build();
    }

    void run() throws Exception {
        ConnectionTracker tracker = new ConnectionTracker("demo");
        ConnectionMonitor monitor = new ConnectionMonitor(tracker, settings(out));
        monitor.addListener(new Reporter());
        try {
            console.printf("connwatch demo: %d s on loopback, dumps in %s%n", duration.toSeconds(), out.toAbsolutePath());
            console.printf("while it runs: jconsole %d  (MBean io.connwatch:type=ConnectionMonitor,name=demo)%n",
                    ProcessHandle.current().pid());
            console.printf("thresholds: check 1 s, stuck 3 s, half-zombie 3 s, connect 3 s, idle 4 s (closed at 8 s,"
                    + " x6 with keep-alive), old 6 s (closed at 12 s), slow 3 s, listeners > 5, accumulation > 30,"
                    + " spike >= 20%n%n");
            DemoBackend echo = use(new DemoBackend(DemoBackend.Behaviour.ECHO));
            DemoBackend hang = use(new DemoBackend(DemoBackend.Behaviour.HANG));
            DemoBackend drip = use(new DemoBackend(DemoBackend.Behaviour.DRIP));
            DemoBackend never = use(new DemoBackend(DemoBackend.Behaviour.NEVER_ACCEPT));
            // The reference proxy on Netty in front of each backend, all feeding one tracker.
            InetSocketAddress toEcho = proxy(tracker, echo.address(), Duration.ofSeconds(10));
            InetSocketAddress toHang = proxy(tracker, hang.address(), Duration.ofSeconds(10));
            InetSocketAddress toDrip = proxy(tracker, drip.address(), Duration.ofSeconds(10));
            InetSocketAddress toNever = proxy(tracker, never.address(), Duration.ofSeconds(60));
            InetSocketAddress toNobody = proxy(tracker, DemoBackend.refusingAddress(), Duration.ofSeconds(10));
            // Two host bugs, reproduced by a plain-socket relay: a callback added per message, and sockets closed
            // without telling the tracker.
            InetSocketAddress leaky = use(new BlockingRelay(tracker, echo.address()).leakListeners()).address();
            InetSocketAddress forgetful = use(new BlockingRelay(tracker, echo.address()).forgetful()).address();
            recording = JfrRecording.start(out.resolve("connwatch-demo.jfr"));

            startNanos = System.nanoTime();
            monitor.start();
            // STUCK: a request to a backend that never answers.
            for (int i = 0; i < 3; i++) {
                send(connect(toHang), HTTP11);
            }
            // HALF_ZOMBIE: a request, then the client half-closes; the backend stays open and silent.
            for (int i = 0; i < 2; i++) {
                Socket s = connect(toHang);
                send(s, HTTP11);
                s.shutdownOutput();
            }
            // NO_OUTGOING: the backend's accept queue is full, the connect hangs.
            for (int i = 0; i < 2; i++) {
                connect(toNever);
            }
            // IDLE: one exchange, then silence; the keep-alive one is kept six times longer.
            exchange(connect(toEcho), HTTP10);
            exchange(connect(toEcho), HTTP11);
            // OLD: a chatty client that never leaves, until its maximum lifetime.
            Socket chatty = connect(toEcho);
            clients.scheduleAtFixedRate(() -> quietly(() -> exchange(chatty, PING)), 0, 1, TimeUnit.SECONDS);
            // SLOW_BACKEND: the response drips in for ever.
            send(connect(toDrip), HTTP11);
            // LISTENER_LEAK: the host adds a callback per message.
            Socket leak = connect(leaky);
            for (int i = 0; i < 8; i++) {
                exchange(leak, PING);
            }
            // ZOMBIE: the host closes both sockets and forgets to tell the tracker.
            for (int i = 0; i < 2; i++) {
                Socket z = connect(forgetful);
                exchange(z, PING);
                z.shutdownOutput();
            }
            // econnrefused: nothing listens behind this relay.
            for (int i = 0; i < 3; i++) {
                connect(toNobody);
            }
            // A burst: SPIKE and ACCUMULATION, one dump for the episode; they leave after 3 s.
            clients.schedule(() -> quietly(() -> burst(toEcho)), 2, TimeUnit.SECONDS);

            TimeUnit.NANOSECONDS.sleep(duration.toNanos());
            monitor.stop();
            monitor.forceCaptureNow(); // the Reporter lists it with the others
            Path rec = recording.stop();
            summary(monitor, rec);
        } finally {
            recording.stop();
            clients.shutdownNow();
            for (Socket s : sockets) {
                quietly(s::close);
            }
            for (int i = resources.size() - 1; i >= 0; i--) {
                quietly(resources.get(i)::close);
            }
            monitor.close();
        }
    }

    private void burst(InetSocketAddress front) throws IOException {
        List<Socket> crowd = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            Socket s = connect(front);
            send(s, HTTP10);
            crowd.add(s);
        }
        clients.schedule(() -> {
            for (Socket s : crowd) {
                quietly(s::close);
            }
        }, 3, TimeUnit.SECONDS);
    }

    private InetSocketAddress proxy(ConnectionTracker tracker, InetSocketAddress target, Duration connectTimeout)
            throws InterruptedException {
        ConnwatchProxy p = use(ConnwatchProxy.builder().target(target).tracker(tracker).connectTimeout(connectTimeout)
                .workerThreads(1).build()).start();
        return p.address();
    }

    private Socket connect(InetSocketAddress front) throws IOException {
        Socket s = new Socket(front.getAddress(), front.getPort());
        sockets.add(s);
        return s;
    }

    private <T extends AutoCloseable> T use(T resource) {
        resources.add(resource);
        return resource;
    }

    private static void send(Socket s, byte[] bytes) throws IOException {
        OutputStream o = s.getOutputStream();
        o.write(bytes);
        o.flush();
    }

    private static void exchange(Socket s, byte[] bytes) throws IOException {
        send(s, bytes);
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        int got = 0;
        byte[] buf = new byte[bytes.length];
        while (got < bytes.length) {
            int n = in.read(buf, got, bytes.length - got);
            if (n < 0) {
                throw new IOException("closed");
            }
            got += n;
        }
    }

    private interface IoAction {
        void run() throws Exception;
    }

    private static void quietly(IoAction a) {
        try {
            a.run();
        } catch (Exception ignored) {
            // a demo client whose connection was cleaned up simply stops
        }
    }

    private void summary(ConnectionMonitor monitor, Path rec) {
        console.printf("%nSummary%n");
        console.printf("  %-14s %6s %8s  %s%n", "pattern", "found", "cleaned", "reason");
        for (Pattern p : Pattern.values()) {
            TerminationReason reason = reasonFor(p);
            console.printf("  %-14s %6d %8s  %s%n", p, found.get(p).size(),
                    reason == null ? "-" : String.valueOf(monitor.cleanupCount(reason)),
                    reason == null ? "reported only" : reason.wireName());
        }
        console.printf("%nTermination stats: %s%n", monitor.tracker().terminationStats().snapshot());
        console.printf("Accumulations %d, spikes %d, dumps %d%n", monitor.accumulationCount(), monitor.spikeCount(),
                monitor.captureCount());
        console.printf("%nFiles written, side by side in %s:%n", out.toAbsolutePath());
        if (rec != null) {
            console.printf("  %s (JFR: the JDK's default settings plus connwatch's)%n", rec.getFileName());
        }
        for (Path d : dumps) {
            console.printf("  %s%n", d.getFileName());
        }
        console.printf("%nLook at them:%n");
        if (rec != null) {
            console.printf("  jfr print --events 'io.connwatch.*' %s%n", rec.toAbsolutePath());
            console.printf("  jfr summary %s%n", rec.toAbsolutePath());
            console.printf("  JDK Mission Control: File > Open File..., %s; Event Browser > connwatch%n", rec.toAbsolutePath());
        }
        console.printf("  jq '.summary, .recommendations' %s%n", dumps.get(dumps.size() - 1).toAbsolutePath());
        console.printf("  java -jar target/connwatch.jar analyze %s%n", out.toAbsolutePath());
    }

    private static TerminationReason reasonFor(Pattern p) {
        for (TerminationReason r : TerminationReason.values()) {
            if (CleanupEvent.patternOf(r) == p) {
                return r;
            }
        }
        return null;
    }

    /** Status lines and the tally of what was found; runs on the monitor's thread. */
    private final class Reporter implements MonitorListener {
        @Override
        public void onCheck(ConnectionMonitor m, CheckResult r) {
            for (TrackedConnection c : m.tracker()) {
                for (Pattern p : Pattern.of(c.patternBits())) {
                    found.get(p).add(c.serial());
                }
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "t+%02ds  active %3d ",
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos), r.activeConnections()));
            for (Pattern p : Pattern.values()) {
                if (r.count(p) > 0) {
                    line.append(' ').append(p).append(' ').append(r.count(p));
                }
            }
            long cleaned = 0;
            for (long n : m.cleanupCounts().values()) {
                cleaned += n;
            }
            line.append("  | dumps ").append(m.captureCount()).append(", cleaned ").append(cleaned);
            console.println(line);
        }

        @Override
        public void onCleanup(ConnectionMonitor m, CleanupEvent e) {
            synchronized (found) {
                found.get(e.pattern()).add(Long.parseLong(e.connectionId().substring(2)));
            }
        }

        @Override
        public void onCapture(ConnectionMonitor m, CaptureResult r) {
            if (r.succeeded()) {
                dumps.add(r.file());
                console.printf("        dump (%s): %s%n", r.trigger().wireName(), r.file().getFileName());
            }
        }
    }
}
