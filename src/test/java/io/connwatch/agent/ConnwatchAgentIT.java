package io.connwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.ChildJvms;
import io.connwatch.testing.Sockets;
import io.connwatch.testing.TestFiles;
import io.connwatch.testing.TestTimes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -javaagent:target/connwatch.jar=OPTIONS} in front of an application that knows nothing of connwatch
 * ({@link AgentProbeMain}, which only reads the platform MBean server): the agent alone registers the monitor, serves
 * it over JMX when asked, and with a bad option prints one line and lets the application run as if it were not there.
 */
class ConnwatchAgentIT {
    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildJvms jvms = new ChildJvms();

    /**
     * {@code java -javaagent:connwatch.jar=OPTIONS -cp <test classes> AgentProbeMain ARGS}: the test classes only, so
     * every connwatch class in the child comes from the agent jar.
     */
    private static ChildJvm.Command app(String options, Object... args) throws Exception {
        String jar = System.getProperty("connwatch.jar");
        String testClasses = Path.of(AgentProbeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        return ChildJvm.main(AgentProbeMain.class, testClasses).jvm("-javaagent:" + jar + (options == null ? "" : "=" + options))
                .args(args);
    }

    private static List<String> agentLines(ChildJvm child) {
        return child.errorLines().stream().filter(l -> l.startsWith("connwatch agent:")).collect(Collectors.toList());
    }

    @Test
    void theAgentRegistersARunningMonitorBeforeMainAndTheJvmEndsWithIt() throws Exception {
        Path dumps = tmp.resolve("dumps");
        ChildJvm child = jvms.start(app("name=edge,interval=1s,threshold=7,dumpDir=" + dumps, "edge", "serve"));
        child.awaitLine("registered=true");
        child.awaitLine("running=true");
        child.awaitLine("threshold=7");
        child.awaitLine("interval=1000");
        child.awaitLine("cleanup=false"); // the agent closes nothing unless told to
        child.awaitLine("connwatch mbeans=2"); // the monitor and its -upstream
        child.awaitLine("serving");
        assertTrue(child.isAlive(), "the application keeps running with the agent" + child.report());
        child.send("stop");
        child.awaitLine("main done");
        assertEquals(0, child.awaitExit(TestTimes.atMost(30_000)), child.report());
        assertEquals(List.of("connwatch agent: monitor 'edge' started: MBean io.connwatch:type=ConnectionMonitor,"
                + "name=edge, pooled connections under 'edge-upstream', report-only"), agentLines(child), child.report());
    }

    @Test
    void theConfigFileGivesTheOptionsAndTheArgumentOverridesIt() throws Exception {
        Path config = Files.writeString(tmp.resolve("connwatch.properties"),
                "name=from-file\nthreshold=9\ncleanup=true\n");
        ChildJvm fromFile = app("config=" + config, "from-file").run(TestTimes.atMost(60_000));
        assertEquals(0, fromFile.exitCode(), fromFile.report());
        assertTrue(fromFile.lines().containsAll(List.of("registered=true", "running=true", "threshold=9",
                "cleanup=true")), fromFile.report());

        ChildJvm overridden = app("config=" + config + ",name=from-argument,cleanup=false", "from-argument")
                .run(TestTimes.atMost(60_000));
        assertEquals(0, overridden.exitCode(), overridden.report());
        assertTrue(overridden.lines().containsAll(List.of("registered=true", "threshold=9", "cleanup=false",
                "connwatch mbeans=2")), overridden.report());
    }

    @Test
    void aBadOptionIsOneLineAndTheApplicationRunsWithoutConnwatch() throws Exception {
        Path open = TestFiles.withMode(tmp.resolve("jmx.password"), "operator secret\n", "rw-r--r--");
        List<List<String>> cases = List.of(
                List.of("name=edge,interval=5x", "connwatch agent: option 'interval=5x' is not a duration: write a"
                        + " whole number and a unit, like 500ms, 30s, 5m or 4h; the application runs without connwatch"),
                List.of("name=edge,treshold=5", "connwatch agent: unknown option 'treshold': the options are name,"
                        + " threshold, spike, interval, stuckAfter, halfZombieGrace, connectTimeout, idleTimeout,"
                        + " dumpDir, cleanup, jmxPort, jmxPasswordFile, jmxAccessFile, metricsPort, maskAddresses,"
                        + " nettyPackages, config; the application runs without connwatch"),
                List.of("name=edge,jmxPort=" + Sockets.freePort() + ",jmxPasswordFile=" + open,
                        "connwatch agent: option 'jmxPasswordFile=" + open + "' is open to its group or others"
                                + " (rw-r--r--): restrict it to its owner with chmod 600 " + open
                                + "; the application runs without connwatch"));
        for (List<String> c : cases) {
            ChildJvm child = app(c.get(0), "edge").run(TestTimes.atMost(60_000));
            assertEquals(0, child.exitCode(), child.report());
            assertEquals(List.of(c.get(1)), child.errorLines(), "exactly one line on stderr" + child.report());
            assertEquals(List.of("registered=false", "connwatch mbeans=0", "main done"), child.lines(), child.report());
        }
    }

    @Test
    void jmxPortServesTheMonitorOverARealConnectorOnLoopback() throws Exception {
        int port = Sockets.freePort();
        ChildJvm child = jvms.start(app("name=remote-edge,jmxPort=" + port, "remote-edge", "serve"));
        child.awaitLine("serving");
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        try (JMXConnector jmx = JMXConnectorFactory.connect(url)) {
            MBeanServerConnection conn = jmx.getMBeanServerConnection();
            ObjectName name = new ObjectName("io.connwatch:type=ConnectionMonitor,name=remote-edge");
            assertEquals(Boolean.TRUE, conn.getAttribute(name, "Running"));
            assertEquals("remote-edge", conn.getAttribute(name, "Name"));
            assertEquals(0L, ((Number) conn.getAttribute(name, "ActiveConnections")).longValue());
        }
        assertEquals(List.of("connwatch agent: monitor 'remote-edge' started: MBean io.connwatch:type=ConnectionMonitor,"
                + "name=remote-edge, pooled connections under 'remote-edge-upstream', jmx: service:jmx:rmi://127.0.0.1:" + port + "/jndi/rmi://127.0.0.1:" + port
                + "/jmxrmi, report-only"), agentLines(child), child.report());
        // the connector's RMI threads must not keep the application's JVM alive once its main has returned
        child.send("stop");
        child.awaitLine("main done");
        assertEquals(0, child.awaitExit(TestTimes.atMost(30_000)), child.report());
    }
}
