package io.connwatch.jmc;

import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;

/** Accumulation: a monitor's active count passed its threshold. A warning; the worse the overshoot, the higher. */
public final class AccumulationRule extends ConnwatchRule {
    /** For {@link java.util.ServiceLoader}. */
    public AccumulationRule() {
        super("Accumulation", "Connection Accumulation", Recorded.ACCUMULATION);
    }

    @Override
    IResult evaluate(Recorded r, ResultBuilder b) {
        if (r.accumulations.isEmpty()) {
            return ok(b, "No connection accumulation: the active connections stayed at or under the threshold.",
                    "Highest active count per monitor: " + perMonitor(r.peakActive) + ".");
        }
        Recorded.Accumulation worst = r.accumulations.stream()
                .max(Comparator.comparingDouble(a -> a.active() / (double) Math.max(1, a.threshold()))).get();
        Set<String> monitors = r.accumulations.stream().map(Recorded.Accumulation::monitor)
                .collect(Collectors.toCollection(TreeSet::new));
        double over = worst.active() / (double) Math.max(1, worst.threshold()) - 1;
        String patterns = worst.patterns().entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
        Set<String> files = new LinkedHashSet<>();
        r.accumulations.stream().map(Recorded.Accumulation::captureFile).filter(f -> !f.isEmpty())
                .forEach(files::add);
        files.addAll(r.dumps(monitors));
        List<String> targets = Recorded.ranked(r.cleanups.stream().filter(c -> monitors.contains(c.monitor()))
                .map(Recorded.Cleanup::target).collect(Collectors.toList()));
        String episodes = plural(r.accumulations.size(), "accumulation episode");
        return scored(b, 75 + Math.min(24, 24 * over))
                .setSummary("Connections accumulated on " + monitors(monitors) + ": " + worst.active()
                        + " active over the threshold of " + worst.threshold() + " (" + episodes + ").")
                .setExplanation("At its worst, monitor " + worst.monitor() + " held " + worst.active()
                        + " connections against a threshold of " + worst.threshold() + "; the check that found it "
                        + "counted " + (patterns.isEmpty() ? "no broken pattern" : patterns) + ". "
                        + (targets.isEmpty() ? "" : "Targets of the connections cleaned up: " + named(targets) + ". ")
                        + (files.isEmpty() ? "No diagnostic dump was written (cooldown or failure)."
                                : "The episode's diagnostic dump" + (files.size() == 1 ? ": " : "s: ") + named(files)
                                        + "."))
                .setSolution("Open the dump: connections are listed worst first with their targets and patterns. "
                        + "If one pattern dominates, follow its rule below (a hanging backend, failed connects, "
                        + "half-closed clients); if they are healthy and busy, the threshold is too low for this "
                        + "load: raise accumulationThreshold.")
                .build();
    }
}
