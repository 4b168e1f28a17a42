package io.connwatch.bench.soak;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The proxy's one target: a blocking server on one port whose behaviour per connection is chosen by the first byte
 * of the request line (see {@link Scenario}), and which can switch that port between three states: accepting,
 * refusing (no listener: the connect gets a reset, ECONNREFUSED), and black hole (a listener that never accepts,
 * its backlog full, so that SYNs are dropped and the connect times out).
 */
final class FaultBackend implements AutoCloseable {
    static final int BIG = 1 << 20;
    static final byte[] RESPONSE = ("OK 200 " + "x".repeat(92) + "\n").getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_LINE = 4096;
    private static final int SOCKET_TIMEOUT_MS = 120_000;
    private static final long LINGERING_HALF_ZOMBIE_MS = 30_000;

    enum State { ACCEPTING, REFUSING, BLACK_HOLE }

    private final InetSocketAddress address;
    private final AtomicInteger threadIds = new AtomicInteger();
    private final ExecutorService handlers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(null, r, "backend-" + threadIds.incrementAndGet(), 256 * 1024);
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "backend-reaper");
        t.setDaemon(true);
        return t;
    });
    final LongAdder accepted = new LongAdder();
    final LongAdder handlerErrors = new LongAdder();
    private volatile ServerSocket server;
    private Thread acceptor;
    private final List<Socket> fillers = new ArrayList<>();
    private State state = State.REFUSING;

    FaultBackend(InetSocketAddress address) {
        this.address = address;
    }

    synchronized State state() {
        return state;
    }

    /** Listens and serves. */
    synchronized void accepting() throws IOException {
        closeListener();
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(address, 4096);
        server = s;
        Thread t = new Thread(() -> acceptLoop(s), "backend-accept");
        t.setDaemon(true);
        t.start();
        acceptor = t;
        state = State.ACCEPTING;
    }

    /** No listener: connects are refused. */
    synchronized void refusing() throws IOException {
        closeListener();
        state = State.REFUSING;
    }

    /**
     * A listener with a backlog of 1 that never accepts, filled with connections of our own until a probe connect
     * times out: from then on the kernel drops SYNs to the port.
     */
    synchronized void blackHole() throws IOException {
        closeListener();
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(address, 1);
        server = s;
        state = State.BLACK_HOLE;
        for (int i = 0; i < 64; i++) {
            Socket f = new Socket();
            try {
                f.connect(address, 300);
                fillers.add(f);
            } catch (SocketTimeoutException full) {
                f.close();
                return;
            }
        }
        throw new IOException("the black-hole listener kept accepting connects after 64 fillers");
    }

    private void closeListener() throws IOException {
        for (Socket f : fillers) {
            f.close();
        }
        fillers.clear();
        ServerSocket s = server;
        server = null;
        if (s != null) {
            s.close();
        }
        // The accept() in progress holds the listening socket until it returns: wait for that, or a connect made
        // just after close() could still be accepted.
        Thread t = acceptor;
        acceptor = null;
        if (t != null) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                throw new IOException("the backend's accept thread did not stop within 5 s");
            }
        }
    }

    private void acceptLoop(ServerSocket s) {
        while (!s.isClosed()) {
            Socket c;
            try {
                c = s.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.increment();
            handlers.execute(() -> serve(c));
        }
    }

    private void serve(Socket c) {
        boolean keep = false;
        try {
            c.setSoTimeout(SOCKET_TIMEOUT_MS);
            c.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(c.getInputStream(), 1024);
            OutputStream out = c.getOutputStream();
            byte[] line = new byte[MAX_LINE];
            int n = readLine(in, line);
            if (n <= 0) {
                return; // a silent client (idle, or gone before a full line): the end came first
            }
            Scenario s = Scenario.of((char) line[0]);
            if (s == null) {
                handlerErrors.increment();
                return;
            }
            switch (s) {
                case NORMAL, CLIENT_HALF_CLOSE, REFUSED, CONNECT_TIMEOUT -> out.write(RESPONSE);
                case ECHO_KEEP_ALIVE -> {
                    do {
                        out.write(line, 0, n);
                        out.flush();
                    } while ((n = readLine(in, line)) > 0);
                }
                case DRIP -> {
                    int chunk = RESPONSE.length / 5;
                    for (int off = 0; off < RESPONSE.length; off += chunk) {
                        out.write(RESPONSE, off, Math.min(chunk, RESPONSE.length - off));
                        out.flush();
                        Thread.sleep(30);
                    }
                }
                case BIG_DOWNLOAD, CLIENT_LEAVES_MID_RESPONSE -> {
                    byte[] chunk = new byte[16 * 1024];
                    for (int sent = 0; sent < BIG; sent += chunk.length) {
                        out.write(chunk);
                    }
                }
                case BIG_UPLOAD -> {
                    byte[] buf = new byte[16 * 1024];
                    long got = 0;
                    int r;
                    while (got < BIG && (r = in.read(buf, 0, (int) Math.min(buf.length, BIG - got))) >= 0) {
                        got += r;
                    }
                    if (got == BIG) {
                        out.write(RESPONSE);
                    }
                }
                case BACKEND_RESET -> c.setSoLinger(true, 0);
                case BACKEND_CLOSE -> { }
                case BACKEND_HALF_CLOSE -> {
                    out.write(RESPONSE);
                    out.flush();
                    c.shutdownOutput();
                    drain(in);
                }
                case BACKEND_HANGS, CLIENT_RESET -> drain(in);
                case HALF_ZOMBIE -> {
                    // The client's half-close arrives as an end of stream; stay open and silent. The proxy's
                    // cleanup closes its side; ours is closed later, off this thread.
                    drain(in);
                    keep = true;
                    reaper.schedule(() -> closeQuietly(c), LINGERING_HALF_ZOMBIE_MS, TimeUnit.MILLISECONDS);
                }
                default -> handlerErrors.increment();
            }
        } catch (IOException e) {
            // resets and the like are what some scenarios are about
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!keep) {
                closeQuietly(c);
            }
        }
    }

    /** Reads up to and including '\n'; the length, or 0 / -1 when the stream ended first. */
    private static int readLine(InputStream in, byte[] buf) throws IOException {
        int n = 0;
        while (n < buf.length) {
            int b = in.read();
            if (b < 0) {
                return n == 0 ? -1 : 0;
            }
            buf[n++] = (byte) b;
            if (b == '\n') {
                return n;
            }
        }
        return n;
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[1024];
        while (in.read(buf) >= 0) {
            // discard
        }
    }

    private static void closeQuietly(Socket c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public synchronized void close() throws IOException {
        closeListener();
        reaper.shutdownNow();
        handlers.shutdownNow();
    }
}
