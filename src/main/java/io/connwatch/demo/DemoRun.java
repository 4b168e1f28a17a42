package io.connwatch.demo;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorListener;
import io.connwatch.MonitorSettings;
import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.Pattern;
import io.connwatch.capture.CaptureResult;
import io.connwatch.capture.CaptureTrigger;
import io.connwatch.cleanup.CleanupEvent;
import io.connwatch.cleanup.SweepResult;
import io.connwatch.cli.Main;
import io.connwatch.proxy.ConnwatchProxy;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One demo run: backends, relays and a recording, then waves of clients that reproduce every pattern. Thresholds are
 * short so that a wave shows everything within about 15 s: the connections a real proxy would hold for minutes here
 * last seconds. Without a duration the run ends once its one wave is done; with one, the next wave starts as soon as
 * the previous one is done, until the time is up, so that a JMX console attached at any moment sees things happen.
 */
final class DemoRun {
    /** How long one wave may take to show everything before the run stops waiting for it. */
    static final int WAVE_CAP_SECONDS = 60;
    /** A status line at least this often while nothing changes. */
    static final int HEARTBEAT_SECONDS = 5;
    private static final byte[] HTTP11 = "GET / HTTP/1.1\r\nHost: demo\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP10 = "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "ping\n".getBytes(StandardCharsets.US_ASCII);
    private static final int BURST = 40;
    static final int REFUSED = 3;
    // The burst stays until its accumulation dump is written: a dump deferred by the capture cooldown still lands.
    private static final long BURST_MIN_MILLIS = 3_000;
    private static final long BURST_MAX_MILLIS = 10_000;

    private final Path out;
    private final Duration duration;
    private final PrintWriter console;
    private final PrintWriter err;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ScheduledExecutorService clients = Executors.newScheduledThreadPool(4, r -> {
        Thread t = new Thread(r, "demo-client");
        t.setDaemon(true);
        return t;
    });
    private final List<Path> dumps = new CopyOnWriteArrayList<>();
    private final List<Wave> waves = new CopyOnWriteArrayList<>();
    private final Object progress = new Object();
    private final StatusThrottle status = new StatusThrottle(TimeUnit.SECONDS.toNanos(HEARTBEAT_SECONDS));
    private JfrRecording recording = JfrRecording.NONE;
    private volatile Wave total;
    private volatile Wave current;
    private long startNanos;
    private InetSocketAddress toEcho;
    private InetSocketAddress toHang;
    private InetSocketAddress toDrip;
    private InetSocketAddress toNever;
    private InetSocketAddress toNobody;
    private InetSocketAddress leaky;
    private InetSocketAddress forgetful;

    /** A run of one wave ({@code duration} null), or of waves until {@code duration} has passed. */
    DemoRun(Path out, Duration duration, PrintWriter console, PrintWriter err) {
        this.out = out;
        this.duration = duration;
        this.console = console;
        this.err = err;
    }

