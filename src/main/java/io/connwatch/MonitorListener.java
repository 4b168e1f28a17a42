package io.connwatch;

import io.connwatch.analysis.CheckResult;
import io.connwatch.capture.CaptureResult;
import io.connwatch.capture.CaptureTrigger;
import io.connwatch.cleanup.CleanupEvent;
import io.connwatch.cleanup.SweepResult;

/**
 * How integrations (JFR, JMX, logging, the command line) learn what a monitor finds, without the monitor knowing
 * them. Every method defaults to doing nothing. Calls come on the monitor's thread, except
 * {@link #onCleanup(ConnectionMonitor, CleanupEvent)} for a connection the host itself closed with a cleanup reason, which comes on the
 * host's thread: keep it cheap. A listener that throws is logged and skipped.
 */
public interface MonitorListener {
    /** The monitor started its periodic work. */
    default void onStart(ConnectionMonitor monitor) {
    }

    /** The monitor stopped its periodic work. */
    default void onStop(ConnectionMonitor monitor) {
    }

    /** A check finished. */
    default void onCheck(ConnectionMonitor monitor, CheckResult result) {
    }

    /** An accumulation episode began; its capture, if any, was already taken. */
    default void onAccumulation(ConnectionMonitor monitor, AccumulationEvent event) {
    }

    /** The count rose by the spike threshold or more since the previous check. */
    default void onSpike(ConnectionMonitor monitor, SpikeEvent event) {
    }

    /** A dump is about to be written, on the monitor's thread; {@link #onCapture} follows on the same thread. */
    default void onCaptureStart(ConnectionMonitor monitor, CaptureTrigger trigger) {
    }

    /** A dump was written, or failed. */
    default void onCapture(ConnectionMonitor monitor, CaptureResult result) {
    }

    /** A connection was cleaned up, by the sweep or by the host with a cleanup reason. */
    default void onCleanup(ConnectionMonitor monitor, CleanupEvent event) {
    }

    /** A cleanup sweep finished. */
    default void onSweep(ConnectionMonitor monitor, SweepResult result) {
    }

    /** The monitor was closed for good. */
    default void onClose(ConnectionMonitor monitor) {
    }
}
