package io.connwatch.demo;

import io.connwatch.tracking.ConnectionTracker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The demo's monitored plain-socket relay with its host bugs, opened to the tests of every package: one
 * implementation, package-private in the demo, and this thin public face in the test tree only.
 */
public final class TestRelay implements AutoCloseable {
    private final BlockingRelay relay;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();

    /** Starts a relay on a free loopback port, to {@code target}, tracked by {@code tracker}. */
    public TestRelay(ConnectionTracker tracker, InetSocketAddress target) throws IOException {
        this.relay = new BlockingRelay(tracker, target);
    }

    /** Bug: accepted clients are tracked but never connected to the backend. */
    public TestRelay neverRoute() {
        relay.neverRoute();
        return this;
    }

    /** Bug: each message from the client registers one more "data" callback that is never removed. */
    public TestRelay leakListeners() {
        relay.leakListeners();
        return this;
    }

    /** Bug: when a side ends, both sockets are closed and the tracker is never told. */
    public TestRelay forgetful() {
        relay.forgetful();
        return this;
    }

    /** Where clients connect. */
    public InetSocketAddress address() {
        return relay.address();
    }

    /** Opens a client socket to the relay; closed with the relay. */
    public Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.address().getPort());
        clients.add(s);
        return s;
    }

    @Override
    public void close() throws IOException {
        for (Socket s : clients) {
            s.close();
        }
        relay.close();
    }
}
