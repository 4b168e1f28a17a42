package io.connwatch;

import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.analysis.CheckResult;
import io.connwatch.tracking.ConnectionTracker;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator changes the check interval, or stops and starts the monitor, while a periodic check is under way: the
 * monitor goes on with one series of checks, never two interleaved. Checks are a fixed delay apart, so one series
 * never has two checks closer than the interval, however slow the machine; a second series would.
 */
class MonitorSchedulingTest {
    @TempDir
    Path dumps;

    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Long> checkNanos = new CopyOnWriteArrayList<>();
    private ConnectionMonitor monitor;

    @AfterEach
    void tearDown() {
        release.countDown();
        if (monitor != null) {
            monitor.close();
        }
    }

    /** Starts a monitor whose first periodic check waits, inside a listener, for {@code during} to be done. */
    private void duringTheFirstPeriodicCheck(Consumer<ConnectionMonitor> during) throws InterruptedException {
        monitor = new ConnectionMonitor("one-series", new ConnectionTracker("one-series"),
                MonitorSettings.builder().checkInterval(ms(100)).outputDirectory(dumps).build());
        AtomicBoolean first = new AtomicBoolean(true);
        monitor.addListener(new MonitorListener() {
            @Override
            public void onCheck(ConnectionMonitor m, CheckResult r) {
                checkNanos.add(System.nanoTime());
                if (first.compareAndSet(true, false)) {
                    entered.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        });
        monitor.start();
        assertTrue(entered.await(30, TimeUnit.SECONDS), "the first periodic check");
        during.accept(monitor);
        release.countDown();
    }

    private void assertOneSeriesOfChecks() {
        await().atMost(ms(10_000)).until(() -> checkNanos.size() >= 6);
        monitor.stop();
        long least = ms(100).toNanos();
        List<Long> seen = List.copyOf(checkNanos);
        for (int i = 1; i < seen.size(); i++) {
            long gap = seen.get(i) - seen.get(i - 1);
            assertTrue(gap >= least, "checks " + (i - 1) + " and " + i + " only "
                    + TimeUnit.NANOSECONDS.toMillis(gap) + " ms apart: two series of checks");
        }
    }

    @Test
    void anIntervalChangedDuringACheckLeavesOneSeriesOfChecks() throws InterruptedException {
        duringTheFirstPeriodicCheck(m -> m.updateSettings(b -> b.checkInterval(ms(150))));
        assertOneSeriesOfChecks();
    }

    @Test
    void aStopAndStartDuringACheckLeavesOneSeriesOfChecks() throws InterruptedException {
        duringTheFirstPeriodicCheck(m -> {
            m.stop();
            m.start();
        });
        assertOneSeriesOfChecks();
    }
}
