package io.connwatch.jfr;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

@Name("io.connwatch.ConnectionAccumulation")
@Label("Connection Accumulation")
@Description("The active connection count passed the accumulation threshold: once per episode")
final class ConnectionAccumulationEvent extends PatternCountsEvent {
    @Label("Active Connections")
    int activeConnections;
    @Label("Threshold")
    int threshold;
    @Label("Capture File")
    @Description("The episode's diagnostic dump, empty if the capture was deferred or failed")
    String captureFile;
}
