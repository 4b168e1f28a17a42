package io.connwatch.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The tracker's slot registry: what a check walks over, while host threads open and close. */
class ConnectionSlotsTest {

    private static TrackedConnection open(ConnectionTracker t, int i) {
        return t.open(Endpoint.ABSENT, "198.51.100.1", 10_000 + i, 443);
    }

    private static List<TrackedConnection> walk(ConnectionTracker t) {
        List<TrackedConnection> seen = new ArrayList<>();
        t.forEach(seen::add);
        return seen;
    }

    @Test
    void aCheckWalksTheLiveConnectionsInOpeningOrder() {
        ConnectionTracker t = new ConnectionTracker("slots");
        List<TrackedConnection> all = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {   // more than one segment
            all.add(open(t, i));
        }
        List<TrackedConnection> expected = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (i % 3 == 0) {
                all.get(i).close(Side.INCOMING, TerminationReason.NORMAL);
            } else {
                expected.add(all.get(i));
            }
        }
        assertEquals(expected, walk(t));
        assertEquals(expected.size(), t.activeConnections());
    }

    @Test
    void closedSlotsAreReusedSoAChurningTrackerDoesNotGrow() {
        ConnectionTracker t = new ConnectionTracker("churn");
        for (int round = 0; round < 50; round++) {
            List<TrackedConnection> batch = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                batch.add(open(t, i));
            }
            batch.forEach(c -> c.close(Side.OUTGOING, TerminationReason.CLOSED_OUTGOING));
        }
        assertEquals(1_000, t.slotsInUse(), "slots never exceed the most connections open at once");
        assertTrue(walk(t).isEmpty());
        assertEquals(50_000, t.totalOpened());
        assertEquals(50_000, t.totalClosed());
        assertEquals(50_000, t.terminationStats().count(Side.OUTGOING, TerminationReason.CLOSED_OUTGOING));
    }

    @Test
    void aSecondCloseOfTheSameConnectionChangesNothing() {
        ConnectionTracker t = new ConnectionTracker("twice");
        TrackedConnection a = open(t, 1);
        assertTrue(a.close(Side.INCOMING, TerminationReason.NORMAL));
        TrackedConnection b = open(t, 2);   // takes a's slot
        assertFalse(a.close(Side.INCOMING, TerminationReason.ERROR));
        assertEquals(List.of(b), walk(t));
        assertEquals(1, t.activeConnections());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void walksDuringConcurrentChurnSeeEveryLongLivedConnectionOnceAndNoClosedOne() throws Exception {
        ConnectionTracker t = new ConnectionTracker("concurrent");
        Set<TrackedConnection> longLived = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            longLived.add(open(t, i));
        }
        int workers = 4;
        int perWorker = 100_000;
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        AtomicBoolean done = new AtomicBoolean();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                futures.add(pool.submit(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    List<TrackedConnection> mine = new ArrayList<>();
                    for (int i = 0; i < perWorker; i++) {
                        mine.add(open(t, i));
                        if (mine.size() > 64 || r.nextInt(4) == 0) {
                            mine.remove(r.nextInt(mine.size())).close(Side.INCOMING, TerminationReason.NORMAL);
                        }
                    }
                    mine.forEach(c -> c.close(Side.INCOMING, TerminationReason.NORMAL));
                    return null;
                }));
            }
            int walks = 0;
            while (!done.get()) {
                done.set(futures.stream().allMatch(Future::isDone));
                List<TrackedConnection> seen = walk(t);
                Set<TrackedConnection> unique = new HashSet<>(seen);
                assertEquals(seen.size(), unique.size(), "a walk returns each connection once");
                assertTrue(unique.containsAll(longLived), "a walk sees every connection live throughout it");
                walks++;
            }
            for (Future<?> f : futures) {
                f.get();
            }
            assertTrue(walks > 0);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(longLived, new HashSet<>(walk(t)));
        assertEquals(500, t.activeConnections());
        assertEquals(500 + (long) workers * perWorker, t.totalOpened());
        assertEquals((long) workers * perWorker, t.totalClosed());
        assertTrue(t.slotsInUse() <= 500 + workers * 66, "slots in use: " + t.slotsInUse());
    }
}
