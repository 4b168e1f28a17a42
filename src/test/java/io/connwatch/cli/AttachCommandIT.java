package io.connwatch.cli;

import static io.connwatch.testing.TestTimes.atMost;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.agent.AgentProbeMain;
import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.ChildJvms;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar connwatch.jar attach PID [OPTIONS]} into JVMs that started without connwatch ({@link AgentProbeMain}
 * on the test classes only, so every connwatch class in them comes from the loaded jar): the monitor runs there and
 * {@code status} and {@code capture} see it; what cannot be attached is refused with one line and loads nothing; an
 * agent that fails in the target is exit 1; a JDK 21+ target prints the JDK's warning unless started with
 * {@code -XX:+EnableDynamicAgentLoading}.
 */
class AttachCommandIT {
    private static final Duration RUN = atMost(60_000);
    private static final String AGENT = "connwatch agent: ";
    private static final String JDK_WARNING = "WARNING: A Java agent has been loaded dynamically (";

    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildJvms jvms = new ChildJvms();

    /** An application that knows nothing of connwatch, serving until killed. */
    private static ChildJvm.Command application() throws Exception {
        String testClasses = Path.of(AgentProbeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        return ChildJvm.main(AgentProbeMain.class, testClasses).args("late", "serve");
    }

    private ChildJvm started(ChildJvm.Command command) throws IOException {
        ChildJvm target = jvms.start(command);
        target.awaitLine("serving");
        return target;
    }

    /** {@code java -jar connwatch.jar ARGS}, run to its end. */
    private static ChildJvm connwatch(Object... args) throws Exception {
        return ChildJvm.jar().args(args).run(RUN);
    }

    /** Exit 2, nothing on stdout, exactly one line on stderr containing {@code expected}. */
    private static void assertRefused(ChildJvm run, String expected) {
        assertEquals(2, run.exitCode(), run.report());
        assertEquals("", run.output(), run.report());
        assertEquals(1, run.errorLines().size(), run.report());
        assertTrue(run.errorLines().get(0).startsWith("connwatch: ") && run.errorLines().get(0).contains(expected),
                expected + run.report());
    }

    private static List<String> agentLines(ChildJvm target) {
        return target.errorLines().stream().filter(l -> l.startsWith(AGENT)).collect(Collectors.toList());
    }

    /** Waits until the target's stderr holds these lines of the agent, in this order, and no other. */
    private static void awaitAgentLines(ChildJvm target, String... lines) {
        await().atMost(RUN).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertEquals(List.of(lines), agentLines(target), target.report()));
    }

    private static String success(ChildJvm target, String name, String mode) {
        return "connwatch: monitor '" + name + "' runs in JVM " + target.pid() + " (MBean io.connwatch:type="
                + "ConnectionMonitor,name=" + name + "); " + mode;
    }

    private static String started(String name, String mode) {
        return AGENT + "monitor '" + name + "' started: MBean io.connwatch:type=ConnectionMonitor,name=" + name
                + ", pooled connections under '" + name + "-upstream', " + mode;
    }

    @Test
    void attachStartsTheMonitorInARunningJvmAndStatusAndCaptureSeeIt() throws Exception {
        ChildJvm target = started(application());
        Path dumps = tmp.resolve("dumps");

        ChildJvm attach = connwatch("attach", target.pid(), "name=late,interval=1s,dumpDir=" + dumps);
        assertEquals(0, attach.exitCode(), attach.report());
        assertEquals(List.of(success(target, "late", "report-only")), attach.lines(), attach.report());
        awaitAgentLines(target, started("late", "report-only"));
        // the warning, if any, comes before the agent's line: what is there now is all there is
        boolean warns = Runtime.version().feature() >= 21;
        assertEquals(warns, target.errorOutput().contains(JDK_WARNING + jar() + ")"), target.report());
        assertEquals(warns, attach.errorOutput().startsWith("connwatch: note: process " + target.pid() + " runs Java "),
                attach.report());

        ChildJvm status = connwatch("status", target.pid());
        assertEquals(0, status.exitCode(), status.report());
        assertTrue(status.output().startsWith("monitor 'late'\n"), status.report());
        assertTrue(status.output().matches("(?s).*\\n  running +yes\\n.*"), status.report());

        ChildJvm capture = connwatch("capture", target.pid(), "--name", "late");
        assertEquals(0, capture.exitCode(), capture.report());
        Path dump = Path.of(capture.lines().get(0));
        assertTrue(Files.isRegularFile(dump) && dump.startsWith(dumps), capture.report());

        assertRefused(connwatch("attach", target.pid(), "name=late"), "process " + target.pid() + " already runs a"
                + " connwatch monitor named 'late' (io.connwatch:type=ConnectionMonitor,name=late): give another"
                + " name=...; nothing was loaded");
        // One agent per JVM: it owns the JVM's Netty channels. A second name is refused by the agent in the target.
        ChildJvm second = connwatch("attach", target.pid(), "name=late2,cleanup=true");
        assertEquals(1, second.exitCode(), second.report());
        assertEquals(List.of("connwatch: attach failed for process " + target.pid() + ": the agent was loaded but"
                + " monitor 'late2' does not run there; the target JVM's stderr says why"), second.errorLines(),
                second.report());
        // nothing in between: the attach refused here loaded nothing
        awaitAgentLines(target, started("late", "report-only"), AGENT + "monitor 'late' already tracks this JVM's"
                + " Netty channels; one agent per JVM: 'late2' is not started");
    }

