package io.connwatch.demo;

import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Endpoints;
import io.connwatch.tracking.ProtocolSniffer;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A blocking TCP relay on loopback wired to a tracker the way the README tells a plain-socket host to: one thread per
 * direction, bytes counted on every read, half-close passed through, close reasons from what happened.
 *
 * <p>The demo runs it with one of two host bugs: adding a callback per message and never removing it, or closing
 * sockets without telling the tracker.
 */
final class BlockingRelay implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;


    private final ConnectionTracker tracker;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final ExecutorService threads;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean leakListeners;
    private volatile boolean forgetful;
    private volatile boolean neverRoute;

    /** Listens on an ephemeral loopback port and relays each client to {@code target}. */
    BlockingRelay(ConnectionTracker tracker, InetSocketAddress target) throws IOException {
        this.tracker = tracker;
        this.target = target;
        this.server = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "relay-" + server.getLocalPort());
            t.setDaemon(true);
            return t;
        });
        threads.execute(this::acceptLoop);
    }

    /** Bug: each message from the client registers one more "data" callback that is never removed. */
    BlockingRelay leakListeners() {
        this.leakListeners = true;
        return this;
    }

    /** Bug: when a side ends, both sockets are closed and the tracker is never told. */
    BlockingRelay forgetful() {
        this.forgetful = true;
        return this;
    }

    /** Bug: accepted clients are tracked but never connected to the backend (the tests' NO_OUTGOING host). */
    BlockingRelay neverRoute() {
        this.neverRoute = true;
        return this;
    }

    /** Where clients connect. */
    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                threads.execute(() -> serve(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        List<Consumer<byte[]>> callbacks = new CopyOnWriteArrayList<>();
        TrackedConnection c = tracker.open(Endpoints.of(client, () -> Map.of("data", callbacks.size())),
                client.getRemoteSocketAddress(), client.getLocalPort());
        c.target(target.getHostString(), target.getPort());
        if (neverRoute) {
            return;
        }
        Socket backend = new Socket();
        sockets.add(backend);
        try {
            backend.connect(target, CONNECT_TIMEOUT_MILLIS);
        } catch (ConnectException refused) {
            c.close(Side.OUTGOING, TerminationReason.ECONNREFUSED);
            closeQuietly(client);
            return;
        } catch (SocketTimeoutException timeout) {
            c.close(Side.OUTGOING, TerminationReason.CONNECT_TIMEOUT);
            closeQuietly(client);
            return;
        } catch (IOException e) {
            c.close(Side.OUTGOING, TerminationReason.ERROR);
            closeQuietly(client);
            return;
        }
        if (client.isClosed()) {
            // cleaned up (or the client left) while connecting
            closeQuietly(backend);
            c.close(Side.INCOMING, TerminationReason.CLOSED_INCOMING);
            return;
        }
        c.attachOutgoing(Endpoints.of(backend));
        AtomicBoolean oneDone = new AtomicBoolean();
        threads.execute(() -> pump(c, client, backend, Side.INCOMING, oneDone, callbacks));
        pump(c, backend, client, Side.OUTGOING, oneDone, callbacks);
    }

    private void pump(TrackedConnection c, Socket from, Socket to, Side fromSide, AtomicBoolean oneDone,
                      List<Consumer<byte[]>> callbacks) {
        byte[] buf = new byte[8192];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (fromSide == Side.INCOMING) {
                    if (!c.hasReceivedInitialData()) {
                        ProtocolSniffer.sniff(c, buf, n);
                    }
                    c.addBytesReceived(n);
                    if (leakListeners) {
                        callbacks.add(bytes -> { });
                    }
                } else {
                    c.addBytesSent(n);
                }
                out.write(buf, 0, n);
                out.flush();
            }
            if (forgetful) {
                closeQuietly(from);
                closeQuietly(to);
                return;
            }
            c.endOfStream(fromSide);
            if (!to.isClosed()) {
                to.shutdownOutput();
            }
            if (oneDone.getAndSet(true)) {
                c.close(fromSide, TerminationReason.NORMAL);
                closeQuietly(from);
                closeQuietly(to);
            }
        } catch (SocketException e) {
            if (!forgetful) {
                String m = String.valueOf(e.getMessage());
                c.close(fromSide, m.contains("reset") ? TerminationReason.ECONNRESET
                        : fromSide == Side.INCOMING ? TerminationReason.CLOSED_INCOMING
                        : TerminationReason.CLOSED_OUTGOING);
            }
            closeQuietly(from);
            closeQuietly(to);
        } catch (IOException e) {
            if (!forgetful) {
                c.close(fromSide, TerminationReason.ERROR);
            }
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Stops listening and closes every socket it opened or accepted. */
    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        threads.shutdownNow();
    }
}
