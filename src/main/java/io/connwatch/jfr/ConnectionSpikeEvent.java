package io.connwatch.jfr;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

@Name("io.connwatch.ConnectionSpike")
@Label("Connection Spike")
@Description("The active connection count rose by the spike threshold or more since the previous check")
final class ConnectionSpikeEvent extends ConnwatchEvent {
    @Label("Previous Count")
    long previousCount;
    @Label("Active Connections")
    long activeConnections;
    @Label("Increase")
    long increase;
    @Label("Spike Threshold")
    long spikeThreshold;
    @Label("Interval")
    @Description("Time between the two checks")
    @Timespan(Timespan.MILLISECONDS)
    long interval;
}
