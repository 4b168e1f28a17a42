package io.connwatch.jmc;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;

/**
 * Backends that hang: connections that delivered a request and got nothing back (STUCK), a warning; and responses
 * still transferring long after they started (SLOW_BACKEND), information.
 */
public final class StuckBackendRule extends ConnwatchRule {
    /** For {@link java.util.ServiceLoader}. */
    public StuckBackendRule() {
        super("StuckBackend", "Backends That Hang", Recorded.CLEANUP);
    }

    @Override
    IResult evaluate(Recorded r, ResultBuilder b) {
        Map<String, Long> stuck = r.highest("STUCK");
        Map<String, Long> slow = r.highest("SLOW_BACKEND");
        List<Recorded.Cleanup> cleaned = r.cleanups("stuck_no_response");
        if (stuck.isEmpty() && slow.isEmpty() && cleaned.isEmpty()) {
            return ok(b, "No stuck connection: every backend that received a request answered.",
                    "No check found a STUCK or SLOW_BACKEND connection and none was cleaned as stuck_no_response.");
        }
        Set<String> monitors = new TreeSet<>(stuck.keySet());
        monitors.addAll(slow.keySet());
        cleaned.forEach(c -> monitors.add(c.monitor()));
        List<String> targets = Recorded.ranked(cleaned.stream().map(Recorded.Cleanup::target)
                .collect(Collectors.toList()));
        String where = targets.isEmpty() ? "" : " Backends: " + named(targets) + ".";
        if (stuck.isEmpty() && cleaned.isEmpty()) {
            return scored(b, 50)
                    .setSummary("Slow backends on " + monitors(monitors) + ": up to " + max(slow)
                            + " responses still transferring long after they started.")
                    .setExplanation("SLOW_BACKEND at the checks, per monitor: " + perMonitor(slow) + ". "
                            + dumps(r, monitors))
                    .setSolution("Check the backends' throughput and the size of their responses; connwatch only "
                            + "reports this pattern.")
                    .build();
        }
        long most = Math.max(max(stuck), 0);
        return scored(b, 75 + Math.min(24, 2 * Math.max(most, cleaned.size())))
                .setSummary("Backends hang on " + monitors(monitors) + ": connections received a request and sent "
                        + "nothing back, " + atChecks(most, "at once") + cleaned.size()
                        + " cleaned as stuck_no_response." + where)
                .setExplanation("A STUCK connection delivered the client's bytes to its backend and got no byte back "
                        + "for longer than stuckAfter. STUCK at the checks, per monitor: "
                        + (stuck.isEmpty() ? "none seen at a check" : perMonitor(stuck)) + "."
                        + (slow.isEmpty() ? "" : " Also SLOW_BACKEND: " + perMonitor(slow) + ".") + " "
                        + dumps(r, monitors))
                .setSolution("Find out why the named backends accept requests and never answer: a deadlock, an "
                        + "exhausted worker pool, a dependency of theirs that hangs. Meanwhile the stuck cleanup "
                        + "closes such connections after stuckAfter; keep it on.")
                .build();
    }
}
