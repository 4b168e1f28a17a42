package io.connwatch.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import com.sun.tools.attach.VirtualMachine;
import io.connwatch.agent.AgentArgument;
import io.connwatch.agent.ConnwatchAgent;
import io.connwatch.jmx.ConnectionMonitorMXBean;
import io.connwatch.jmx.JmxRegistration;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code attach PID [OPTIONS]}: loads the jar this command runs from, which is also the connwatch agent, into a
 * running JVM on this host ({@code VirtualMachine.loadAgent}), with the options {@code -javaagent} takes.
 *
 * <p>Everything that can be told here is refused before anything is loaded (exit 2, one line): a bad option, a
 * command not run from the jar, a pid that is no JVM of ours, a JVM too old for the agent or started with
 * {@code -XX:-EnableDynamicAgentLoading}, a monitor of that name already running. The agent then speaks on the target's
 * stderr, not here, so the outcome is read back from the target's platform MBean server through its local JMX
 * connector: the monitor's MBean is there (exit 0), or the agent refused (exit 1, the target's stderr says why).
 *
 * <p>JDK 21 and later print a warning on the target's stderr about an agent loaded while the JVM runs, unless it was
 * started with {@code -XX:+EnableDynamicAgentLoading}: left as it is, and named in a note here.
 */
@Command(name = "attach", mixinStandardHelpOptions = true,
        description = {"Loads connwatch into a running JVM on this host as its agent: a monitor of its Netty"
                + " connections with its MBean; it reports and captures, and closes nothing unless cleanup=true."},
        footer = {"",
            "Three ways to watch a JVM with connwatch:",
            "  at its start:   java -javaagent:connwatch.jar=name=edge -jar app.jar",
            "  while it runs:  java -jar connwatch.jar attach PID name=edge",
            "  then:           java -jar connwatch.jar status PID",
            "                  java -jar connwatch.jar capture PID --name edge",
            "",
            "Relative paths in OPTIONS are resolved here, paths inside a config=FILE by",
            "the target JVM.",
            "",
            "JDK 21 and later print a warning on the target's stderr when an agent is",
            "loaded into it while it runs, unless it was started with",
            "-XX:+EnableDynamicAgentLoading; connwatch works either way. A JVM started",
            "with -XX:-EnableDynamicAgentLoading takes no agent while it runs: start it",
            "with -javaagent instead."})
final class AttachCommand implements Callable<Integer> {
    /** The agent is built for Java 17. */
    private static final int AGENT_NEEDS = 17;
    /** The first release that warns about agents loaded into a running JVM (JEP 451). */
    private static final int WARNS_FROM = 21;
    private static final String DYNAMIC_FLAG = "EnableDynamicAgentLoading";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PID", description = "The JVM's process id (as jps or jcmd list it).")
    String pid;

    @Parameters(index = "1", arity = "0..1", paramLabel = "OPTIONS", description = "The agent's options, as"
            + " -javaagent:connwatch.jar=OPTIONS takes them: key=value pairs separated by commas, from ${COMPLETION-"
            + "CANDIDATES}. Default: name=agent, report-only.", completionCandidates = Keys.class)
    String options;

    /** How the target treats an agent loaded while it runs, from its VM option or, failing that, its arguments. */
    private enum DynamicLoading {
        /** {@code -XX:+EnableDynamicAgentLoading} on its command line: loaded without a word. */
        ALLOWED,
        /** The default: loaded, and from JDK 21 on with a warning on its stderr. */
        DEFAULT,
        /** {@code -XX:-EnableDynamicAgentLoading}: refused. */
        REFUSED
    }

    @Override
    public Integer call() {
        long target;
        AgentArgument argument;
        try {
            target = LocalJmx.pid(pid);
            argument = AgentArgument.check(options, Path.of("").toAbsolutePath());
        } catch (LocalJmx.BadTarget e) {
            throw refusal(e.getMessage());
        } catch (AgentArgument.BadOption e) {
            throw refusal(e.getMessage() + "; nothing was attached");
        }
        Path jar = agentJar();
        VirtualMachine vm = null;
        try {
            vm = LocalJmx.attach(target);
            try (LocalJmx jmx = LocalJmx.open(target, vm.startLocalManagementAgent())) {
                return load(vm, jmx, jar, argument);
            }
        } catch (LocalJmx.BadTarget e) {
            throw refusal(e.getMessage());
        } catch (IOException | RuntimeException | AgentInitializationException e) {
            return StatusCommand.failed(spec, "attach", pid, e);
        } finally {
            detach(vm);
        }
    }

