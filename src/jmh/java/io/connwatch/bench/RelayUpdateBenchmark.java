package io.connwatch.bench;

import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A blocking relay's two threads on one connection at once: one counts reads from the client
 * ({@code addBytesReceived}), the other writes to it ({@code addBytesSent}). Both store the activity stamp and
 * the counters sit on the same cache line, so this shows what sharing the line costs. The {@code separate} group
 * is the same two threads on two connections, for comparison. The {@code churn} group is one I/O thread updating
 * a connection while an accept thread opens and closes others on the same tracker as fast as it can (every
 * {@code open} advances the tracker's coarse clock, which every update reads). Needs two cores.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RelayUpdateBenchmark {

    /** One connection per group: both threads of the group update it. */
    @State(Scope.Group)
    public static class Shared {
        long chunk = 1460;
        ConnectionTracker tracker;
        TrackedConnection connection;

        @Setup
        public void setUp() {
            tracker = new ConnectionTracker("bench-relay");
            connection = tracker.open(new BenchEndpoint(false, 1), "203.0.113.7", 51544, 8443);
            connection.attachOutgoing(new BenchEndpoint(false, 1));
        }
    }

    /** One connection per thread. */
    @State(Scope.Thread)
    public static class Own extends Shared {
    }

    @Benchmark
    @Group("shared")
    @GroupThreads(1)
    public void sharedReader(Shared s) {
        s.connection.addBytesReceived(s.chunk);
    }

    @Benchmark
    @Group("shared")
    @GroupThreads(1)
    public void sharedWriter(Shared s) {
        s.connection.addBytesSent(s.chunk);
    }

    @Benchmark
    @Group("separate")
    @GroupThreads(1)
    public void separateReader(Own s) {
        s.connection.addBytesReceived(s.chunk);
    }

    @Benchmark
    @Group("separate")
    @GroupThreads(1)
    public void separateWriter(Own s) {
        s.connection.addBytesSent(s.chunk);
    }

    @Benchmark
    @Group("churn")
    @GroupThreads(1)
    public void churnUpdater(Shared s) {
        s.connection.addBytesReceived(s.chunk);
    }

    @Benchmark
    @Group("churn")
    @GroupThreads(1)
    public boolean churnOpenClose(Shared s) {
        TrackedConnection c = s.tracker.open(s.connection.incoming(), "203.0.113.8", 40000, 8443);
        return c.close(Side.INCOMING, TerminationReason.NORMAL);
    }
}
