package io.connwatch;

import io.connwatch.tracking.Endpoint;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link Endpoint}: its state is a set of flags a test flips, {@link #close()} destroys it, and in
 * throw mode every probe throws, as a broken adapter would.
 */
public final class FakeEndpoint implements Endpoint {
    public volatile boolean destroyed;
    public volatile boolean readable = true;
    public volatile boolean writable = true;
    public volatile boolean connecting;
    public volatile boolean throwOnProbe;
    private volatile Map<String, Integer> listeners = Map.of();
    private final AtomicInteger closeCalls = new AtomicInteger();

    /** An open endpoint. */
    public FakeEndpoint() {
    }

    /** An endpoint whose every probe throws. */
    public static FakeEndpoint throwing() {
        FakeEndpoint e = new FakeEndpoint();
        e.throwOnProbe = true;
        return e;
    }

    /** Sets the listener counts. */
    public FakeEndpoint listeners(Map<String, Integer> counts) {
        this.listeners = Map.copyOf(counts);
        return this;
    }

    /** How many times {@link #close()} was called. */
    public int closeCalls() {
        return closeCalls.get();
    }

    private void probed() {
        if (throwOnProbe) {
            throw new IllegalStateException("probe failed: broken endpoint");
        }
    }

    @Override
    public boolean destroyed() {
        probed();
        return destroyed;
    }

    @Override
    public boolean readable() {
        probed();
        return !destroyed && readable;
    }

    @Override
    public boolean writable() {
        probed();
        return !destroyed && writable;
    }

    @Override
    public boolean connecting() {
        probed();
        return !destroyed && connecting;
    }

    @Override
    public Map<String, Integer> listenerCounts() {
        probed();
        return listeners;
    }

    @Override
    public void close() {
        closeCalls.incrementAndGet();
        destroyed = true;
    }

    @Override
    public String toString() {
        return "FakeEndpoint[" + (destroyed ? "destroyed" : "open") + (throwOnProbe ? ", throwing" : "") + "]";
    }
}
