package io.connwatch.jfr;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;

@Name("io.connwatch.ConnectionStatistics")
@Label("Connection Statistics")
@Description("Connection counts and pattern tallies of a monitor, periodically")
@Period("5 s")
// Counts are ints: JMC charts an int as a number, a plain long only as a raw value it will not plot.
final class ConnectionStatisticsEvent extends ConnwatchEvent {
    @Label("Active")
    int active;
    @Label("Peak")
    int peak;
    @Label("Opened")
    @Description("Connections opened since the tracker started")
    long opened;
    @Label("Closed")
    @Description("Connections closed since the tracker started")
    long closed;
    @Label("Zombies")
    int zombies;
    @Label("Half-Zombies")
    int halfZombies;
    @Label("Stuck")
    int stuck;
    @Label("Idle")
    int idle;
    @Label("Old")
    int old;
    @Label("No Outgoing")
    int noOutgoing;
    @Label("Listener Leaks")
    int listenerLeaks;
    @Label("Open File Descriptors")
    int openFileDescriptors;
}
