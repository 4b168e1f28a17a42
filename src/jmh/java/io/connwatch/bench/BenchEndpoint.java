package io.connwatch.bench;

import io.connwatch.tracking.Endpoint;
import java.util.Map;

/**
 * An in-memory {@link Endpoint} for benchmarks: a socket's state as volatile flags, no socket behind it.
 *
 * <p>{@code viaMap} selects how {@link #maxListenerCount()} answers: {@code false} answers from the field (what an
 * adapter that overrides it does), {@code true} goes through {@link Endpoint}'s default, which builds the
 * {@link #listenerCounts()} map (what an adapter that only implements {@code listenerCounts} costs a check).
 */
final class BenchEndpoint implements Endpoint {
    private final boolean viaMap;
    volatile boolean destroyed;
    volatile boolean inputShutdown;
    volatile boolean outputShutdown;
    volatile boolean connecting;
    volatile int listeners;

    BenchEndpoint(boolean viaMap, int listeners) {
        this.viaMap = viaMap;
        this.listeners = listeners;
    }

    @Override
    public boolean destroyed() {
        return destroyed;
    }

    @Override
    public boolean readable() {
        return !destroyed && !inputShutdown;
    }

    @Override
    public boolean writable() {
        return !destroyed && !outputShutdown;
    }

    @Override
    public boolean connecting() {
        return connecting;
    }

    @Override
    public Map<String, Integer> listenerCounts() {
        int n = listeners;
        return n == 0 ? Map.of() : Map.of("data", n);
    }

    @Override
    public int maxListenerCount() {
        return viaMap ? Endpoint.super.maxListenerCount() : listeners;
    }

    @Override
    public void close() {
        destroyed = true;
    }

    @Override
    public String toString() {
        return "BenchEndpoint[destroyed=" + destroyed + ", listeners=" + listeners + "]";
    }
}
