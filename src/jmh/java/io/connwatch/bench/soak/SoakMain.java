package io.connwatch.bench.soak;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak's driver: the fault backend (the proxy's target), the load generator, and the end-of-soak checks read
 * through the proxy's JMX connector. Run by {@code bench/soak.sh}, which starts the proxy; never by
 * {@code mvn verify}.
 *
 * <p>The load runs in rounds. Each round plays its share of the mixed scenarios (slow ones placed in its first 60 %
 * so that they end before the round does), waits until no connection is in flight, then plays the backend's fault
 * phases: the port refusing (its listener closed), then a black hole (a listener that never accepts, backlog full),
 * then accepting again. A phase needs the port to itself, hence the wait.
 *
 * <p>Exit code 0 when every check passed, 1 when one failed, 2 for bad arguments.
 */
public final class SoakMain {
    private static final PrintStream OUT = System.out;

    private final Map<String, String> opts;
    private final List<String> failures = new ArrayList<>();
    private long peakActive;
    private long peakFds;
    private long peakInFlight;

    private SoakMain(Map<String, String> opts) {
        this.opts = opts;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                System.err.println("soak: unexpected argument " + args[i]);
                System.exit(2);
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        if (args.length % 2 != 0 || !opts.containsKey("proxy-port") || !opts.containsKey("backend-port")
                || !opts.containsKey("jmx-port")) {
            System.err.println("usage: SoakMain --proxy-port N --backend-port N --jmx-port N [--connections N]"
                    + " [--warmup N] [--warmup-rounds N] [--rounds N] [--concurrency N] [--slow-concurrency N] [--settle-seconds N]"
                    + " [--fd-slack N] [--heap-slack-percent N] [--progress-seconds N] [--seed N] [--name proxy]");
            System.exit(2);
        }
        System.exit(new SoakMain(opts).run());
    }

    private long opt(String name, long dflt) {
        return opts.containsKey(name) ? Long.parseLong(opts.get(name)) : dflt;
    }

    private int run() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        InetSocketAddress proxyAddress = new InetSocketAddress(loopback, (int) opt("proxy-port", 0));
        InetSocketAddress backendAddress = new InetSocketAddress(loopback, (int) opt("backend-port", 0));
        long connections = opt("connections", 1_000_000);
        long warmup = opt("warmup", 20_000);
        int rounds = (int) opt("rounds", 10);
        int concurrency = (int) opt("concurrency", 128);
        int slowConcurrency = (int) opt("slow-concurrency", 1024);
        long settleMs = opt("settle-seconds", 60) * 1000;
        long fdSlack = opt("fd-slack", 0);
        long heapSlackPercent = opt("heap-slack-percent", 10);
        long progressMs = opt("progress-seconds", 10) * 1000;
        Random random = new Random(opt("seed", 42));
        String name = opts.getOrDefault("name", "proxy");

