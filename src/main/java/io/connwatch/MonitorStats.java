package io.connwatch;

import io.connwatch.analysis.CheckResult;
import io.connwatch.capture.CaptureResult;
import io.connwatch.cleanup.SweepResult;
import io.connwatch.tracking.TerminationReason;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A monitor's running figures and latest results, a plain object any thread reads without a lock: what the MBean,
 * the command line and metrics show, through {@link ConnectionMonitor}'s getters. The monitor's thread writes
 * everything but the cleanup counts, which any thread closing a connection with a cleanup reason bumps; those are
 * {@link LongAdder}s, so the host's threads never contend on them.
 */
final class MonitorStats {
    private final AtomicLong checks = new AtomicLong();
    private final AtomicLong accumulations = new AtomicLong();
    private final AtomicLong spikes = new AtomicLong();
    private final AtomicLong captures = new AtomicLong();
    private final AtomicLong captureFailures = new AtomicLong();
    private final AtomicLong probeFailures = new AtomicLong();
    private final AtomicLong taskFailures = new AtomicLong();
    private final LongAdder[] cleanups = new LongAdder[TerminationReason.values().length];
    private volatile CheckResult lastCheck;
    private volatile CaptureResult lastCapture;
    private volatile SweepResult lastSweep;
    private volatile long schedulerLagMillis;

    MonitorStats() {
        for (int i = 0; i < cleanups.length; i++) {
            cleanups[i] = new LongAdder();
        }
    }

    // ---- written by the monitor's thread ----

    /** A check is complete; counted last, so whoever sees the count also sees all the check did. */
    void checkDone() {
        checks.incrementAndGet();
    }

    void accumulationBegan() {
        accumulations.incrementAndGet();
    }

    void spikeBegan() {
        spikes.incrementAndGet();
    }

    /** A dump was written: counted, and the latest. */
    void captureWritten(CaptureResult result) {
        captures.incrementAndGet();
        lastCapture = result;
    }

    /** A dump failed; returns the failures so far. */
    long captureFailed() {
        return captureFailures.incrementAndGet();
    }

    void probeFailures(long n) {
        probeFailures.addAndGet(n);
    }

    void taskFailed() {
        taskFailures.incrementAndGet();
    }

    void lastCheck(CheckResult r) {
        lastCheck = r;
    }

    void lastSweep(SweepResult r) {
        lastSweep = r;
    }

    void schedulerLagMillis(long millis) {
        schedulerLagMillis = millis;
    }

    // ---- written by any thread ----

    /** A connection was closed with a cleanup reason, on whichever thread closed it. No lock, no allocation. */
    void cleanup(TerminationReason reason) {
        cleanups[reason.ordinal()].increment();
    }

    // ---- read by any thread ----

    long checks() {
        return checks.get();
    }

    long accumulations() {
        return accumulations.get();
    }

    long spikes() {
        return spikes.get();
    }

    long captures() {
        return captures.get();
    }

    long captureFailures() {
        return captureFailures.get();
    }

    long probeFailures() {
        return probeFailures.get();
    }

    long taskFailures() {
        return taskFailures.get();
    }

    long cleanups(TerminationReason reason) {
        return cleanups[reason.ordinal()].sum();
    }

    /** Cleanups by reason, only the reasons that happened, in the reasons' order. */
    Map<TerminationReason, Long> cleanupsByReason() {
        Map<TerminationReason, Long> out = new LinkedHashMap<>();
        for (TerminationReason r : TerminationReason.values()) {
            long n = cleanups[r.ordinal()].sum();
            if (n > 0) {
                out.put(r, n);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    CheckResult lastCheck() {
        return lastCheck;
    }

    /** The latest successful capture, or null. */
    CaptureResult lastCapture() {
        return lastCapture;
    }

    SweepResult lastSweep() {
        return lastSweep;
    }

    long schedulerLagMillis() {
        return schedulerLagMillis;
    }
}
