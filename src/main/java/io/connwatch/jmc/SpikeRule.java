package io.connwatch.jmc;

import java.util.Comparator;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;

/** Spikes: the active count jumped by the spike threshold or more between two checks. Repeated spikes warn. */
public final class SpikeRule extends ConnwatchRule {
    /** For {@link java.util.ServiceLoader}. */
    public SpikeRule() {
        super("Spike", "Connection Spikes", Recorded.SPIKE);
    }

    @Override
    IResult evaluate(Recorded r, ResultBuilder b) {
        if (r.spikes.isEmpty()) {
            return ok(b, "No connection spike: the active count never jumped by the spike threshold between checks.",
                    "Highest active count per monitor: " + perMonitor(r.peakActive) + ".");
        }
        Recorded.Spike top = r.spikes.stream().max(Comparator.comparingLong(Recorded.Spike::increase)).get();
        Set<String> monitors = r.spikes.stream().map(Recorded.Spike::monitor)
                .collect(Collectors.toCollection(TreeSet::new));
        int n = r.spikes.size();
        double ratio = top.increase() / (double) Math.max(1, top.threshold());
        // One spike is worth knowing; several, or one of twice the threshold, is a pattern to act on.
        double score = n >= 3 || ratio >= 2 ? 75 + Math.min(24, 8 * (n - 1)) : 50 + Math.min(24, 24 * (ratio - 1));
        return scored(b, score)
                .setSummary(plural(n, "spike") + " of new connections on " + monitors(monitors) + ", the largest +"
                        + top.increase() + " (from " + top.previous() + " to " + top.active() + ") in "
                        + top.intervalMs() + " ms.")
                .setExplanation("A spike is a rise of at least the spike threshold (" + top.threshold()
                        + ") in the active count between two checks: many clients connecting at once. "
                        + dumps(r, monitors))
                .setSolution("Look for retry storms and reconnect loops: clients retrying without backoff, "
                        + "connection pools refilled at once after a backend recovered, health checks in lockstep. "
                        + "Add jittered backoff, or cap the pools.")
                .build();
    }
}
