package io.connwatch.jmx;

import java.util.Map;

/**
 * A connection monitor seen from JConsole, VisualVM or JMC's JMX console, under
 * {@code io.connwatch:type=ConnectionMonitor,name=<monitor name>}. Every figure is point-in-time, read when asked;
 * pattern counts are those of the latest check. Writes are validated: a bad value is refused with a message that
 * says why, and nothing changes.
 */
public interface ConnectionMonitorMXBean {
    /** The monitor's name. */
    String getName();

    /** Whether periodic checks and cleanup are running. */
    boolean isRunning();

    /** Connections open now. */
    long getActiveConnections();

    /** The most connections open at once since start or the last resetPeak. */
    long getPeakConnections();

    /** Connections opened since the tracker started. */
    long getTotalOpened();

    /** Connections closed since the tracker started. */
    long getTotalClosed();

    /** ZOMBIE connections at the latest check. */
    long getZombieCount();

    /** HALF_ZOMBIE connections at the latest check. */
    long getHalfZombieCount();

    /** STUCK connections at the latest check. */
    long getStuckCount();

    /** IDLE connections at the latest check. */
    long getIdleCount();

    /** OLD connections at the latest check. */
    long getOldCount();

    /** NO_OUTGOING connections at the latest check. */
    long getNoOutgoingCount();

    /** SLOW_BACKEND connections at the latest check. */
    long getSlowBackendCount();

    /** LISTENER_LEAK connections at the latest check. */
    long getListenerLeakCount();

    /** Connections per pattern at the latest check. */
    Map<String, Long> getPatternTallies();

    /** Closes by side ({@code incoming}, {@code outgoing}) and reason. */
    Map<String, Map<String, Long>> getTerminationStats();

    /** When the latest check ran (ISO-8601), or empty before the first. */
    String getLastCheckTime();

    /** Dumps written. */
    long getCaptureCount();

    /** Dumps that failed. */
    long getCaptureFailures();

    /** The latest dump's path, or empty. */
    String getLastCaptureFile();

    /** When the latest dump was taken (ISO-8601), or empty. */
    String getLastCaptureTime();

    /** What made the latest dump: accumulation, spike or force_capture; or empty. */
    String getLastCaptureTrigger();

    /** Accumulation when more connections than this are open at a check. */
    long getAccumulationThreshold();

    /** Sets the accumulation threshold, at least 1. */
    void setAccumulationThreshold(long threshold);

    /** Spike when the count rose by this or more since the previous check. */
    long getSpikeThreshold();

    /** Sets the spike threshold, at least 1. */
    void setSpikeThreshold(long threshold);

    /** How often the monitor checks, in milliseconds. */
    long getCheckIntervalMillis();

    /** Sets the check interval, at least 100 ms; applies at the next tick. */
    void setCheckIntervalMillis(long millis);

    /** Whether cleanup closes connections; false is report-only. */
    boolean isCleanupEnabled();

    /** Switches cleanup on, or to report-only. */
    void setCleanupEnabled(boolean enabled);

    /** Where dumps go when no recording says otherwise. */
    String getOutputDirectory();

    /** Sets the dump folder; it must exist or be creatable, and be writable. */
    void setOutputDirectory(String directory);

    /** Connwatch dumps kept per folder; after each capture the oldest beyond this are deleted. */
    int getMaxDumpFiles();

    /** Sets how many dumps are kept per folder, at least 1; applies from the next capture. */
    void setMaxDumpFiles(int files);

    /** Bytes of connwatch dumps kept per folder; after each capture the oldest beyond this are deleted. */
    long getMaxDumpBytes();

    /** Sets how many bytes of dumps are kept per folder, at least 1048576 (1 MiB); applies from the next capture. */
    void setMaxDumpBytes(long bytes);

    /** Whether client addresses are masked (203.0.113.x) in dumps and JFR events. */
    boolean isMaskAddresses();

    /** Switches address masking on or off; applies from the next dump and event. */
    void setMaskAddresses(boolean mask);

    /** Writes a diagnostic dump now and returns its path. */
    String forceCaptureNow();

    /** Runs a check now. */
    void checkNow();

    /** Runs the cleanup sweep now and returns how many connections it closed. */
    int cleanupNow();

    /** Sets the peak to the current count. */
    void resetPeak();

    /** Starts periodic checks and cleanup. */
    void start();

    /** Stops periodic checks and cleanup. */
    void stop();
}
