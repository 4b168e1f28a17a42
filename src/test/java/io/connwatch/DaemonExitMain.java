package io.connwatch;

import io.connwatch.tracking.ConnectionTracker;

/** A child JVM for {@link LifecycleExitTest}: starts a monitor and returns without closing it. */
public final class DaemonExitMain {
    private DaemonExitMain() {
    }

    public static void main(String[] args) {
        ConnectionMonitor monitor = new ConnectionMonitor(new ConnectionTracker("forgotten"), MonitorSettings.defaults());
        monitor.addListener(new MonitorListener() {
            @Override
            public void onStop(ConnectionMonitor m) {
                System.out.println("stopped at exit");
            }

            @Override
            public void onClose(ConnectionMonitor m) {
                System.out.println("closed at exit");
            }
        });
        monitor.start();
        monitor.checkNow();
        System.out.println("main returns with the monitor running");
    }
}