    static MonitorSettings settings(Path out) {
        return MonitorSettings.builder()
                .checkInterval(Duration.ofSeconds(1))
                .cleanupInterval(Duration.ofSeconds(1))
                .accumulationThreshold(30)
                .spikeThreshold(20)
                .captureCooldown(Duration.ofSeconds(5))
                // A half-zombie (a request, then a half-close) also matches STUCK once stuckAfter passes, and the
                // stuck rule counts from the open while the grace counts from the request: on a busy machine the
                // request can arrive late enough for a sweep to close it as stuck first. Two seconds apart, the
                // half-zombie is always seen as one.
                .stuckAfter(Duration.ofSeconds(5))
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

    /** Runs the demo; returns the exit code: 0, or 1 when something was never seen. */
    int run() throws Exception {
        ConnectionTracker tracker = new ConnectionTracker("demo");
        ConnectionMonitor monitor = new ConnectionMonitor(tracker, settings(out));
        monitor.addListener(new Reporter());
        try {
            header();
            DemoBackend echo = use(new DemoBackend(DemoBackend.Behaviour.ECHO));
            DemoBackend hang = use(new DemoBackend(DemoBackend.Behaviour.HANG));
            DemoBackend drip = use(new DemoBackend(DemoBackend.Behaviour.DRIP));
            DemoBackend never = use(new DemoBackend(DemoBackend.Behaviour.NEVER_ACCEPT));
            // The reference proxy on Netty in front of each backend, all feeding one tracker.
            toEcho = proxy(tracker, echo.address(), Duration.ofSeconds(10));
            toHang = proxy(tracker, hang.address(), Duration.ofSeconds(10));
            toDrip = proxy(tracker, drip.address(), Duration.ofSeconds(10));
            toNever = proxy(tracker, never.address(), Duration.ofSeconds(60));
            toNobody = proxy(tracker, DemoBackend.refusingAddress(), Duration.ofSeconds(10));
            // Two host bugs, reproduced by a plain-socket relay: a callback added per message, and sockets closed
            // without telling the tracker.
            leaky = use(new BlockingRelay(tracker, echo.address()).leakListeners()).address();
            forgetful = use(new BlockingRelay(tracker, echo.address()).forgetful()).address();
            recording = JfrRecording.start(out.resolve("connwatch-demo.jfr"));

            total = new Wave(monitor);
            startNanos = System.nanoTime();
            monitor.start();
            runWaves(monitor);
            monitor.stop();
            monitor.forceCaptureNow(); // the Reporter lists it with the others
            Path rec = recording.stop();
            summary(monitor, rec);
            List<String> missing = total.unseen(monitor);
            if (!missing.isEmpty()) {
                err.println("connwatch: the demo ended without showing everything (not seen: "
                        + String.join(", ", missing) + ")");
                return Main.FAILED;
            }
            return Main.OK;
        } finally {
            recording.stop();
            Wave last = current;
            if (last != null) {
                last.end();
            }
            clients.shutdownNow();
            for (int i = resources.size() - 1; i >= 0; i--) {
                quietly(resources.get(i)::close);
            }
            monitor.close();
        }
    }

    private void header() {
        if (duration == null) {
            console.printf("connwatch demo: every pattern on loopback, until each has been found and cleaned"
                    + " (about 15 s); dumps in %s%n", out.toAbsolutePath());
        } else {
            console.printf("connwatch demo: %d s on loopback, every pattern again in waves of about 15 s; dumps in %s%n",
                    duration.toSeconds(), out.toAbsolutePath());
        }
        console.printf("while it runs: jconsole %d  (MBean io.connwatch:type=ConnectionMonitor,name=demo;"
                + " Notifications > Subscribe)%n", ProcessHandle.current().pid());
        if (duration == null) {
            console.printf("to watch it in JConsole, VisualVM or JMC, give yourself time:"
                    + " demo --duration 5m repeats every pattern in waves%n");
        }
        console.printf("thresholds: check 1 s, stuck 5 s, half-zombie 3 s, connect 3 s, idle 4 s (closed at 8 s,"
                + " x6 with keep-alive), old 6 s (closed at 12 s), slow 3 s, listeners > 5, accumulation > 30,"
                + " spike >= 20%n%n");
    }

    /** Waves until the first is over and, with a duration, until it has passed; each wave bounded by the cap. */
    private void runWaves(ConnectionMonitor monitor) throws Exception {
        long end = duration == null ? startNanos : startNanos + duration.toNanos();
        for (int n = 1; ; n++) {
            Wave w = new Wave(monitor);
            current = w;
            waves.add(w);
            say("wave %d: clients for every pattern", n);
            launch(w);
            long cap = w.startNanos + TimeUnit.SECONDS.toNanos(WAVE_CAP_SECONDS);
            // The first wave always runs to its end; later ones stop when the time is up.
            long until = n == 1 || cap - end < 0 ? cap : end;
            boolean done = await(() -> w.missing(monitor).isEmpty(), until);
            long now = System.nanoTime();
            if (done) {
                w.doneNanos = now;
                say("wave %d done in %d s: every pattern found and cleaned, an accumulation dump, %d refused, 0 open",
                        n, w.seconds(now), w.refused(monitor));
            } else if (now - cap >= 0) {
                say("wave %d not done after %d s; not seen: %s", n, WAVE_CAP_SECONDS,
                        String.join(", ", w.missing(monitor)));
            } else {
                say("wave %d stopped: the %d s are up", n, duration.toSeconds());
            }
            w.end();
            if (now - end >= 0) {
                return;
            }
        }
    }

    /** The clients of one wave; everything they open is closed when the wave ends. */
    private void launch(Wave w) throws IOException {
        // STUCK: a request to a backend that never answers.
        for (int i = 0; i < 3; i++) {
            send(connect(w, toHang), HTTP11);
        }
        // HALF_ZOMBIE: a request, then the client half-closes; the backend stays open and silent.
        for (int i = 0; i < 2; i++) {
            Socket s = connect(w, toHang);
            send(s, HTTP11);
            s.shutdownOutput();
        }
        // NO_OUTGOING: the backend's accept queue is full, the connect hangs.
        for (int i = 0; i < 2; i++) {
            connect(w, toNever);
        }
        // IDLE: one exchange, then silence; the keep-alive one is kept six times longer.
        exchange(connect(w, toEcho), HTTP10);
        exchange(connect(w, toEcho), HTTP11);
        // OLD: a chatty client that never leaves, until its maximum lifetime.
        Socket chatty = connect(w, toEcho);
        w.tasks.add(clients.scheduleWithFixedDelay(() -> {
            try {
                exchange(chatty, PING);
            } catch (IOException cleanedUp) {
                throw new UncheckedIOException(cleanedUp); // a periodic task that throws is not run again
            }
        }, 0, 1, TimeUnit.SECONDS));
        // SLOW_BACKEND: the response drips in for ever.
        send(connect(w, toDrip), HTTP11);
        // LISTENER_LEAK: the host adds a callback per message.
        Socket leak = connect(w, leaky);
        for (int i = 0; i < 8; i++) {
            exchange(leak, PING);
        }
        // ZOMBIE: the host closes both sockets and forgets to tell the tracker.
        for (int i = 0; i < 2; i++) {
            Socket z = connect(w, forgetful);
            exchange(z, PING);
            z.shutdownOutput();
        }
        // econnrefused: nothing listens behind this relay.
        for (int i = 0; i < REFUSED; i++) {
            connect(w, toNobody);
        }
        // A burst: SPIKE and ACCUMULATION, one dump for the episode; they leave once it is written.
        w.tasks.add(clients.schedule(() -> quietly(() -> burst(w)), 2, TimeUnit.SECONDS));
    }

    private void burst(Wave w) throws IOException {
        List<Socket> crowd = new ArrayList<>();
        long arrived = System.nanoTime();
        for (int i = 0; i < BURST; i++) {
            Socket s = connect(w, toEcho);
            send(s, HTTP10);
            crowd.add(s);
        }
        leaveWhenDumped(w, crowd, arrived, BURST_MIN_MILLIS);
    }

    private void leaveWhenDumped(Wave w, List<Socket> crowd, long arrived, long delayMillis) {
        w.tasks.add(clients.schedule(() -> {
            long stayed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - arrived);
            if (w.accumulationDumps.get() > 0 || stayed >= BURST_MAX_MILLIS) {
                for (Socket s : crowd) {
                    quietly(s::close);
                }
            } else {
                leaveWhenDumped(w, crowd, arrived, 500);
            }
        }, delayMillis, TimeUnit.MILLISECONDS));
    }

