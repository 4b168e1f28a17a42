package io.connwatch.agent;

import io.connwatch.ConnectionMonitor;
import io.connwatch.cli.Printable;
import io.connwatch.jmx.JmxRegistration;
import io.connwatch.jmx.JmxRemote;
import io.connwatch.tracking.ConnectionTracker;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * connwatch as a Java agent: {@code java -javaagent:connwatch.jar[=OPTIONS] -jar app.jar} at start, or loaded into a
 * running JVM ({@code attach}). It starts a tracker and a monitor under the option {@code name}, registers the
 * monitor's MBean in the platform MBean server, and, with {@code jmxPort}, serves it over a JMX connector (on
 * loopback, or on every interface when a password file is given). The options are {@link AgentOptions}'.
 *
 * <p>The agent never breaks the application: a bad option, or anything that fails while starting, is one line on
 * stderr and the application runs without connwatch; nothing is thrown into the JVM's start. Loading the agent a
 * second time with a name that already runs is refused: the monitor already running stays as it is.
 *
 * <p>The tracker starts empty: following Netty's channels into it is the instrumentation's job, which plugs in at
 * {@link #instrument}.
 */
public final class ConnwatchAgent {
    /** What runs, per monitor name, for this JVM (this class loader): a second load of the same name is refused. */
    private static final Map<String, Running> RUNNING = new ConcurrentHashMap<>();

    private ConnwatchAgent() {
    }

    /** Called by the JVM before the application's main, for {@code -javaagent:connwatch.jar[=OPTIONS]}. */
    public static void premain(String options, Instrumentation instrumentation) {
        start(options, instrumentation, System.err);
    }

    /** Called by the JVM when the agent is loaded into it while it runs ({@code attach}). */
    public static void agentmain(String options, Instrumentation instrumentation) {
        start(options, instrumentation, System.err);
    }

    /**
     * Parses the options and starts connwatch; never throws. Every outcome is one line on {@code err}.
     *
     * @return what runs, or null when it was refused or failed to start
     */
    static synchronized Running start(String options, Instrumentation instrumentation, PrintStream err) {
        try {
            AgentOptions parsed;
            try {
                parsed = AgentOptions.parse(options);
            } catch (AgentOptions.Refused refused) {
                err.println(refused.getMessage());
                return null;
            }
            MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
            ObjectName objectName = JmxRegistration.objectName(parsed.name);
            if (RUNNING.containsKey(parsed.name) || mbeans.isRegistered(objectName)) {
                err.println(AgentOptions.PREFIX + "a monitor named '" + Printable.of(parsed.name) + "' already runs"
                        + " in this JVM (" + objectName + "): give another name=...; the monitor already running is"
                        + " left as it is");
                return null;
            }
            Running running = Running.start(parsed, mbeans, instrumentation);
            RUNNING.put(parsed.name, running);
            err.println(AgentOptions.PREFIX + "monitor '" + Printable.of(parsed.name) + "' started: MBean "
                    + running.objectName + (running.remote == null ? "" : ", jmx: " + running.remote.url())
                    + (parsed.settings.cleanupEnabled() ? ", cleanup on" : ", report-only"));
            return running;
        } catch (Throwable t) { // whatever it is, the application must start
            err.println(AgentOptions.PREFIX + "could not start: " + Printable.of(String.valueOf(t))
                    + AgentOptions.WITHOUT);
            return null;
        }
    }

    /**
     * The seam for the instrumentation of Netty's channels, which feeds {@code tracker}: not written yet, so the
     * tracker stays empty and the monitor reports zero connections.
     */
    private static void instrument(Instrumentation instrumentation, ConnectionTracker tracker, AgentOptions options) {
        // The instrumentation of Netty channels comes with a later part of the agent.
    }

    /** One started agent: the monitor, its MBean, and the connector if one was asked for. */
    static final class Running implements AutoCloseable {
        final ConnectionMonitor monitor;
        final ObjectName objectName;
        final JmxRemote remote;
        /** With a connector: lets the JVM end when the application's threads have (see {@link ExitWatch}). */
        private Thread exitWatch;

        private Running(ConnectionMonitor monitor, ObjectName objectName, JmxRemote remote) {
            this.monitor = monitor;
            this.objectName = objectName;
            this.remote = remote;
        }

        /** Starts everything, or, when a part fails, closes what was started and rethrows. */
        static Running start(AgentOptions options, MBeanServer mbeans, Instrumentation instrumentation)
                throws Exception {
            ConnectionTracker tracker = new ConnectionTracker(options.name);
            ConnectionMonitor monitor = new ConnectionMonitor(tracker, options.settings);
            JmxRemote remote = null;
            try {
                monitor.start();
                ObjectName name = JmxRegistration.register(monitor, mbeans);
                if (options.jmxPort != null) {
                    InetAddress bind = options.jmxPasswordFile != null ? new InetSocketAddress(0).getAddress()
                            : InetAddress.getLoopbackAddress();
                    remote = JmxRemote.builder(mbeans).address(bind).port(options.jmxPort)
                            .passwordFile(options.jmxPasswordFile).accessFile(options.jmxAccessFile).start();
                }
                instrument(instrumentation, tracker, options);
                Running running = new Running(monitor, name, remote);
                if (remote != null) {
                    running.exitWatch = ExitWatch.start(running::closeQuietly);
                }
                return running;
            } catch (Exception | Error e) {
                monitor.close();
                if (remote != null) {
                    remote.close();
                }
                throw e;
            }
        }

        private void closeQuietly() {
            try {
                close();
            } catch (Exception e) {
                System.err.println(AgentOptions.PREFIX + "could not stop the JMX connector: "
                        + Printable.of(String.valueOf(e)));
            }
        }

        /** Stops the connector and closes the monitor (its MBean goes with it); the name may be started again. */
        @Override
        public void close() throws Exception {
            synchronized (ConnwatchAgent.class) {
                RUNNING.remove(monitor.name(), this);
            }
            if (exitWatch != null && exitWatch != Thread.currentThread()) {
                exitWatch.interrupt();
            }
            try {
                monitor.close();
            } finally {
                if (remote != null) {
                    remote.close();
                }
            }
        }
    }
}
