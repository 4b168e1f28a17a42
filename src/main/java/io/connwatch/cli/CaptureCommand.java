package io.connwatch.cli;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code capture PID [--name NAME]}: has a monitor of a running JVM on this host write a diagnostic dump now
 * ({@code forceCaptureNow}) and prints the dump's path. {@code --name} is needed when the JVM runs several monitors.
 * A capture that fails in the target is exit 1 with one line.
 */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = "Has a connwatch monitor of a running JVM on this host write a diagnostic dump; prints its path.")
final class CaptureCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PID", description = "The JVM's process id (as jps or jcmd list it).")
    String pid;

    @Option(names = "--name", paramLabel = "NAME", description = "The monitor, when the JVM runs more than one.")
    String name;

    @Override
    public Integer call() {
        if (name != null) {
            new OptionChecks(spec).name("--name", name);
        }
        try (LocalJmx jmx = LocalJmx.connect(pid)) {
            LocalJmx.Monitor monitor = choose(jmx.requireMonitors(), jmx.pid());
            String path;
            try {
                path = monitor.bean().forceCaptureNow();
            } catch (RuntimeException e) {
                return StatusCommand.failed(spec, "capture of monitor '" + Printable.of(monitor.name()) + "'", pid, e);
            }
            if (path == null || path.isBlank()) {
                spec.commandLine().getErr().println("connwatch: capture failed for process " + jmx.pid()
                        + ": monitor '" + Printable.of(monitor.name()) + "' wrote no dump");
                return Main.FAILED;
            }
            spec.commandLine().getOut().println(Printable.of(path));
            spec.commandLine().getOut().flush();
            return Main.OK;
        } catch (LocalJmx.BadTarget e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (IOException | RuntimeException e) {
            return StatusCommand.failed(spec, "capture", pid, e);
        }
    }

    /** The monitor {@code --name} names, or the only one. */
    private LocalJmx.Monitor choose(List<LocalJmx.Monitor> monitors, long pid) throws LocalJmx.BadTarget {
        if (name == null) {
            if (monitors.size() == 1) {
                return monitors.get(0);
            }
            throw new LocalJmx.BadTarget("process " + pid + " runs " + monitors.size() + " connwatch monitors ("
                    + LocalJmx.names(monitors) + "): choose one with --name");
        }
        return monitors.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new LocalJmx.BadTarget("process " + pid + " has no connwatch monitor named '"
                        + Printable.of(name) + "': its monitors are " + LocalJmx.names(monitors)));
    }
}
