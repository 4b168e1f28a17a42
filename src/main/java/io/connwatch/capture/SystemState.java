package io.connwatch.capture;

import java.util.Map;

/**
 * The JVM's state at a capture, as in a dump's {@code system}. Figures the platform cannot give are -1.
 *
 * @param heapUsedBytes       heap in use
 * @param heapMaxBytes        heap limit, or -1
 * @param nonHeapUsedBytes    non-heap in use
 * @param directBufferBytes   direct buffers in use
 * @param openFileDescriptors open file descriptors, or -1
 * @param maxFileDescriptors  the limit on them, or -1
 * @param threads             live threads
 * @param gcCount             collections so far, all collectors
 * @param gcTimeMs            time in collections so far
 * @param schedulerLagMs      how late the monitor's own timer fired, worst since the last check
 * @param eventLoopLagMs      lag per event loop group, from registered probes
 * @param uptimeMs            JVM uptime
 * @param systemLoadAverage   the load average, or -1
 */
public record SystemState(long heapUsedBytes, long heapMaxBytes, long nonHeapUsedBytes, long directBufferBytes,
                          long openFileDescriptors, long maxFileDescriptors, int threads, long gcCount,
                          long gcTimeMs, long schedulerLagMs, Map<String, Long> eventLoopLagMs, long uptimeMs,
                          double systemLoadAverage) {
}