    @Test
    void aBadOptionIsOneLineAndLoadsNothing() throws Exception {
        ChildJvm target = started(application());
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        List<List<String>> cases = List.of(
                List.of("name=late,interval=5x", "connwatch: option 'interval=5x' is not a duration: write a whole"
                        + " number and a unit, like 500ms, 30s, 5m or 4h; nothing was attached"),
                List.of("name=late,treshold=5", "connwatch: unknown option 'treshold': the options are name,"
                        + " threshold, spike, interval, stuckAfter, halfZombieGrace, connectTimeout, idleTimeout,"
                        + " dumpDir, cleanup, jmxPort, jmxPasswordFile, jmxAccessFile, metricsPort, maskAddresses,"
                        + " nettyPackages, config; nothing was attached"),
                List.of("dumpDir=" + file, "connwatch: option 'dumpDir=" + file + "' "));
        for (List<String> c : cases) {
            ChildJvm attach = connwatch("attach", target.pid(), c.get(0));
            assertRefused(attach, c.get(1));
            assertTrue(attach.errorLines().get(0).startsWith(c.get(1)), attach.report());
        }
        assertRefused(connwatch("status", target.pid()), "process " + target.pid() + " has no connwatch monitor");
        assertEquals(List.of(), target.errorLines(), "no agent, no JDK warning" + target.report());
    }

