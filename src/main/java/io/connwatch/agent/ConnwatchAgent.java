package io.connwatch.agent;

import io.connwatch.ConnectionMonitor;
import io.connwatch.cli.Printable;
import io.connwatch.jmx.JmxRegistration;
import io.connwatch.jmx.JmxRemote;
import io.connwatch.metrics.PrometheusEndpoint;
import io.connwatch.tracking.ConnectionTracker;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
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
 * <p>With an {@link Instrumentation} (always, from the JVM), every Netty socket channel made from then on is tracked
 * ({@link Instrument}, {@link NettyTaps}): the application's incoming connections, each with the backend channel it
 * opened if any, under {@code name}; the channels it opens for many clients in turn (connection pools) under
 * {@code name-upstream}, a monitor of its own. One agent runs per JVM.
 */
public final class ConnwatchAgent {
    /** What runs, per monitor name, for this JVM (this class loader): a second load of the same name is refused. */
    private static final Map<String, Running> RUNNING = new ConcurrentHashMap<>();

    private ConnwatchAgent() {
    }

    /** Called by the JVM before the application's main, for {@code -javaagent:connwatch.jar[=OPTIONS]}. */
    public static void premain(String options, Instrumentation instrumentation) {
        start(options, instrumentation, System.err, false);
    }

    /** Called by the JVM when the agent is loaded into it while it runs ({@code attach}). */
    public static void agentmain(String options, Instrumentation instrumentation) {
        start(options, instrumentation, System.err, true);
    }

    /**
     * Parses the options and starts connwatch; never throws. Every outcome is one line on {@code err}.
     *
     * @return what runs, or null when it was refused or failed to start
     */
    static Running start(String options, Instrumentation instrumentation, PrintStream err) {
        return start(options, instrumentation, err, false);
    }