    /** Checks the target, loads the agent, and reads back whether its monitor runs. */
    private int load(VirtualMachine vm, LocalJmx jmx, Path jar, AgentArgument argument)
            throws LocalJmx.BadTarget, IOException, AgentInitializationException {
        long target = jmx.pid();
        MBeanServerConnection connection = jmx.connection();
        RuntimeMXBean runtime = ManagementFactory.newPlatformMXBeanProxy(connection,
                ManagementFactory.RUNTIME_MXBEAN_NAME, RuntimeMXBean.class);
        String specVersion = runtime.getSystemProperties().getOrDefault("java.specification.version", "");
        int release = release(specVersion);
        if (release > 0 && release < AGENT_NEEDS) {
            throw new LocalJmx.BadTarget("process " + target + " runs Java " + Printable.of(specVersion)
                    + ": the connwatch agent needs Java " + AGENT_NEEDS + " or later; nothing was attached");
        }
        DynamicLoading dynamic = dynamicLoading(connection, runtime);
        if (dynamic == DynamicLoading.REFUSED) {
            throw new LocalJmx.BadTarget("process " + target + " was started with -XX:-" + DYNAMIC_FLAG + ": it takes"
                    + " no agent while it runs; start it with -javaagent:connwatch.jar instead");
        }
        String name = argument.monitorName();
        ObjectName objectName = JmxRegistration.objectName(name);
        if (connection.isRegistered(objectName)) {
            throw new LocalJmx.BadTarget("process " + target + " already runs a connwatch monitor named '"
                    + Printable.of(name) + "' (" + objectName + "): give another name=...; nothing was loaded");
        }
        try {
            vm.loadAgent(jar.toString(), argument.text());
        } catch (AgentLoadException e) {
            throw new LocalJmx.BadTarget("process " + target + " did not load the agent: " + LocalJmx.reason(e));
        }
        // agentmain has returned: the monitor is registered now, or the agent refused and said why on the target's stderr
        if (!connection.isRegistered(objectName)) {
            spec.commandLine().getErr().println("connwatch: attach failed for process " + target + ": the agent was"
                    + " loaded but monitor '" + Printable.of(name) + "' does not run there; the target JVM's stderr"
                    + " says why");
            return Main.FAILED;
        }
        ConnectionMonitorMXBean bean = JMX.newMXBeanProxy(connection, objectName, ConnectionMonitorMXBean.class);
        spec.commandLine().getOut().println("connwatch: monitor '" + Printable.of(name) + "' runs in JVM " + target
                + " (MBean " + objectName + "); " + (bean.isCleanupEnabled() ? "cleanup on" : "report-only"));
        spec.commandLine().getOut().flush();
        if (release >= WARNS_FROM && dynamic == DynamicLoading.DEFAULT) {
            spec.commandLine().getErr().println("connwatch: note: process " + target + " runs Java "
                    + Printable.of(specVersion) + ", which prints a warning on its stderr about an agent loaded while it"
                    + " runs; starting it with -XX:+" + DYNAMIC_FLAG + " allows that without the warning");
        }
        return Main.OK;
    }

    /**
     * The target's {@code EnableDynamicAgentLoading}: its HotSpot VM option (JDK 21+ stays quiet only when the flag was
     * on the command line, not when it came from {@code JAVA_TOOL_OPTIONS}), or, on a JVM without that MBean, the
     * last such flag among its input arguments.
     */
    private static DynamicLoading dynamicLoading(MBeanServerConnection connection, RuntimeMXBean runtime)
            throws IOException {
        try {
            HotSpotDiagnosticMXBean diagnostic = ManagementFactory.newPlatformMXBeanProxy(connection,
                    "com.sun.management:type=HotSpotDiagnostic", HotSpotDiagnosticMXBean.class);
            VMOption option = diagnostic.getVMOption(DYNAMIC_FLAG);
            if (!Boolean.parseBoolean(option.getValue())) {
                return DynamicLoading.REFUSED;
            }
            return option.getOrigin() == VMOption.Origin.VM_CREATION ? DynamicLoading.ALLOWED : DynamicLoading.DEFAULT;
        } catch (RuntimeException e) {
            // no HotSpot diagnostic MBean, or no such flag: its arguments tell
        }
        DynamicLoading found = DynamicLoading.DEFAULT;
        for (String a : runtime.getInputArguments()) {
            if (a.equals("-XX:+" + DYNAMIC_FLAG)) {
                found = DynamicLoading.ALLOWED;
            } else if (a.equals("-XX:-" + DYNAMIC_FLAG)) {
                found = DynamicLoading.REFUSED;
            }
        }
        return found;
    }

    /** The feature release of a {@code java.specification.version} ({@code 1.8} is 8, {@code 25} is 25); 0 unknown. */
    static int release(String specVersion) {
        String s = specVersion.startsWith("1.") ? specVersion.substring(2) : specVersion;
        int dot = s.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? s : s.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The jar this command runs from: the agent to load, since the executable is also the agent. Refused when the
     * command runs from classes (a build's {@code target/classes}) or from a jar that is not the agent.
     */
    private Path agentJar() {
        String how = ": run it as java -jar connwatch.jar attach PID [OPTIONS]";
        CodeSource source = AttachCommand.class.getProtectionDomain().getCodeSource();
        Path where;
        try {
            where = Path.of(source.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | RuntimeException e) {
            throw refusal("attach loads the connwatch jar it runs from, but cannot tell where that is" + how);
        }
        if (!Files.isRegularFile(where)) {
            throw refusal("attach loads the connwatch jar it runs from, but runs from " + Printable.of(where.toString())
                    + ", not a jar" + how);
        }
        String agentClass;
        try (JarFile file = new JarFile(where.toFile())) {
            Manifest manifest = file.getManifest();
            agentClass = manifest == null ? null : manifest.getMainAttributes().getValue("Agent-Class");
        } catch (IOException e) {
            throw refusal("attach cannot read the jar it runs from, " + Printable.of(where.toString()) + ": "
                    + LocalJmx.reason(e));
        }
        if (!ConnwatchAgent.class.getName().equals(agentClass)) {
            throw refusal("attach runs from " + Printable.of(where.toString()) + ", which is not the connwatch agent"
                    + " (no Agent-Class " + ConnwatchAgent.class.getName() + " in its manifest)" + how);
        }
        return where;
    }

    private CommandLine.ParameterException refusal(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Detaches; a target gone in the meantime has nothing left to release. */
    private static void detach(VirtualMachine vm) {
        if (vm == null) {
            return;
        }
        try {
            vm.detach();
        } catch (IOException e) {
            // gone: nothing to release
        }
    }

    /** The agent's option keys, for the help text. */
    static final class Keys implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return AgentArgument.keys().iterator();
        }
    }
}
