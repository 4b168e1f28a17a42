package io.connwatch.cli;

import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import io.connwatch.jmx.ConnectionMonitorMXBean;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.management.JMX;
import javax.management.MBeanServerConnection;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The connwatch monitors of another JVM on this host, reached the way JConsole reaches a local process: the JDK's
 * Attach API starts the target's local JMX connector (loopback only, nothing to configure there), and the monitors
 * are read through it. A pid that cannot be reached (not a number, not running, not a JVM, not ours to attach,
 * without connwatch) is a {@link BadTarget}: one line saying which and why.
 */
final class LocalJmx implements AutoCloseable {
    private static final String MONITORS = "io.connwatch:type=ConnectionMonitor,name=*";
    private static final int SIGQUIT = 3;

    private final long pid;
    private final JMXConnector connector;
    private final MBeanServerConnection connection;

    private LocalJmx(long pid, JMXConnector connector) throws IOException {
        this.pid = pid;
        this.connector = connector;
        this.connection = connector.getMBeanServerConnection();
    }

    /** A target that cannot be reached or holds no monitor: bad input, the message one line. */
    static final class BadTarget extends Exception {
        private static final long serialVersionUID = 1L;

        BadTarget(String message) {
            super(message);
        }
    }

    /** One monitor of the target: its name and a proxy of its MXBean. */
    record Monitor(String name, ConnectionMonitorMXBean bean) {
    }

    /**
     * Attaches to the JVM {@code pidText} names and connects to its local JMX connector.
     *
     * @throws BadTarget if it is not a pid of a running JVM this user may attach to
     * @throws IOException if the connector, once started, cannot be reached
     */
    static LocalJmx connect(String pidText) throws BadTarget, IOException {
        long pid = pid(pidText);
        VirtualMachine vm = attach(pid);
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        return open(pid, address);
    }

    /** Connects to the local JMX connector at {@code address} ({@link VirtualMachine#startLocalManagementAgent}). */
    static LocalJmx open(long pid, String address) throws IOException {
        return new LocalJmx(pid, JMXConnectorFactory.connect(new JMXServiceURL(address)));
    }

    /** The pid as given: a positive number, not this JVM's own. */
    static long pid(String text) throws BadTarget {
        long pid;
        try {
            pid = Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw new BadTarget("PID '" + Printable.of(text) + "' is not a process id: give the number jps or jcmd"
                    + " lists for the JVM");
        }
        if (pid <= 0) {
            throw new BadTarget("PID '" + Printable.of(text) + "' is not a process id: it must be a positive number");
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new BadTarget("PID " + pid + " is this connwatch command itself: give the pid of another JVM");
        }
        return pid;
    }

    /** The process's monitors, by name. */
    List<Monitor> monitors() throws IOException {
        List<Monitor> found = new ArrayList<>();
        for (ObjectName on : connection.queryNames(pattern(), null)) {
            ConnectionMonitorMXBean bean = JMX.newMXBeanProxy(connection, on, ConnectionMonitorMXBean.class);
            String key = on.getKeyProperty("name");
            found.add(new Monitor(key.startsWith("\"") ? ObjectName.unquote(key) : key, bean));
        }
        found.sort(Comparator.comparing(Monitor::name));
        return found;
    }

    /** {@link #monitors()}, refused when there is none. */
    List<Monitor> requireMonitors() throws IOException, BadTarget {
        List<Monitor> all = monitors();
        if (all.isEmpty()) {
            throw new BadTarget("process " + pid + " has no connwatch monitor: start it with"
                    + " -javaagent:connwatch.jar or attach one with 'connwatch attach " + pid + "'");
        }
        return all;
    }

    /** The names, quoted and comma-separated, for a refusal. */
    static String names(List<Monitor> monitors) {
        return monitors.stream().map(m -> "'" + Printable.of(m.name()) + "'").collect(Collectors.joining(", "));
    }

    long pid() {
        return pid;
    }

    /** The target's platform MBean server, for what the monitors do not tell (its runtime, its VM options). */
    MBeanServerConnection connection() {
        return connection;
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }

    private static ObjectName pattern() {
        try {
            return new ObjectName(MONITORS);
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Attaches to the JVM; the caller detaches. Checked first, because on Linux the JDK's attach sends SIGQUIT to the
     * process, which ends a process that is not a JVM: it must be running, be ours, and be a JVM.
     *
     * @throws BadTarget if it is not a running JVM this user may attach to
     */
    static VirtualMachine attach(long pid) throws BadTarget {
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            throw new BadTarget("no process with PID " + pid + " is running");
        }
        String user = System.getProperty("user.name", "");
        Optional<String> owner = process.get().info().user();
        if (owner.isPresent() && !user.isEmpty() && !"root".equals(user) && !owner.get().equals(user)) {
            throw new BadTarget("process " + pid + " belongs to " + Printable.of(owner.get()) + ", not " + Printable.of(user)
                    + ": the JDK attaches only to JVMs of the same user; run connwatch as " + Printable.of(owner.get()));
        }
        if (!listedAsJvm(pid) && ignoresSigquit(pid)) {
            throw new BadTarget("process " + pid + describe(process.get()) + " is not a Java virtual machine");
        }
        try {
            return VirtualMachine.attach(String.valueOf(pid));
        } catch (AttachNotSupportedException | IOException e) {
            throw new BadTarget("cannot attach to process " + pid + describe(process.get()) + ": " + reason(e)
                    + " (is it a JVM of this user, started without -XX:+DisableAttachMechanism?)");
        }
    }

    /** Whether the JDK lists it as a JVM it can see (its performance data file). */
    private static boolean listedAsJvm(long pid) {
        String id = String.valueOf(pid);
        for (VirtualMachineDescriptor d : VirtualMachine.list()) {
            if (d.id().equals(id)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the process surely does not catch SIGQUIT, so is no JVM the Attach API can wake (Linux: its
     * {@code SigCgt} mask). False when that cannot be told: the attach then decides.
     */
    private static boolean ignoresSigquit(long pid) {
        Path status = Path.of("/proc", String.valueOf(pid), "status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("SigCgt:")) {
                    long caught = Long.parseUnsignedLong(line.substring("SigCgt:".length()).strip(), 16);
                    return (caught & (1L << (SIGQUIT - 1))) == 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false; // no /proc (not Linux) or gone: the attach tells
        }
        return false;
    }

    private static String describe(ProcessHandle p) {
        return p.info().command().map(c -> " (" + Printable.of(c) + ")").orElse("");
    }

    static String reason(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : Main.oneLine(m);
    }
}
