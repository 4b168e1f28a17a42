package io.connwatch.jfr;

import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.analysis.CheckResult;
import io.connwatch.testing.SocketPairs;
import io.connwatch.tracking.ConnectionTracker;
import java.nio.file.Path;

/**
 * A child JVM for {@link JfrAbsentTest}: a monitor checks and captures, then says whether JFR got initialized
 * (looked up reflectively, since this may run without the jdk.jfr module).
 */
public final class JfrFreeMain {
    private JfrFreeMain() {
    }

    public static void main(String[] args) throws Exception {
        ConnectionTracker tracker = new ConnectionTracker("jfr-free");
        try (SocketPairs sockets = new SocketPairs();
             ConnectionMonitor monitor = new ConnectionMonitor(tracker,
                     MonitorSettings.builder().outputDirectory(Path.of(args[0])).build())) {
            monitor.start();
            tracker.open(sockets.accept());
            CheckResult r = monitor.checkNow();
            Path dump = monitor.forceCaptureNow();
            String initialized;
            try {
                initialized = String.valueOf(Class.forName("jdk.jfr.FlightRecorder").getMethod("isInitialized").invoke(null));
            } catch (ClassNotFoundException absent) {
                initialized = "absent";
            }
            System.out.println("OK active=" + r.activeConnections() + " dump=" + dump + " jfr=" + initialized);
        }
    }
}
