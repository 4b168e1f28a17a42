package io.connwatch.jfr;

import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

@Name("io.connwatch.ConnectionCleanup")
@Label("Connection Cleanup")
@Description("A connection closed by a cleanup rule, by the sweep or by the host with a cleanup reason")
final class ConnectionCleanupEvent extends ConnwatchEvent {
    @Label("Connection Id")
    String connectionId;
    @Label("Reason")
    String reason;
    @Label("Pattern")
    String pattern;
    @Label("Remote Address")
    String remoteAddress;
    @Label("Target Host")
    String targetHost;
    @Label("Target Port")
    int targetPort;
    @Label("Age")
    @Timespan(Timespan.MILLISECONDS)
    long age;
    @Label("Idle")
    @Description("Time since the last activity")
    @Timespan(Timespan.MILLISECONDS)
    long idle;
    @Label("Bytes Received")
    @Description("Bytes from the client")
    @DataAmount(DataAmount.BYTES)
    long bytesReceived;
    @Label("Bytes Sent")
    @Description("Bytes to the client")
    @DataAmount(DataAmount.BYTES)
    long bytesSent;
}
