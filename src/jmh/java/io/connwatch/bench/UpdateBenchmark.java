package io.connwatch.bench;

import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.TrackedConnection;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The I/O threads' hot path: byte counters and the activity stamp on one connection, called on every read and
 * write. Single-threaded; see {@link RelayUpdateBenchmark} for a reader and a writer on one connection at once.
 *
 * <p>Run with {@code -prof gc}: every method here must show {@code gc.alloc.rate.norm} ≈ 0 B/op.
 *
 * <p>The {@code baseline*} methods do the same bookkeeping on an object of the same shape (three longs, two
 * booleans, a clock read from a volatile field) with three disciplines, so the core's figures can be read
 * against them:
 * <ul>
 *   <li>{@code baselinePlain}: plain stores only: the floor, not thread-safe for readers;</li>
 *   <li>{@code baselineVolatileStore}: a plain counter increment and a volatile store of the activity stamp
 *       (a full fence on x86: what a naive {@code volatile long lastActivity} costs);</li>
 *   <li>{@code baselineAtomicAdd}: an atomic add on the counter and a volatile stamp (an {@code AtomicLong}-style
 *       counter: a locked instruction per update).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class UpdateBenchmark {
    /** A typical read or write size, kept in a field so the compiler cannot fold it. */
    long chunk = 1460;

    ConnectionTracker tracker;
    TrackedConnection connection;
    BaselineConnection baseline;

    @Setup
    public void setUp() {
        tracker = new ConnectionTracker("bench-update");
        connection = tracker.open(new BenchEndpoint(false, 1), "203.0.113.7", 51544, 8443);
        connection.target("10.0.0.5", 8080);
        connection.attachOutgoing(new BenchEndpoint(false, 1));
        baseline = new BaselineConnection();
    }

    /** One read from the client. */
    @Benchmark
    public void addBytesReceived() {
        connection.addBytesReceived(chunk);
    }

    /** One write to the client. */
    @Benchmark
    public void addBytesSent() {
        connection.addBytesSent(chunk);
    }

    /** A request then a response chunk: both counters, and the response-turn flag flips twice. */
    @Benchmark
    public void addBytesReceivedAndSent() {
        connection.addBytesReceived(chunk);
        connection.addBytesSent(chunk);
    }

    /** Activity without bytes. */
    @Benchmark
    public void touch() {
        connection.touch();
    }

    /** Floor: the same bookkeeping as {@code addBytesReceived} with plain stores. */
    @Benchmark
    public void baselinePlain() {
        baseline.addPlain(chunk);
    }

    /** A plain counter increment and a volatile store of the activity stamp. */
    @Benchmark
    public void baselineVolatileStore() {
        baseline.addVolatileStamp(chunk);
    }

    /** An atomic add on the counter and a volatile store of the activity stamp. */
    @Benchmark
    public void baselineAtomicAdd() {
        baseline.addAtomic(chunk);
    }

    /** Same shape as {@link TrackedConnection}'s hot fields; the clock is a volatile field, like the tracker's. */
    static final class BaselineConnection {
        private static final VarHandle BYTES;
        private static final VarHandle STAMP;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                BYTES = l.findVarHandle(BaselineConnection.class, "bytes", long.class);
                STAMP = l.findVarHandle(BaselineConnection.class, "stamp", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        volatile long clock = System.nanoTime();
        long bytes;
        long stamp;
        long otherBytes;
        boolean inResponse;
        boolean initialData;

        void addPlain(long n) {
            long now = clock;
            bytes += n;
            stamp = now;
            if (inResponse) {
                inResponse = false;
            }
            if (!initialData) {
                initialData = true;
            }
        }

        void addVolatileStamp(long n) {
            long now = clock;
            bytes += n;
            STAMP.setVolatile(this, now);
            if (inResponse) {
                inResponse = false;
            }
            if (!initialData) {
                initialData = true;
            }
        }

        void addAtomic(long n) {
            long now = clock;
            BYTES.getAndAdd(this, n);
            STAMP.setVolatile(this, now);
            if (inResponse) {
                inResponse = false;
            }
            if (!initialData) {
                initialData = true;
            }
        }
    }
}
