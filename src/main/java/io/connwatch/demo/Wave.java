package io.connwatch.demo;

import io.connwatch.ConnectionMonitor;
import io.connwatch.analysis.Pattern;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TerminationStats;
import java.net.Socket;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** What one wave, or the whole run, has shown so far, counted from its start. */
final class Wave {
    final long startNanos = System.nanoTime();
    final Map<Pattern, Set<Long>> found = new EnumMap<>(Pattern.class);
    final long[] cleanedBefore = new long[TerminationReason.values().length];
    final long refusedBefore;
    final AtomicInteger accumulationDumps = new AtomicInteger();
    final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final List<Future<?>> tasks = new CopyOnWriteArrayList<>();
    volatile long doneNanos;

    Wave(ConnectionMonitor m) {
        for (Pattern p : Pattern.values()) {
            found.put(p, ConcurrentHashMap.newKeySet());
        }
        for (TerminationReason r : TerminationReason.values()) {
            cleanedBefore[r.ordinal()] = m.cleanupCount(r);
        }
        refusedBefore = refusedSoFar(m);
    }

    long refused(ConnectionMonitor m) {
        return refusedSoFar(m) - refusedBefore;
    }

    long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos - startNanos);
    }

    /** What this wave has yet to show: every pattern found and cleaned, the accumulation dump, the refusals. */
    List<String> unseen(ConnectionMonitor m) {
        List<String> missing = new ArrayList<>();
        for (Pattern p : Pattern.values()) {
            TerminationReason r = p.cleanupReason();
            if (found.get(p).isEmpty()) {
                missing.add(p + " found");
            }
            if (r != null && m.cleanupCount(r) - cleanedBefore[r.ordinal()] < 1) {
                missing.add(p + " cleaned (" + r.wireName() + ")");
            }
        }
        if (accumulationDumps.get() == 0) {
            missing.add("an accumulation dump");
        }
        long refused = refused(m);
        if (refused < DemoRun.REFUSED) {
            missing.add(refused + " of " + DemoRun.REFUSED + " econnrefused closes");
        }
        return missing;
    }

    /** What keeps this wave from being done: what it has not shown, and connections not closed yet. */
    List<String> missing(ConnectionMonitor m) {
        List<String> missing = unseen(m);
        // The maximum lifetime bounds this: every connection is closed 12 s after it opened at the latest.
        long open = m.tracker().activeConnections();
        if (open > 0) {
            missing.add(open + (open == 1 ? " connection" : " connections") + " still open");
        }
        return missing;
    }

    /** Stops this wave's clients and closes what they opened. */
    void end() {
        for (Future<?> t : tasks) {
            t.cancel(true);
        }
        for (Socket s : sockets) {
            DemoRun.quietly(s::close);
        }
    }

    static long refusedSoFar(ConnectionMonitor m) {
        TerminationStats stats = m.tracker().terminationStats();
        return stats.count(Side.INCOMING, TerminationReason.ECONNREFUSED)
                + stats.count(Side.OUTGOING, TerminationReason.ECONNREFUSED);
    }
}
