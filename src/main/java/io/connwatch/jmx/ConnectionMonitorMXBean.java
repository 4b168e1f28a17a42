package io.connwatch.jmx;

import java.util.Map;

/**
 * A connection monitor seen from JConsole, VisualVM or JMC's JMX console, under
 * {@code io.connwatch:type=ConnectionMonitor,name=<monitor name>}. Every figure is point-in-time, read when asked;
 * pattern counts are those of the latest check. Writes are validated: a bad value is refused with a message that
 * says why, and nothing changes. What the tools show for each attribute and operation (description, place, impact)
 * is the {@link Description} on its method: on the getter for an attribute.
 */
public interface ConnectionMonitorMXBean {
    /** The monitor's name. */
    @Description(order = 1, value = "The monitor's name")
    String getName();

    /** Whether periodic checks and cleanup are running. */
    @Description(order = 2, value = "Whether periodic checks and cleanup run")
    boolean isRunning();

    /** Connections open now. */
    @Description(order = 3, value = "Connections open now")
    long getActiveConnections();

    /** The most connections open at once since start or the last resetPeak. */
    @Description(order = 4, value = "The most connections open at once since start or resetPeak")
    long getPeakConnections();

    /** Connections opened since the tracker started. */
    @Description(order = 5, value = "Connections opened since the tracker started")
    long getTotalOpened();

    /** Connections closed since the tracker started. */
    @Description(order = 6, value = "Connections closed since the tracker started")
    long getTotalClosed();

    /** ZOMBIE connections at the latest check. */
    @Description(order = 7, value = "ZOMBIE connections at the latest check")
    long getZombieCount();

    /** HALF_ZOMBIE connections at the latest check. */
    @Description(order = 8, value = "HALF_ZOMBIE connections at the latest check")
    long getHalfZombieCount();

    /** STUCK connections at the latest check. */
    @Description(order = 9, value = "STUCK connections at the latest check")
    long getStuckCount();

    /** IDLE connections at the latest check. */
    @Description(order = 10, value = "IDLE connections at the latest check")
    long getIdleCount();

    /** OLD connections at the latest check. */
    @Description(order = 11, value = "OLD connections at the latest check")
    long getOldCount();

    /** NO_OUTGOING connections at the latest check. */
    @Description(order = 12, value = "NO_OUTGOING connections at the latest check")
    long getNoOutgoingCount();

    /** SLOW_BACKEND connections at the latest check. */
    @Description(order = 13, value = "SLOW_BACKEND connections at the latest check")
    long getSlowBackendCount();

    /** LISTENER_LEAK connections at the latest check. */
    @Description(order = 14, value = "LISTENER_LEAK connections at the latest check")
    long getListenerLeakCount();

    /** Connections per pattern at the latest check. */
    @Description(order = 15, value = "Connections per pattern at the latest check")
    Map<String, Long> getPatternTallies();

    /** Closes by side ({@code incoming}, {@code outgoing}) and reason. */
    @Description(order = 16, value = "Closes by side (incoming, outgoing) and reason")
    Map<String, Map<String, Long>> getTerminationStats();

    /** When the latest check ran (ISO-8601), or empty before the first. */
    @Description(order = 17, value = "When the latest check ran (ISO-8601 UTC)")
    String getLastCheckTime();

    /** Dumps written. */
    @Description(order = 18, value = "Diagnostic dumps written")
    long getCaptureCount();

    /** Dumps that failed. */
    @Description(order = 19, value = "Diagnostic dumps that failed")
    long getCaptureFailures();

    /** The latest dump's path, or empty. */
    @Description(order = 20, value = "The latest dump's path")
    String getLastCaptureFile();

    /** When the latest dump was taken (ISO-8601), or empty. */
    @Description(order = 21, value = "When the latest dump was taken (ISO-8601 UTC)")
    String getLastCaptureTime();

    /** What made the latest dump: accumulation, spike or force_capture; or empty. */
    @Description(order = 22, value = "What made the latest dump: accumulation, spike or force_capture")
    String getLastCaptureTrigger();

    /** Accumulation when more connections than this are open at a check. */
    @Description(order = 23, value = "Accumulation when more connections than this are open at a check (at least 1)")
    long getAccumulationThreshold();

    /** Sets the accumulation threshold, at least 1. */
    void setAccumulationThreshold(long threshold);

    /** Spike when the count rose by this or more since the previous check. */
    @Description(order = 24, value = "Spike when the count rose by this or more since the previous check (at least 1)")
    long getSpikeThreshold();

    /** Sets the spike threshold, at least 1. */
    void setSpikeThreshold(long threshold);

    /** How often the monitor checks, in milliseconds. */
    @Description(order = 25, value = "Milliseconds between checks (at least 100); applies at the next tick")
    long getCheckIntervalMillis();

    /** Sets the check interval, at least 100 ms; applies at the next tick. */
    void setCheckIntervalMillis(long millis);

    /** Whether cleanup closes connections; false is report-only. */
    @Description(order = 26, value = "Whether cleanup closes connections; false is report-only")
    boolean isCleanupEnabled();

    /** Switches cleanup on, or to report-only. */
    void setCleanupEnabled(boolean enabled);

    /** Where dumps go when no recording says otherwise. */
    @Description(order = 27, value = "Where dumps go when no recording says otherwise; must be writable")
    String getOutputDirectory();

    /** Sets the dump folder; it must exist or be creatable, and be writable. */
    void setOutputDirectory(String directory);

    /** Connwatch dumps kept per folder; after each capture the oldest beyond this are deleted. */
    @Description(order = 28,
            value = "Dumps kept per folder (at least 1); the oldest beyond it are deleted after each capture")
    int getMaxDumpFiles();

    /** Sets how many dumps are kept per folder, at least 1; applies from the next capture. */
    void setMaxDumpFiles(int files);

    /** Bytes of connwatch dumps kept per folder; after each capture the oldest beyond this are deleted. */
    @Description(order = 29,
            value = "Bytes of dumps kept per folder (at least 1048576); the oldest beyond it are deleted after each"
                    + " capture")
    long getMaxDumpBytes();

    /** Sets how many bytes of dumps are kept per folder, at least 1048576 (1 MiB); applies from the next capture. */
    void setMaxDumpBytes(long bytes);

    /** Whether client addresses are masked (203.0.113.x) in dumps and JFR events. */
    @Description(order = 30, value = "Whether client addresses are masked (203.0.113.x) in dumps and JFR events")
    boolean isMaskAddresses();

    /** Switches address masking on or off; applies from the next dump and event. */
    void setMaskAddresses(boolean mask);

    /** Writes a diagnostic dump now and returns its path. */
    @Description(order = 31, value = "Writes a diagnostic dump now and returns its path (at most one a second)")
    String forceCaptureNow();

    /** Runs a check now. */
    @Description(order = 32, value = "Runs a check now: counts, patterns, accumulation and spike triggers")
    void checkNow();

    /** Runs the cleanup sweep now and returns how many connections it closed. */
    @Description(order = 33, value = "Runs the cleanup sweep now and returns how many connections it closed")
    int cleanupNow();

    /** Sets the peak to the current count. */
    @Description(order = 34, value = "Sets PeakConnections to the current count")
    void resetPeak();

    /** Starts periodic checks and cleanup. */
    @Description(order = 35, value = "Starts periodic checks and cleanup")
    void start();

    /** Stops periodic checks and cleanup. */
    @Description(order = 36, value = "Stops periodic checks and cleanup; on-demand operations still work")
    void stop();
}
