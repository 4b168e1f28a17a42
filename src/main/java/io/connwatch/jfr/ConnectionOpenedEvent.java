package io.connwatch.jfr;

import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;

@Name("io.connwatch.ConnectionOpened")
@Label("Connection Opened")
@Description("A connection started being tracked; off unless connwatch-level=detailed")
@Enabled(false)
final class ConnectionOpenedEvent extends ConnectionLifeEvent {
}
