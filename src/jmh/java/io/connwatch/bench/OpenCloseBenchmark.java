package io.connwatch.bench;

import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The tracker's bookkeeping for one connection's life: {@code open} then {@code close}, on a tracker that already
 * holds {@code live} other connections (so the registry is not a trivially small map). The endpoints are
 * created once: the host's own adapter allocation is not the tracker's cost.
 *
 * <p>{@code baselineSetAddRemove} is the registry alone: a {@code ConcurrentHashMap} key set holding {@code live}
 * objects, with one new object added and removed per op (what the tracker does underneath, without counters,
 * clock reads or the connection's construction).
 *
 * <p>The tracker is shared ({@link Scope#Benchmark}): run with {@code -t 2} to see two accept threads contend
 * on its counters.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class OpenCloseBenchmark {
    @Param({"0", "100000"})
    int live;

    ConnectionTracker tracker;
    Set<Object> set;
    BenchEndpoint in;
    BenchEndpoint out;
    static final int WINDOW = 1024;
    final TrackedConnection[] window = new TrackedConnection[WINDOW];
    final Token[] tokens = new Token[WINDOW];
    int windowIndex;

    @Setup
    public void setUp() {
        tracker = new ConnectionTracker("bench-open-close");
        in = new BenchEndpoint(false, 1);
        out = new BenchEndpoint(false, 1);
        set = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < live; i++) {
            set.add(new Token(i));
        }
        for (int i = 0; i < live; i++) {
            tracker.open(new BenchEndpoint(false, 1), "198.51.100." + (i & 0xff), 1024 + (i % 60000), 8443)
                    .target("10.0.1." + (i % 20), 8080);
        }
    }

    /** Open, then close with a normal end. */
    @Benchmark
    public boolean openClose() {
        TrackedConnection c = tracker.open(in, "203.0.113.7", 51544, 8443);
        return c.close(Side.INCOMING, TerminationReason.NORMAL);
    }

    /** A routed connection's whole life: open, target, attach the backend, a request and a response, close. */
    @Benchmark
    public boolean openRouteClose() {
        TrackedConnection c = tracker.open(in, "203.0.113.7", 51544, 8443);
        c.target("10.0.0.5", 8080);
        c.attachOutgoing(out);
        c.addBytesReceived(400);
        c.addBytesSent(1500);
        return c.close(Side.OUTGOING, TerminationReason.CLOSED_OUTGOING);
    }

    /**
     * Open one and close the one opened {@value #WINDOW} operations ago: connections that live a while, so each close
     * frees a slot other than the one just taken (open-then-close at once always reuses one warm slot).
     */
    @Benchmark
    public boolean openCloseWindow() {
        int i = windowIndex++ & (WINDOW - 1);
        TrackedConnection old = window[i];
        window[i] = tracker.open(in, "203.0.113.7", 51544, 8443);
        return old == null || old.close(Side.INCOMING, TerminationReason.NORMAL);
    }

    /** {@link #openCloseWindow()}'s registry work on the baseline set. */
    @Benchmark
    public boolean baselineSetWindow() {
        int i = windowIndex++ & (WINDOW - 1);
        Token old = tokens[i];
        Token t = new Token(i);
        tokens[i] = t;
        set.add(t);
        return old == null || set.remove(old);
    }

    /** The registry alone: add and remove one new object in a concurrent set of {@code live} others. */
    @Benchmark
    public boolean baselineSetAddRemove() {
        Token t = new Token(1);
        set.add(t);
        return set.remove(t);
    }

    /** Something to register; identity hash and equality, as a connection has. */
    static final class Token {
        final long serial;

        Token(long serial) {
            this.serial = serial;
        }
    }
}
