package io.connwatch.jfr;

import jdk.jfr.Category;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.StackTrace;

/** The base of connwatch's JFR events: category {@code connwatch}, no stack traces, the monitor's name. */
@Category("connwatch")
@StackTrace(false)
abstract class ConnwatchEvent extends Event {
    @Label("Monitor")
    String monitor;
}
