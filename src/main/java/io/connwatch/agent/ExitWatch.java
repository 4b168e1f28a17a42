package io.connwatch.agent;

import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Lets the application's JVM end when its own threads have: an RMI connector keeps RMI's non-daemon reaper thread
 * alive for as long as it serves (the JDK's own management agent escapes this through an internal exporter), so an
 * application whose main returns would otherwise never exit because of connwatch's {@code jmxPort}. A daemon thread
 * looks, twice a second, for a live non-daemon thread other than RMI's reaper and the launcher's
 * {@code DestroyJavaVM} (which waits for the others); when there is none, it runs {@code release} once and ends.
 */
final class ExitWatch {
    private static final Set<String> NOT_THE_APPLICATIONS = Set.of("RMI Reaper", "DestroyJavaVM");
    private static final long PERIOD_MILLIS = 500;

    private ExitWatch() {
    }

    /** Starts watching; {@code release} stops what keeps the JVM alive. */
    static Thread start(Runnable release) {
        Thread t = new Thread(() -> watch(release), "connwatch-agent-exit-watch");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void watch(Runnable release) {
        try {
            while (applicationRuns()) {
                TimeUnit.MILLISECONDS.sleep(PERIOD_MILLIS);
            }
            release.run();
        } catch (InterruptedException stopped) {
            // the connector was closed another way: nothing left to release
        }
    }

    /** Whether a non-daemon thread of the application (not RMI's reaper, not the launcher's exit wait) still runs. */
    static boolean applicationRuns() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n = root.enumerate(threads, true);
        for (int i = 0; i < n; i++) {
            Thread t = threads[i];
            if (t.isAlive() && !t.isDaemon() && !NOT_THE_APPLICATIONS.contains(t.getName())) {
                return true;
            }
        }
        return false;
    }
}
