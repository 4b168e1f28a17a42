package io.connwatch.jfr;

import jdk.jfr.DataAmount;
import jdk.jfr.Label;
import jdk.jfr.Timespan;

/** The fields of a connection's opening and closing events. */
abstract class ConnectionLifeEvent extends ConnwatchEvent {
    @Label("Connection Id")
    String connectionId;
    @Label("Remote Address")
    String remoteAddress;
    @Label("Target Host")
    String targetHost;
    @Label("Target Port")
    int targetPort;
    @Label("Reason")
    String reason;
    @Label("Age")
    @Timespan(Timespan.MILLISECONDS)
    long age;
    @Label("Bytes Received")
    @DataAmount(DataAmount.BYTES)
    long bytesReceived;
    @Label("Bytes Sent")
    @DataAmount(DataAmount.BYTES)
    long bytesSent;
}
