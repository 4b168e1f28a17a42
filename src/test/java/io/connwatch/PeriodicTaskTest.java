package io.connwatch;

import static io.connwatch.testing.TestTimes.atMost;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One periodic task on a real one-thread scheduler, as the monitor runs its check, sweep and clock tick: the interval
 * is read afresh, a re-plan moves a long wait, and whatever interleaves with a run under way there stays one chain of
 * runs (one pending in the scheduler's queue).
 */
class PeriodicTaskTest {
    private static final Duration SHORT = Duration.ofMillis(10);
    private static final Duration HOUR = Duration.ofHours(1);

    private final ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
    private final AtomicReference<Duration> interval = new AtomicReference<>(SHORT);
    private final AtomicInteger runs = new AtomicInteger();

    PeriodicTaskTest() {
        // As the monitor's executor: a cancelled run leaves the queue, so the queue holds exactly what is pending.
        executor.setRemoveOnCancelPolicy(true);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
    }

    private PeriodicTask task(Runnable work) {
        return new PeriodicTask("test", executor, interval::get, work);
    }

    private PeriodicTask counting() {
        return task(runs::incrementAndGet);
    }

    /** A task whose first run waits, inside its work, until {@code release} opens. */
    private PeriodicTask blockingFirstRun(CountDownLatch entered, CountDownLatch release) {
        return task(() -> {
            if (runs.incrementAndGet() == 1) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }

    private void awaitRunsDone(long n) {
        await().atMost(atMost(5_000)).until(() -> executor.getCompletedTaskCount() >= n);
    }

    @Test
    void runsRepeatAndEachPlansTheNextWithTheIntervalReadAfresh() {
        PeriodicTask t = counting();
        t.start();
        await().atMost(atMost(5_000)).until(() -> runs.get() >= 3);
        interval.set(HOUR);
        int before = runs.get();
        // The run pending or under way finishes and plans its successor an hour away.
        await().atMost(atMost(5_000)).until(() -> {
            Delayed next = (Delayed) executor.getQueue().peek();
            return next != null && next.getDelay(TimeUnit.MINUTES) > 30 && executor.getQueue().size() == 1;
        });
        assertTrue(runs.get() <= before + 1);
    }

    @Test
    void replanMovesATickPlannedWithAnOldInterval() {
        interval.set(HOUR);
        PeriodicTask t = counting();
        t.start();
        Runnable planned = executor.getQueue().peek();
        t.replan();
        assertSame(planned, executor.getQueue().peek(), "the interval did not change: nothing re-planned");
        interval.set(SHORT);
        t.replan();
        await().atMost(atMost(5_000)).until(() -> runs.get() >= 3);
    }

    @Test
    void replanDuringARunLeavesOneChain() throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PeriodicTask t = blockingFirstRun(entered, release);
        t.start();
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        interval.set(HOUR);
        t.replan();
        release.countDown();
        awaitRunsDone(1);
        assertEquals(1, executor.getQueue().size(), "one next run, planned by the run that was under way");
    }

    @Test
    void stopAndStartDuringARunLeavesOneChain() throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PeriodicTask t = blockingFirstRun(entered, release);
        t.start();
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        interval.set(HOUR);
        t.stop();
        t.start();
        release.countDown();
        awaitRunsDone(1);
        assertEquals(1, executor.getQueue().size(), "only the run planned by the restart");
    }

    @Test
    void stopDuringARunPlansNothingMore() throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PeriodicTask t = blockingFirstRun(entered, release);
        t.start();
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        t.stop();
        t.replan();
        release.countDown();
        awaitRunsDone(1);
        assertEquals(0, executor.getQueue().size());
        assertEquals(1, runs.get());
    }

    @Test
    void startingTwicePlansOnce() {
        interval.set(HOUR);
        PeriodicTask t = counting();
        t.start();
        t.start();
        assertEquals(1, executor.getQueue().size());
        t.stop();
        assertEquals(0, executor.getQueue().size());
    }

    @Test
    void workThatThrowsDoesNotEndTheChain() {
        PeriodicTask t = task(() -> {
            runs.incrementAndGet();
            throw new IllegalStateException("a bug in the work");
        });
        t.start();
        await().atMost(atMost(5_000)).until(() -> runs.get() >= 3);
    }

    @Test
    void aShutDownSchedulerIsSurvived() {
        PeriodicTask t = counting();
        executor.shutdownNow();
        assertDoesNotThrow(t::start);
        interval.set(HOUR);
        assertDoesNotThrow(t::replan);
        assertDoesNotThrow(t::stop);
    }
}
