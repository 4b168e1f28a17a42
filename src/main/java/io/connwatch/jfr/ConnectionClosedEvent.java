package io.connwatch.jfr;

import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;

@Name("io.connwatch.ConnectionClosed")
@Label("Connection Closed")
@Description("A tracked connection ended, with its reason; off unless connwatch-level=detailed")
@Enabled(false)
final class ConnectionClosedEvent extends ConnectionLifeEvent {
}
