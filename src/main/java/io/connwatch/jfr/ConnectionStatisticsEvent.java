package io.connwatch.jfr;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;

@Name("io.connwatch.ConnectionStatistics")
@Label("Connection Statistics")
@Description("Connection counts and pattern tallies of a monitor, periodically")
@Period("5 s")
final class ConnectionStatisticsEvent extends ConnwatchEvent {
    @Label("Active")
    long active;
    @Label("Peak")
    long peak;
    @Label("Opened")
    @Description("Connections opened since the tracker started")
    long opened;
    @Label("Closed")
    @Description("Connections closed since the tracker started")
    long closed;
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
    @Label("Open File Descriptors")
    long openFileDescriptors;
}
