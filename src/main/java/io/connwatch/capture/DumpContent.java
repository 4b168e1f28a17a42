package io.connwatch.capture;

import io.connwatch.analysis.CheckResult;
import io.connwatch.tracking.ConnectionTracker;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything a dump holds, gathered by the monitor on its own thread. Connection details are read from the
 * tracker while writing, so a dump of many connections is streamed, never held in memory.
 *
 * @param trigger               what made the capture
 * @param timestamp             when
 * @param monitorName           the monitor's name
 * @param pid                   this JVM's pid
 * @param accumulationThreshold the monitor's accumulation threshold
 * @param spikeThreshold        its spike threshold
 * @param checkIntervalMs       its check interval
 * @param check                 the check the capture follows: summary, byTarget, recommendations
 * @param system                the JVM's state
 * @param trend                 the last checks, oldest first
 * @param terminationStats      closes by side and reason
 * @param tracker               where the connections are
 * @param maxConnectionDetails  at most this many connections in detail
 * @param maskAddresses         whether client addresses are masked
 */
public record DumpContent(CaptureTrigger trigger, Instant timestamp, String monitorName, long pid,
                          long accumulationThreshold, long spikeThreshold, long checkIntervalMs,
                          CheckResult check, SystemState system, List<TrendPoint> trend,
                          Map<String, Map<String, Long>> terminationStats, ConnectionTracker tracker,
                          int maxConnectionDetails, boolean maskAddresses) {
}