        try (FaultBackend backend = new FaultBackend(backendAddress);
             LoadGenerator gen = new LoadGenerator(proxyAddress, concurrency, slowConcurrency);
             ProxyProbe probe = ProxyProbe.connect("127.0.0.1", (int) opt("jmx-port", 0), name, 30_000)) {
            backend.accepting();
            OUT.printf("soak: proxy 127.0.0.1:%d -> backend 127.0.0.1:%d, JMX 127.0.0.1:%s, MBean name=%s%n",
                    proxyAddress.getPort(), backendAddress.getPort(), opts.get("jmx-port"), name);
            OUT.printf("soak: %d connections in %d rounds, warm-up %d, concurrency %d fast + %d slow, seed %s%n",
                    connections, rounds, warmup, concurrency, slowConcurrency, opts.getOrDefault("seed", "42"));
            OUT.println("soak: mix per 1000: " + mix());

            // ---- warm-up, then the baseline ----
            if (warmup > 0) {
                long t0 = System.nanoTime();
                play(gen, backend, probe, warmup, (int) Math.max(1, opt("warmup-rounds", 2)), random, progressMs,
                        "warm-up");
                OUT.printf("soak: warm-up done in %.1f s%n", LoadGenerator.elapsedMillis(t0) / 1000.0);
            }
            LoadGenerator.Stats warm = gen.resetStats();
            waitForActive(probe, 0, settleMs);
            ProxyProbe.Snapshot base = probe.snapshot();
            long baseFds = probe.openFdsSettled(5, 200);
            long baseHeap = minHeapAfterGc(probe);
            long baseThreads = probe.threads();
            long baseDirect = probe.directBufferBytes();
            OUT.printf("soak: baseline: active %d, opened %d, closed %d, open fds %d, heap after GC %s, threads %d,"
                            + " direct buffers %s%n", base.active(), base.opened(), base.closed(), baseFds,
                    mib(baseHeap), baseThreads, mib(baseDirect));
            if (warm.problemCount() > 0) {
                OUT.println("soak: warm-up problems: " + problems(warm));
            }

            // ---- the load ----
            long t0 = System.nanoTime();
            play(gen, backend, probe, connections, rounds, random, progressMs, "load");
            long loadMs = LoadGenerator.elapsedMillis(t0);
            LoadGenerator.Stats load = gen.stats();
            long made = load.total(load.connected);
            OUT.printf("soak: load done: %d connections in %.1f s, %.0f connections/s%n", made, loadMs / 1000.0,
                    made * 1000.0 / Math.max(1, loadMs));

            // ---- cleanups finish: back to the baseline? ----
            long s0 = System.nanoTime();
            boolean activeBack = waitForActive(probe, base.active(), settleMs);
            long activeMs = LoadGenerator.elapsedMillis(s0);
            long fdDeadline = System.currentTimeMillis() + Math.max(5_000, settleMs - activeMs);
            long fds = probe.openFdsSettled(5, 200);
            while (fds > baseFds + fdSlack && System.currentTimeMillis() < fdDeadline) {
                Thread.sleep(500);
                fds = probe.openFdsSettled(5, 200);
            }
            long settledMs = LoadGenerator.elapsedMillis(s0);
            ProxyProbe.Snapshot end = probe.snapshot();
            long endHeap = minHeapAfterGc(probe);
            long endThreads = probe.threads();
            long endDirect = probe.directBufferBytes();

            // ---- report ----
            OUT.println();
            OUT.println("== generator: per scenario (load only) ==");
            OUT.printf("%-26s %4s %9s %9s %9s %7s %9s %9s%n", "scenario", "code", "started", "connected", "as-expected",
                    "resets", "avg ms", "max ms");
            for (Scenario s : Scenario.values()) {
                long n = load.connected.get(s).sum();
                OUT.printf("%-26s %4s %9d %9d %9d %7d %9.1f %9d%n", s.name().toLowerCase(Locale.ROOT), s.code,
                        load.started.get(s).sum(), n, load.ok.get(s).sum(), load.resets.get(s).sum(),
                        n == 0 ? 0.0 : load.millis.get(s).sum() / (double) n, load.maxMillis.get(s).get());
            }
            OUT.printf("%-26s %4s %9d %9d %9d%n", "total", "", load.total(load.started), made, load.total(load.ok));
            if (load.problemCount() > 0) {
                OUT.println("not as expected: " + problems(load));
            }
            OUT.printf("backend: accepted %d (all stretches), handler errors %d%n", backend.accepted.sum(),
                    backend.handlerErrors.sum());

            OUT.println();
            OUT.println("== proxy, through JMX: baseline -> end ==");
            OUT.printf("active connections   %d -> %d (peak during the load %d; in flight at the generator, peak %d)%n",
                    base.active(), end.active(), Math.max(peakActive, end.peak()), peakInFlight);
            OUT.printf("open file descriptors %d -> %d (peak seen %d)%n", baseFds, fds, peakFds);
            OUT.printf("heap after GC        %s -> %s (%+.1f %%)%n", mib(baseHeap), mib(endHeap),
                    100.0 * (endHeap - baseHeap) / baseHeap);
            OUT.printf("threads              %d -> %d; direct buffers %s -> %s%n", baseThreads, endThreads,
                    mib(baseDirect), mib(endDirect));
            OUT.printf("opened / closed      %d / %d -> %d / %d (during the load: opened %d, closed %d)%n",
                    base.opened(), base.closed(), end.opened(), end.closed(), end.opened() - base.opened(),
                    end.closed() - base.closed());
            OUT.printf("back to baseline after the load: active in %.1f s, all in %.1f s%n", activeMs / 1000.0,
                    settledMs / 1000.0);
            Map<String, Map<String, Long>> delta = end.reasonsSince(base);
            OUT.println("termination reasons during the load, by side: " + delta);
            OUT.println("termination reasons since the proxy started, by side: " + end.reasons());
            for (String side : end.reasons().keySet()) {
                OUT.printf("  %-8s closes %d (during the load %d)%n", side, end.sideTotal(side),
                        delta.getOrDefault(side, Map.of()).values().stream().mapToLong(Long::longValue).sum());
            }

            OUT.println();
            OUT.println("== checks ==");
            check(activeBack && end.active() == base.active(),
                    "active back at baseline: " + end.active() + " (baseline " + base.active() + ")");
            check(fds <= baseFds + fdSlack, "open fds back at baseline: " + fds + " (baseline " + baseFds
                    + (fdSlack > 0 ? ", slack " + fdSlack : "") + ")");
            check(endHeap <= baseHeap + baseHeap * heapSlackPercent / 100, String.format(Locale.ROOT,
                    "heap after GC within %d %%: %s (baseline %s, %+.1f %%)", heapSlackPercent, mib(endHeap),
                    mib(baseHeap), 100.0 * (endHeap - baseHeap) / baseHeap));
            check(end.opened() == end.closed() + end.active(), "opened = closed + active: " + end.opened() + " = "
                    + end.closed() + " + " + end.active());
            check(end.reasonTotal() == end.closed(), "reasons add up: incoming " + end.sideTotal("incoming")
                    + " + outgoing " + end.sideTotal("outgoing") + " = " + end.reasonTotal() + ", closed "
                    + end.closed());
            check(end.opened() - base.opened() == made, "every connection the generator made was seen: opened "
                    + (end.opened() - base.opened()) + " during the load, generator made " + made);
            check(end.closed() - base.closed() == made, "and closed: closed " + (end.closed() - base.closed())
                    + " during the load");
            check(load.problemCount() == 0 && load.connectFailures.sum() == 0,
                    "every scenario went as expected at the client: " + load.problemCount() + " did not");
            checkReasons(load, delta);
            OUT.println();
            if (failures.isEmpty()) {
                OUT.println("SOAK PASSED");
                return 0;
            }
            OUT.println("SOAK FAILED: " + failures.size() + " check(s): " + String.join("; ", failures));
            return 1;
        }
    }

    /**
     * Each reason's count must lie between the connections of scenarios that can only end with it and those of all
     * scenarios that may end with it; and no reason outside those the scenarios allow.
     */
    private void checkReasons(LoadGenerator.Stats load, Map<String, Map<String, Long>> delta) {
        Map<String, Long> byReason = new TreeMap<>();
        delta.values().forEach(m -> m.forEach((r, n) -> byReason.merge(r, n, Long::sum)));
        TreeSet<String> all = new TreeSet<>(byReason.keySet());
        for (Scenario s : Scenario.values()) {
            all.addAll(s.reasons);
        }
        OUT.printf("  %-22s %9s %9s %9s%n", "reason", "counted", "at least", "at most");
        boolean ok = true;
        for (String r : all) {
            long min = 0;
            long max = 0;
            for (Scenario s : Scenario.values()) {
                long n = load.connected.get(s).sum();
                if (s.reasons.contains(r)) {
                    max += n;
                    if (s.reasons.size() == 1) {
                        min += n;
                    }
                }
            }
            long got = byReason.getOrDefault(r, 0L);
            boolean in = got >= min && got <= max;
            ok &= in;
            OUT.printf("  %-22s %9d %9d %9d%s%n", r, got, min, max, in ? "" : "   <- out of range");
        }
        check(ok, "termination reasons match what the generator did (by scenario)");
    }

    private void check(boolean ok, String what) {
        OUT.println((ok ? "PASS  " : "FAIL  ") + what);
        if (!ok) {
            failures.add(what);
        }
    }

    /** Plays {@code n} connections in {@code rounds} rounds, each with its backend fault phases. */
    private void play(LoadGenerator gen, FaultBackend backend, ProxyProbe probe, long n, int rounds, Random random,
                      long progressMs, String label) throws Exception {
        long t0 = System.nanoTime();
        long[] nextProgress = {progressMs};
        long drainMs = 0;
        long phaseMs = 0;
        for (int r = 0; r < rounds; r++) {
            long size = n / rounds + (r < n % rounds ? 1 : 0);
            Map<Scenario, Long> counts = counts(size);
            List<Scenario> mixed = mixed(counts, random);
            for (int i = 0; i < mixed.size(); i++) {
                gen.submit(mixed.get(i));
                if ((i & 255) == 0) {
                    progress(gen, probe, t0, nextProgress, progressMs, label);
                }
            }
            long d0 = System.nanoTime();
            gen.awaitIdle();
            // Clients that leave at once (a reset, half a request) are done before the proxy is: wait for the proxy
            // too, so that no backend connect of the mixed traffic meets the fault phases.
            if (!waitForActive(probe, 0, 30_000)) {
                failures.add(label + " round " + (r + 1) + ": the proxy's active count did not reach 0 before the"
                        + " fault phases");
            }
            drainMs += LoadGenerator.elapsedMillis(d0);
            long p0 = System.nanoTime();
            backend.refusing();
            submitAll(gen, counts, Scenario.Kind.REFUSE_PHASE, random);
            gen.awaitIdle();
            waitForActive(probe, 0, 30_000);
            backend.blackHole();
            submitAll(gen, counts, Scenario.Kind.TIMEOUT_PHASE, random);
            gen.awaitIdle();
            waitForActive(probe, 0, 30_000);
            backend.accepting();
            phaseMs += LoadGenerator.elapsedMillis(p0);
        }
        OUT.printf("soak: %s: %d rounds, waits for in-flight connections before the phases %.1f s in all, fault"
                + " phases %.1f s in all%n", label, rounds, drainMs / 1000.0, phaseMs / 1000.0);
    }

    private void progress(LoadGenerator gen, ProxyProbe probe, long t0, long[] next, long everyMs, String label)
            throws Exception {
        long ms = LoadGenerator.elapsedMillis(t0);
        int inFlight = gen.inFlight();
        peakInFlight = Math.max(peakInFlight, inFlight);
        if (ms < next[0]) {
            return;
        }
        next[0] = ms + everyMs;
        LoadGenerator.Stats st = gen.stats();
        long started = st.total(st.started);
        long active = probe.monitor().getActiveConnections();
        long fds = probe.openFds();
        peakActive = Math.max(peakActive, active);
        peakFds = Math.max(peakFds, fds);
        OUT.printf("soak: %s t+%4ds  started %9d  %6.0f/s  in flight %4d  proxy active %4d  fds %5d  problems %d%n",
                label, ms / 1000, started, started * 1000.0 / Math.max(1, ms), inFlight, active, fds,
                st.problemCount());
    }

    private static void submitAll(LoadGenerator gen, Map<Scenario, Long> counts, Scenario.Kind kind, Random random)
            throws InterruptedException {
        List<Scenario> list = new ArrayList<>();
        counts.forEach((s, c) -> {
            if (s.kind == kind) {
                for (long i = 0; i < c; i++) {
                    list.add(s);
                }
            }
        });
        Collections.shuffle(list, random);
        for (Scenario s : list) {
            gen.submit(s);
        }
    }

    /** Connections per scenario in a round of {@code size}: by weight, the rest normal. */
    static Map<Scenario, Long> counts(long size) {
        Map<Scenario, Long> counts = new java.util.EnumMap<>(Scenario.class);
        long rest = size;
        for (Scenario s : Scenario.values()) {
            if (s != Scenario.NORMAL) {
                long c = size * s.weight / 1000;
                counts.put(s, c);
                rest -= c;
            }
        }
        counts.put(Scenario.NORMAL, rest);
        return counts;
    }

    /** The mixed part of a round, shuffled, with the slow scenarios in its first 60 %. */
    static List<Scenario> mixed(Map<Scenario, Long> counts, Random random) {
        List<Scenario> fast = new ArrayList<>();
        List<Scenario> slow = new ArrayList<>();
        counts.forEach((s, c) -> {
            for (long i = 0; i < c; i++) {
                if (s.kind == Scenario.Kind.FAST) {
                    fast.add(s);
                } else if (s.kind == Scenario.Kind.SLOW) {
                    slow.add(s);
                }
            }
        });
        Collections.shuffle(fast, random);
        int total = fast.size() + slow.size();
        int head = Math.max(slow.size(), (int) (total * 0.6));
        List<Scenario> front = new ArrayList<>(fast.subList(0, head - slow.size()));
        front.addAll(slow);
        Collections.shuffle(front, random);
        front.addAll(fast.subList(head - slow.size(), fast.size()));
        return front;
    }

    private static String mix() {
        StringBuilder b = new StringBuilder();
        for (Scenario s : Scenario.values()) {
            b.append(b.length() == 0 ? "" : ", ").append(s.name().toLowerCase(Locale.ROOT)).append(' ').append(s.weight);
        }
        return b.toString();
    }

    private boolean waitForActive(ProxyProbe probe, long target, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (probe.monitor().getActiveConnections() != target) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    private static long minHeapAfterGc(ProxyProbe probe) throws InterruptedException {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            min = Math.min(min, probe.heapAfterGc());
            Thread.sleep(200);
        }
        return min;
    }

    private static String problems(LoadGenerator.Stats st) {
        Map<String, Long> m = new TreeMap<>();
        st.problems.forEach((k, v) -> m.put(k, v.sum()));
        return m.toString();
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    static long sum(Map<?, LongAdder> m) {
        return m.values().stream().mapToLong(LongAdder::sum).sum();
    }
}