    /** As {@link #start(String, Instrumentation, PrintStream)}; {@code attached} when the JVM ran before the agent. */
    static synchronized Running start(String options, Instrumentation instrumentation, PrintStream err,
                                      boolean attached) {
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
            if (!RUNNING.isEmpty() && !RUNNING.containsKey(parsed.name)) {
                String other = RUNNING.keySet().iterator().next();
                err.println(AgentOptions.PREFIX + "monitor '" + Printable.of(other) + "' already tracks this JVM's"
                        + " Netty channels; one agent per JVM: '" + Printable.of(parsed.name) + "' is not started");
                return null;
            }
            if (RUNNING.containsKey(parsed.name) || mbeans.isRegistered(objectName)) {
                err.println(AgentOptions.PREFIX + "a monitor named '" + Printable.of(parsed.name) + "' already runs"
                        + " in this JVM (" + objectName + "): give another name=...; the monitor already running is"
                        + " left as it is");
                return null;
            }
            Running running = Running.start(parsed, mbeans, instrumentation, attached);
            RUNNING.put(parsed.name, running);
            err.println(AgentOptions.PREFIX + "monitor '" + Printable.of(parsed.name) + "' started: MBean "
                    + running.objectName + (running.upstream == null ? "" : ", pooled connections under '"
                    + Printable.of(running.upstream.name()) + "'")
                    + (running.remote == null ? "" : ", jmx: " + running.remote.url())
                    + (running.metrics == null ? "" : ", metrics: " + running.metrics.url())
                    + (parsed.settings.cleanupEnabled() ? ", cleanup on" : ", report-only"));
            return running;
        } catch (Throwable t) { // whatever it is, the application must start
            err.println(AgentOptions.PREFIX + "could not start: " + Printable.of(String.valueOf(t))
                    + AgentOptions.WITHOUT);
            return null;
        }
    }

    /** One started agent: the monitors, their MBeans, the weaving, and the connector if one was asked for. */
    static final class Running implements AutoCloseable {
        final ConnectionMonitor monitor;
        final ObjectName objectName;
        /** The pooled connections' monitor, or null without instrumentation. */
        final ConnectionMonitor upstream;
        final JmxRemote remote;
        private final Unweave unweave;
        /** With a connector: lets the JVM end when the application's threads have (see {@link ExitWatch}). */
        private Thread exitWatch;
        /** With metricsPort: both monitors' meters and the JVM's on /metrics; its threads are daemons. */
        private PrometheusEndpoint metrics;

        private Running(ConnectionMonitor monitor, ObjectName objectName, ConnectionMonitor upstream,
                        JmxRemote remote, Unweave unweave) {
            this.monitor = monitor;
            this.objectName = objectName;
            this.upstream = upstream;
            this.remote = remote;
            this.unweave = unweave;
        }

        /** Starts everything, or, when a part fails, closes what was started and rethrows. */
        static Running start(AgentOptions options, MBeanServer mbeans, Instrumentation instrumentation,
                             boolean attached) throws Exception {
            ConnectionTracker tracker = new ConnectionTracker(options.name);
            ConnectionMonitor monitor = new ConnectionMonitor(tracker, options.settings);
            ConnectionMonitor upstream = null;
            JmxRemote remote = null;
            PrometheusEndpoint metrics = null;
            Unweave unweave = Unweave.NOTHING;
            try {
                monitor.start();
                ObjectName name = JmxRegistration.register(monitor, mbeans);
                if (instrumentation != null) {
                    ConnectionTracker pooled = new ConnectionTracker(options.name + "-upstream");
                    upstream = new ConnectionMonitor(pooled, options.settings);
                    upstream.start();
                    JmxRegistration.register(upstream, mbeans);
                    unweave = weave(instrumentation, options, tracker, pooled, attached);
                }
                if (options.jmxPort != null) {
                    InetAddress bind = options.jmxPasswordFile != null ? new InetSocketAddress(0).getAddress()
                            : InetAddress.getLoopbackAddress();
                    remote = JmxRemote.builder(mbeans).address(bind).port(options.jmxPort)
                            .passwordFile(options.jmxPasswordFile).accessFile(options.jmxAccessFile).start();
                }
                if (options.metricsPort != null) {
                    metrics = PrometheusEndpoint.start(new InetSocketAddress(options.metricsHost, options.metricsPort),
                            upstream == null ? List.of(monitor) : List.of(monitor, upstream));
                }
                Running running = new Running(monitor, name, upstream, remote, unweave);
                running.metrics = metrics;
                if (remote != null) {
                    running.exitWatch = ExitWatch.start(running::closeQuietly);
                }
                return running;
            } catch (Exception | Error e) {
                unweave.run();
                monitor.close();
                if (upstream != null) {
                    upstream.close();
                }
                if (remote != null) {
                    remote.close();
                }
                if (metrics != null) {
                    metrics.close();
                }
                throw e;
            }
        }

        private static Unweave weave(Instrumentation instrumentation, AgentOptions options, ConnectionTracker tracker,
                                     ConnectionTracker pooled, boolean attached) {
            String failure = System.getProperty(Instrument.TEST_FAILURE, "");
            List<String> prefixes = Instrument.prefixes(options.nettyPackages);
            Instrument weaver = new Instrument(options.name, prefixes, failure.equals("transform"));
            ChannelHooks.Taps taps = new ChannelHooks.Taps(options.name, new NettyTaps(options.name, tracker, pooled,
                    prefixes, attached, weaver::wovenWhole, failure.equals("tap")));
            Runnable unweave = weaver.install(instrumentation);
            ChannelHooks.install(taps);
            return () -> {
                ChannelHooks.uninstall(taps);
                unweave.run();
            };
        }

        private void closeQuietly() {
            try {
                close();
            } catch (Exception e) {
                System.err.println(AgentOptions.PREFIX + "could not stop the JMX connector: "
                        + Printable.of(String.valueOf(e)));
            }
        }

        /** Undoes the weaving: new channels go untracked again. */
        private interface Unweave extends Runnable {
            Unweave NOTHING = () -> { };
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
                unweave.run();
                monitor.close();
                if (upstream != null) {
                    upstream.close();
                }
            } finally {
                if (metrics != null) {
                    metrics.close();
                }
                if (remote != null) {
                    remote.close();
                }
            }
        }
    }
}