    private InetSocketAddress proxy(ConnectionTracker tracker, InetSocketAddress target, Duration connectTimeout)
            throws InterruptedException {
        ConnwatchProxy p = use(ConnwatchProxy.builder().target(target).tracker(tracker).connectTimeout(connectTimeout)
                .workerThreads(1).build()).start();
        return p.address();
    }

    private static Socket connect(Wave w, InetSocketAddress front) throws IOException {
        Socket s = new Socket(front.getAddress(), front.getPort());
        w.sockets.add(s);
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

    /** Waits until the condition holds or the deadline passes; woken by each check, sweep and capture. */
    private boolean await(BooleanSupplier condition, long deadlineNanos) throws InterruptedException {
        synchronized (progress) {
            while (!condition.getAsBoolean()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                progress.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 1000)));
            }
            return true;
        }
    }

    private void progressed() {
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    private void say(String format, Object... args) {
        sayAt(System.nanoTime(), format, args);
    }

    /** A line stamped with the run's time at {@code nanos}, in whole seconds. */
    private void sayAt(long nanos, String format, Object... args) {
        console.println(String.format(Locale.ROOT, "t+%02ds  ", TimeUnit.NANOSECONDS.toSeconds(nanos - startNanos))
                + String.format(Locale.ROOT, format, args));
    }

    interface IoAction {
        void run() throws Exception;
    }

    static void quietly(IoAction a) {
        try {
            a.run();
        } catch (Exception ignored) {
            // a demo client whose connection was cleaned up simply stops
        }
    }

    private void summary(ConnectionMonitor monitor, Path rec) {
        console.printf("%nSummary: %s%n", wavesLine());
        console.printf("  %-14s %6s %8s  %s%n", "pattern", "found", "cleaned", "reason");
        for (Pattern p : Pattern.values()) {
            TerminationReason reason = p.cleanupReason();
            console.printf("  %-14s %6d %8s  %s%n", p, total.found.get(p).size(),
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
        List<Path> written = List.copyOf(dumps);
        int listed = 10;
        if (written.size() > listed) {
            console.printf("  (%d earlier dumps, named above as they were written)%n", written.size() - listed);
        }
        for (Path d : written.subList(Math.max(0, written.size() - listed), written.size())) {
            console.printf("  %s%n", d.getFileName());
        }
        console.printf("%nLook at them:%n");
        if (rec != null) {
            console.printf("  jfr print --events 'io.connwatch.*' %s%n", rec.toAbsolutePath());
            console.printf("  jfr summary %s%n", rec.toAbsolutePath());
            console.printf("  JDK Mission Control: File > Open File..., %s; Event Browser > connwatch%n", rec.toAbsolutePath());
        }
        if (!written.isEmpty()) {
            console.printf("  jq '.summary, .recommendations' %s%n", written.get(written.size() - 1).toAbsolutePath());
        }
        console.printf("  java -jar target/connwatch.jar analyze %s%n", out.toAbsolutePath());
    }

    /** "1 wave, done in 13 s" or "4 waves, 3 done (13 to 15 s each), the last stopped when the time was up". */
    private String wavesLine() {
        long fastest = Long.MAX_VALUE;
        long slowest = 0;
        int done = 0;
        for (Wave w : waves) {
            if (w.doneNanos != 0) {
                done++;
                fastest = Math.min(fastest, w.seconds(w.doneNanos));
                slowest = Math.max(slowest, w.seconds(w.doneNanos));
            }
        }
        String took = done == 0 ? "" : fastest == slowest ? " in " + fastest + " s" : " in " + fastest + " to " + slowest + " s";
        if (waves.size() == 1) {
            return "1 wave, " + (done == 1 ? "done" + took : "not done within " + WAVE_CAP_SECONDS + " s");
        }
        String line = waves.size() + " waves, " + done + " done" + took;
        return waves.get(waves.size() - 1).doneNanos == 0 ? line + ", the last one stopped when the time was up" : line;
    }


    /** Status lines and the tallies of what was found; runs on the monitor's thread. */
    private final class Reporter implements MonitorListener {
        @Override
        public void onCheck(ConnectionMonitor m, CheckResult r) {
            Wave w = current;
            for (TrackedConnection c : m.tracker()) {
                for (Pattern p : Pattern.of(c.patternBits())) {
                    total.found.get(p).add(c.serial());
                    if (w != null) {
                        w.found.get(p).add(c.serial());
                    }
                }
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "active %3d ", r.activeConnections()));
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
            long now = System.nanoTime();
            if (status.shouldPrint(line.toString(), now)) {
                sayAt(now, "%s", line); // stamped with the time the throttle saw, so a heartbeat reads 5 s apart
            }
            progressed();
        }

        @Override
        public void onCleanup(ConnectionMonitor m, CleanupEvent e) {
            Pattern p = e.pattern();
            if (p != null) {
                long serial = Long.parseLong(e.connectionId().substring(2));
                total.found.get(p).add(serial);
                Wave w = current;
                if (w != null) {
                    w.found.get(p).add(serial);
                }
            }
        }

        @Override
        public void onSweep(ConnectionMonitor m, SweepResult r) {
            progressed();
        }

        @Override
        public void onCapture(ConnectionMonitor m, CaptureResult r) {
            if (r.succeeded()) {
                dumps.add(r.file());
                console.printf("        dump (%s): %s%n", r.trigger().wireName(), r.file().getFileName());
                if (r.trigger() == CaptureTrigger.ACCUMULATION) {
                    total.accumulationDumps.incrementAndGet();
                    Wave w = current;
                    if (w != null) {
                        w.accumulationDumps.incrementAndGet();
                    }
                }
            }
            progressed();
        }
    }
}
