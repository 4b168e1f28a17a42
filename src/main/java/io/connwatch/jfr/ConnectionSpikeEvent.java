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
    int previousCount;
    @Label("Active Connections")
    int activeConnections;
    @Label("Increase")
    int increase;
    @Label("Spike Threshold")
    int spikeThreshold;
    @Label("Interval")
    @Description("Time between the two checks")
    @Timespan(Timespan.MILLISECONDS)
    long interval;
}
