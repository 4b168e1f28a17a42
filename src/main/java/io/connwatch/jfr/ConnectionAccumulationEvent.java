package io.connwatch.jfr;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;

@Name("io.connwatch.ConnectionAccumulation")
@Label("Connection Accumulation")
@Description("The active connection count passed the accumulation threshold: once per episode")
final class ConnectionAccumulationEvent extends ConnwatchEvent {
    @Label("Active Connections")
    long activeConnections;
    @Label("Threshold")
    long threshold;
    @Label("Zombies")
    long zombies;
    @Label("Half-Zombies")
    long halfZombies;
    @Label("Stuck")
    long stuck;
    @Label("Idle")
    long idle;
    @Label("Old")
    long old;
    @Label("No Outgoing")
    long noOutgoing;
    @Label("Listener Leaks")
    long listenerLeaks;
    @Label("Capture File")
    @Description("The episode's diagnostic dump, empty if the capture was deferred or failed")
    String captureFile;
}