    @Test
    void anAgentThatFailsInTheTargetIsExit1AndTheTargetSaysWhy() throws Exception {
        ChildJvm target = started(application());
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ChildJvm attach = connwatch("attach", target.pid(), "name=late,jmxPort=" + taken.getLocalPort());
            assertEquals(1, attach.exitCode(), attach.report());
            assertEquals("", attach.output(), attach.report());
            assertEquals(List.of("connwatch: attach failed for process " + target.pid() + ": the agent was loaded but"
                    + " monitor 'late' does not run there; the target JVM's stderr says why"), attach.errorLines(),
                    attach.report());
            await().atMost(RUN).untilAsserted(() -> assertTrue(agentLines(target).stream().anyMatch(
                    l -> l.startsWith(AGENT + "could not start: ") && l.contains("Port already in use")), target.report()));
        }
        assertRefused(connwatch("status", target.pid()), "has no connwatch monitor");
    }

    @Test
    void aJvmThatTakesNoAgentWhileItRunsIsRefused() throws Exception {
        ChildJvm noAttach = jvms.start(application().jvm("-XX:+DisableAttachMechanism"));
        ChildJvm noDynamic = jvms.start(application().jvm("-XX:-EnableDynamicAgentLoading"));
        noAttach.awaitLine("serving");
        noDynamic.awaitLine("serving");
        assertRefused(connwatch("attach", noAttach.pid(), "name=late"), "cannot attach to process " + noAttach.pid());
        assertRefused(connwatch("attach", noDynamic.pid(), "name=late"), "process " + noDynamic.pid() + " was started"
                + " with -XX:-EnableDynamicAgentLoading: it takes no agent while it runs; start it with"
                + " -javaagent:connwatch.jar instead");
        assertEquals(List.of(), noDynamic.errorLines(), noDynamic.report());
    }

    @Test
    void aProcessThatIsNoJvmOrNoLongerRunsIsRefused() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            assertRefused(connwatch("attach", sleep.pid(), "name=late"), "process " + sleep.pid());
            assertTrue(sleep.isAlive(), "the attach's SIGQUIT would have ended it");
            assertTrue(connwatch("attach", sleep.pid()).errorOutput().contains("is not a Java virtual machine"));
        } finally {
            sleep.destroyForcibly();
            sleep.waitFor(10, TimeUnit.SECONDS);
        }
        Process ended = new ProcessBuilder("true").start();
        assertTrue(ended.waitFor(10, TimeUnit.SECONDS));
        assertRefused(connwatch("attach", ended.pid()), "no process with PID " + ended.pid() + " is running");
    }

    /**
     * A JDK 21+ target (JEP 451) warns on its stderr about the agent, as the JDK words it, and {@code attach} says so
     * in a note; started with {@code -XX:+EnableDynamicAgentLoading}, neither. The target runs on the JDK that
     * {@code CONNWATCH_JDK25} names (CI sets it), or on the JDK under test when that is 21 or later.
     */
    @Test
    void aJdk21TargetWarnsAboutTheAgentUnlessStartedWithEnableDynamicAgentLoading() throws Exception {
        Path home = jdk21();
        ChildJvm warned = jvms.start(application().javaHome(home));
        ChildJvm quiet = jvms.start(application().javaHome(home).jvm("-XX:+EnableDynamicAgentLoading"));
        warned.awaitLine("serving");
        quiet.awaitLine("serving");

        ChildJvm attach = connwatch("attach", warned.pid(), "name=late");
        assertEquals(List.of(success(warned, "late", "report-only")), attach.lines(), attach.report());
        assertEquals(1, attach.errorLines().size(), attach.report());
        assertTrue(attach.errorLines().get(0).startsWith("connwatch: note: process " + warned.pid() + " runs Java ")
                && attach.errorLines().get(0).contains("-XX:+EnableDynamicAgentLoading"), attach.report());
        awaitAgentLines(warned, started("late", "report-only"));
        assertEquals(JDK_WARNING + jar() + ")", warned.errorLines().get(0), warned.report());

        ChildJvm quietAttach = connwatch("attach", quiet.pid(), "name=late");
        assertEquals(List.of(success(quiet, "late", "report-only")), quietAttach.lines(), quietAttach.report());
        assertEquals(List.of(), quietAttach.errorLines(), quietAttach.report());
        awaitAgentLines(quiet, started("late", "report-only"));
        assertEquals(List.of(), quiet.errorLines().stream().filter(l -> l.startsWith("WARNING")).toList(),
                quiet.report());
    }

    private static Path jar() {
        return Path.of(System.getProperty("connwatch.jar")).toAbsolutePath();
    }

    /** A JDK 21 or later to start targets with; the test is skipped, saying why, when there is none. */
    private static Path jdk21() throws IOException {
        String named = System.getenv("CONNWATCH_JDK25");
        if (named != null && !named.isBlank()) {
            Path home = Path.of(named);
            Assumptions.assumeTrue(Files.isExecutable(home.resolve("bin").resolve("java")),
                    "CONNWATCH_JDK25=" + named + " has no bin/java");
            Assumptions.assumeTrue(release(home) >= 21, "CONNWATCH_JDK25=" + named + " is older than JDK 21");
            return home;
        }
        Assumptions.assumeTrue(Runtime.version().feature() >= 21, "the JDK under test is "
                + Runtime.version().feature() + " and CONNWATCH_JDK25 names no JDK 21+: nothing to warn");
        return Path.of(System.getProperty("java.home"));
    }

    /** The feature release of the JDK at {@code home}, from its {@code release} file; 0 when it cannot be told. */
    private static int release(Path home) throws IOException {
        Path file = home.resolve("release");
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        Optional<String> version = Files.readAllLines(file).stream().filter(l -> l.startsWith("JAVA_VERSION="))
                .map(l -> l.substring("JAVA_VERSION=".length()).replace("\"", "")).findFirst();
        return version.map(v -> AttachCommand.release(v)).orElse(0);
    }
}
