package io.connwatch.cli;

import io.connwatch.analysis.Pattern;
import io.connwatch.jmx.ConnectionMonitorMXBean;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code status PID}: the connwatch monitors of a running JVM on this host, one block each (by name): counts,
 * pattern counts of the latest check, closes by side and reason, the latest check and capture. Read through the
 * Attach API and the target's local JMX connector: nothing to configure in the target.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Prints the connwatch monitors of a running JVM on this host: counts, patterns, closes, captures.")
final class StatusCommand implements Callable<Integer> {
    private static final int LABEL = 18;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PID", description = "The JVM's process id (as jps or jcmd list it).")
    String pid;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LocalJmx jmx = LocalJmx.connect(pid)) {
            StringBuilder text = new StringBuilder();
            for (LocalJmx.Monitor m : jmx.requireMonitors()) {
                if (text.length() > 0) {
                    text.append('\n');
                }
                block(text, m.name(), m.bean());
            }
            out.print(text);
            out.flush();
            return Main.OK;
        } catch (LocalJmx.BadTarget e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        } catch (IOException | RuntimeException e) {
            return failed(spec, "status", pid, e);
        }
    }

    /** One line on stderr for a failure after the attach (the JVM went away, the connector broke); exit 1. */
    static int failed(CommandLine.Model.CommandSpec spec, String command, String pid, Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        spec.commandLine().getErr().println("connwatch: " + command + " failed for process " + Printable.of(pid.strip())
                + ": " + Main.oneLine(why));
        return Main.FAILED;
    }

    /** The block of one monitor: labels aligned, patterns in count order, closes by side then reason. */
    static void block(StringBuilder b, String name, ConnectionMonitorMXBean bean) {
        b.append("monitor '").append(Printable.of(name)).append("'\n");
        line(b, "running", bean.isRunning() ? "yes" : "no (checks and cleanup stopped)");
        line(b, "active", bean.getActiveConnections());
        line(b, "peak", bean.getPeakConnections());
        line(b, "opened", bean.getTotalOpened());
        line(b, "closed", bean.getTotalClosed());
        Map<String, Long> tallies = new TreeMap<>(bean.getPatternTallies());
        for (Pattern p : Pattern.inCountOrder()) {
            Long n = tallies.remove(p.name());
            line(b, p.name(), n == null ? 0 : n);
        }
        tallies.forEach((p, n) -> line(b, Printable.of(p), n));
        Map<String, Map<String, Long>> closes = new TreeMap<>(bean.getTerminationStats());
        for (String side : sides(closes)) {
            Map<String, Long> reasons = new TreeMap<>(closes.getOrDefault(side, Map.of()));
            reasons.values().removeIf(n -> n == null || n == 0);
            line(b, "closes " + Printable.of(side), reasons.isEmpty() ? "none" : reasons.entrySet().stream()
                    .map(e -> Printable.of(e.getKey()) + " " + e.getValue()).collect(Collectors.joining(", ")));
        }
        String lastCheck = bean.getLastCheckTime();
        line(b, "last check", lastCheck.isEmpty() ? "none yet" : lastCheck);
        line(b, "captures", bean.getCaptureCount() + " written, " + bean.getCaptureFailures() + " failed");
        String file = bean.getLastCaptureFile();
        line(b, "last capture", file.isEmpty() ? "none yet"
                : Printable.of(file) + " (" + bean.getLastCaptureTrigger() + ", " + bean.getLastCaptureTime() + ")");
    }

    /** {@code incoming} and {@code outgoing} always, in that order, then any other side by name. */
    private static List<String> sides(Map<String, Map<String, Long>> closes) {
        List<String> sides = new ArrayList<>(List.of("incoming", "outgoing"));
        closes.keySet().stream().filter(s -> !sides.contains(s)).forEach(sides::add);
        return sides;
    }

    private static void line(StringBuilder b, String label, Object value) {
        b.append("  ").append(label);
        for (int i = label.length(); i < LABEL; i++) {
            b.append(' ');
        }
        b.append(' ').append(value).append('\n');
    }
}
