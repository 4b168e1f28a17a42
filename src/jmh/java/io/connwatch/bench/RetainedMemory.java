package io.connwatch.bench;

import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.TrackedConnection;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Retained heap per tracked connection: heap in use after full GCs, before and after opening {@code n} routed
 * connections (each with its own small endpoint objects on both sides, as the socket adapters make, sharing one
 * interned target), divided by {@code n}. The sockets themselves are not counted: they exist without connwatch.
 *
 * <p>{@code java ... io.connwatch.bench.RetainedMemory [n=1000000]}
 */
public final class RetainedMemory {
    private RetainedMemory() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        ConnectionTracker tracker = new ConnectionTracker("memory");
        List<TrackedConnection> keep = new ArrayList<>(n); // sized up front, so it is in the baseline
        long before = usedAfterGc();
        for (int i = 0; i < n; i++) {
            TrackedConnection c = tracker.open(new BenchEndpoint(false, 0), "10.1.2.3", 40000 + (i & 0x3fff), 8443);
            c.target("10.0.0.5", 8080).attachOutgoing(new BenchEndpoint(false, 0));
            c.addBytesReceived(100);
            c.addBytesSent(1000);
            keep.add(c);
        }
        long after = usedAfterGc();
        long endpoints = 2L * n * shallowEndpointBytes();
        System.out.printf("%d connections: %.1f bytes retained per connection (of which %.1f for the two test"
                + " endpoints), %.1f without them%n", n, (after - before) / (double) n, endpoints / (double) n,
                (after - before - endpoints) / (double) n);
        if (keep.size() != n || tracker.activeConnections() != n) {
            throw new AssertionError("lost connections");
        }
    }

    // BenchEndpoint: object header plus a few booleans and a map reference, 24 bytes with compressed oops.
    private static long shallowEndpointBytes() {
        return 24;
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
