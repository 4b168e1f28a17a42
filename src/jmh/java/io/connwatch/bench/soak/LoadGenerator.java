package io.connwatch.bench.soak;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Plays {@link Scenario}s against the proxy with blocking sockets: fast ones on a pool of {@code concurrency}
 * threads, slow ones (those the proxy's cleanup has to end, and the backend fault phases) on a pool of
 * {@code slowConcurrency} threads, each pool bounded by a semaphore so that at most that many connections of its
 * kind are in flight. Counts, per scenario, what it started, what went as expected, and what did not (by kind).
 */
final class LoadGenerator implements AutoCloseable {
    /** How long a client waits for anything before it calls the connection hung. */
    static final int CLIENT_TIMEOUT_MS = 60_000;

    private final InetSocketAddress proxy;
    private final int concurrency;
    private final int slowConcurrency;
    private final Semaphore fastPermits;
    private final Semaphore slowPermits;
    private final ExecutorService fast;
    private final ExecutorService slow;
    private final AtomicLong ids = new AtomicLong();
    private volatile Stats stats = new Stats();

    LoadGenerator(InetSocketAddress proxy, int concurrency, int slowConcurrency) {
        this.proxy = proxy;
        this.concurrency = concurrency;
        this.slowConcurrency = slowConcurrency;
        this.fastPermits = new Semaphore(concurrency);
        this.slowPermits = new Semaphore(slowConcurrency);
        this.fast = Executors.newFixedThreadPool(concurrency, threads("client-fast"));
        this.slow = Executors.newFixedThreadPool(slowConcurrency, threads("client-slow"));
    }

    private static java.util.concurrent.ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(null, r, prefix + "-" + n.incrementAndGet(), 256 * 1024);
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts counting afresh and returns the counts so far. */
    Stats resetStats() {
        Stats old = stats;
        stats = new Stats();
        return old;
    }

    Stats stats() {
        return stats;
    }

    /** Starts one connection of this scenario, waiting for a free slot of its kind. */
    void submit(Scenario s) throws InterruptedException {
        boolean isFast = s.kind == Scenario.Kind.FAST;
        Semaphore permits = isFast ? fastPermits : slowPermits;
        permits.acquire();
        Stats st = stats;
        st.started.get(s).increment();
        try {
            (isFast ? fast : slow).execute(() -> {
                try {
                    play(s, st);
                } finally {
                    permits.release();
                }
            });
        } catch (RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    /** Waits until no connection is in flight. */
    void awaitIdle() throws InterruptedException {
        fastPermits.acquire(concurrency);
        slowPermits.acquire(slowConcurrency);
        slowPermits.release(slowConcurrency);
        fastPermits.release(concurrency);
    }

    /** Connections in flight now. */
    int inFlight() {
        return concurrency - fastPermits.availablePermits() + slowConcurrency - slowPermits.availablePermits();
    }

    private void play(Scenario s, Stats st) {
        long id = ids.incrementAndGet();
        long t0 = System.nanoTime();
        String problem;
        Socket c = new Socket();
        try {
            c.setTcpNoDelay(true);
            c.setSoTimeout(CLIENT_TIMEOUT_MS);
            try {
                c.connect(proxy, CLIENT_TIMEOUT_MS);
            } catch (IOException e) {
                st.connectFailures.increment();
                st.problem(s, "connect to the proxy failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                return;
            }
            st.connected.get(s).increment();
            problem = scenario(s, id, c, st);
        } catch (SocketTimeoutException e) {
            problem = "no end within " + CLIENT_TIMEOUT_MS / 1000 + " s (hung)";
        } catch (IOException e) {
            problem = e.getClass().getSimpleName() + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
        } catch (RuntimeException e) {
            problem = e.toString();
        } finally {
            try {
                c.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        st.millis.get(s).add(ms);
        st.maxMillis.get(s).accumulate(ms);
        if (problem == null) {
            st.ok.get(s).increment();
        } else {
            st.problem(s, problem);
        }
    }

    /** Plays the client's part; null when all went as expected, else what did not. */
    private String scenario(Scenario s, long id, Socket c, Stats st) throws IOException, InterruptedException {
        OutputStream out = c.getOutputStream();
        InputStream in = c.getInputStream();
        byte[] request = (s.code + " " + id + "\n").getBytes(StandardCharsets.US_ASCII);
        switch (s) {
            case NORMAL, DRIP, BACKEND_HALF_CLOSE -> {
                out.write(request);
                return expect(s, readToEnd(in, st, s), FaultBackend.RESPONSE.length);
            }
            case BIG_DOWNLOAD -> {
                out.write(request);
                return expect(s, readToEnd(in, st, s), FaultBackend.BIG);
            }
            case BIG_UPLOAD -> {
                out.write(request);
                byte[] chunk = new byte[16 * 1024];
                for (int sent = 0; sent < FaultBackend.BIG; sent += chunk.length) {
                    out.write(chunk);
                }
                return expect(s, readToEnd(in, st, s), FaultBackend.RESPONSE.length);
            }
            case CLIENT_LEAVES_MID_RESPONSE -> {
                out.write(request);
                byte[] some = new byte[1024];
                int got = 0;
                while (got < some.length) {
                    int n = in.read(some, got, some.length - got);
                    if (n < 0) {
                        return "the answer ended after " + got + " bytes";
                    }
                    got += n;
                }
                return null; // closed with unread data: the kernel sends a reset
            }
            case CLIENT_HALF_CLOSE -> {
                out.write(request);
                c.shutdownOutput();
                return expect(s, readToEnd(in, st, s), FaultBackend.RESPONSE.length);
            }
            case ECHO_KEEP_ALIVE -> {
                byte[] back = new byte[request.length];
                for (int i = 0; i < 3; i++) {
                    out.write(request);
                    int got = 0;
                    while (got < back.length) {
                        int n = in.read(back, got, back.length - got);
                        if (n < 0) {
                            return "echo: the connection ended after " + i + " round trips";
                        }
                        got += n;
                    }
                    if (!java.util.Arrays.equals(back, request)) {
                        return "echo: a different answer";
                    }
                }
                c.shutdownOutput();
                return expect(s, readToEnd(in, st, s), 0);
            }
            case BACKEND_RESET, BACKEND_CLOSE, BACKEND_HANGS, REFUSED, CONNECT_TIMEOUT -> {
                out.write(request);
                return expect(s, readToEnd(in, st, s), 0);
            }
            case HALF_ZOMBIE -> {
                out.write(request);
                c.shutdownOutput();
                return expect(s, readToEnd(in, st, s), 0);
            }
            case CLIENT_IDLE -> {
                return expect(s, readToEnd(in, st, s), 0);
            }
            case CLIENT_RESET -> {
                out.write(request);
                c.setSoLinger(true, 0);
                return null;
            }
            case CLIENT_LEAVES_MID_REQUEST -> {
                out.write((s.code + " " + id + " half a requ").getBytes(StandardCharsets.US_ASCII));
                return null;
            }
            case LEAVES_DURING_CONNECT -> {
                Thread.sleep(300);
                return null;
            }
            default -> {
                return "no client part for " + s;
            }
        }
    }

    private static String expect(Scenario s, long got, long want) {
        return got == want ? null : "answer of " + got + " bytes, expected " + want;
    }

    /** Reads to the end of stream; a reset also ends it (counted). Returns the bytes read. */
    private static long readToEnd(InputStream in, Stats st, Scenario s) throws IOException {
        byte[] buf = new byte[512];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                total += n;
            }
        } catch (SocketException e) {
            if (String.valueOf(e.getMessage()).toLowerCase().contains("reset")) {
                st.resets.get(s).increment();
            } else {
                throw e;
            }
        }
        return total;
    }

    @Override
    public void close() {
        fast.shutdownNow();
        slow.shutdownNow();
    }

    /** Counts of one stretch of the soak (the warm-up, or the load). */
    static final class Stats {
        final Map<Scenario, LongAdder> started = adders();
        final Map<Scenario, LongAdder> connected = adders();
        final Map<Scenario, LongAdder> ok = adders();
        final Map<Scenario, LongAdder> resets = adders();
        final Map<Scenario, LongAdder> millis = adders();
        final Map<Scenario, LongAccumulator> maxMillis = new EnumMap<>(Scenario.class);
        final Map<String, LongAdder> problems = new ConcurrentHashMap<>();
        final LongAdder connectFailures = new LongAdder();

        Stats() {
            for (Scenario s : Scenario.values()) {
                maxMillis.put(s, new LongAccumulator(Math::max, 0));
            }
        }

        private static Map<Scenario, LongAdder> adders() {
            Map<Scenario, LongAdder> m = new EnumMap<>(Scenario.class);
            for (Scenario s : Scenario.values()) {
                m.put(s, new LongAdder());
            }
            return m;
        }

        void problem(Scenario s, String what) {
            problems.computeIfAbsent(s + ": " + what, k -> new LongAdder()).increment();
        }

        long total(Map<Scenario, LongAdder> m) {
            return m.values().stream().mapToLong(LongAdder::sum).sum();
        }

        long problemCount() {
            return problems.values().stream().mapToLong(LongAdder::sum).sum();
        }
    }

    static long elapsedMillis(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }
}
