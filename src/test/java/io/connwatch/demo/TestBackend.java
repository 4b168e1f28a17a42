package io.connwatch.demo;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The demo's backends, opened to the tests of every package: one implementation, package-private in the demo, and
 * this thin public face in the test tree only.
 */
public final class TestBackend implements AutoCloseable {
    /** What the backend does with a connection. */
    public enum Behaviour {
        /** Echoes what it reads; closes its side after the client's half-close. */
        ECHO,
        /** Reads and never answers; keeps its side open. */
        HANG,
        /** Answers the first read with one byte every 100 ms, for ever; keeps its side open. */
        DRIP,
        /** Never accepts: its backlog is full, so new connects hang until they time out. */
        NEVER_ACCEPT,
    }

    private final DemoBackend backend;

    /** Starts a backend on a free loopback port. */
    public TestBackend(Behaviour behaviour) throws IOException {
        this.backend = new DemoBackend(DemoBackend.Behaviour.valueOf(behaviour.name()));
    }

    /** A loopback address where nothing listens: connects are refused. */
    public static InetSocketAddress refusingAddress() throws IOException {
        return DemoBackend.refusingAddress();
    }

    /** Where clients connect. */
    public InetSocketAddress address() {
        return backend.address();
    }

    @Override
    public void close() throws IOException {
        backend.close();
    }
}
