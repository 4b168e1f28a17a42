package io.connwatch.jfr;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;

@Name("io.connwatch.ConnectionStatistics")
@Label("Connection Statistics")
@Description("Connection counts and pattern tallies of a monitor, periodically")
@Period("5 s")
final class ConnectionStatisticsEvent extends PatternCountsEvent {
    @Label("Active")
    int active;
    @Label("Peak")
    int peak;
    @Label("Opened")
    @Description("Connections opened since the monitor's previous statistics event (the first: since it started)")
    int opened;
    @Label("Closed")
    @Description("Connections closed since the monitor's previous statistics event (the first: since it started)")
    int closed;
    @Label("Open File Descriptors")
    int openFileDescriptors;
}
