package io.connwatch.jmc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;

/**
 * Failed backend connects: clients left without a backend past the connect timeout (NO_OUTGOING, cleaned as
 * connect_timeout), and, when the recording has the detailed level's closing events, refusals and timeouts. A
 * warning.
 */
public final class FailedConnectRule extends ConnwatchRule {
    private static final List<String> CONNECT_FAILURES = List.of("econnrefused", "etimedout");

    /** For {@link java.util.ServiceLoader}. */
    public FailedConnectRule() {
        super("FailedConnect", "Failed Backend Connects", Recorded.CLEANUP);
    }

    @Override
    IResult evaluate(Recorded r, ResultBuilder b) {
        Map<String, Long> waiting = r.highest("NO_OUTGOING");
        List<Recorded.Cleanup> timedOut = r.cleanups("connect_timeout");
        List<Recorded.Closed> refused = r.closed.stream().filter(c -> CONNECT_FAILURES.contains(c.reason()))
                .collect(Collectors.toList());
        String detail = r.closedRecorded ? ""
                : " Refusals are counted only at connwatch-level=detailed (ConnectionClosed events); this recording "
                        + "does not have them.";
        if (waiting.isEmpty() && timedOut.isEmpty() && refused.isEmpty()) {
            return ok(b, "No failed connect: every routed connection reached its backend in time.",
                    "No check found a NO_OUTGOING connection and none was cleaned as connect_timeout." + detail);
        }
        Set<String> monitors = new TreeSet<>(waiting.keySet());
        timedOut.forEach(c -> monitors.add(c.monitor()));
        refused.forEach(c -> monitors.add(c.monitor()));
        List<String> all = new ArrayList<>();
        timedOut.forEach(c -> all.add(c.target()));
        refused.forEach(c -> all.add(c.target()));
        List<String> targets = Recorded.ranked(all);
        Map<String, Long> byReason = new TreeMap<>();
        refused.forEach(c -> byReason.merge(c.reason(), 1L, Long::sum));
        String failures = timedOut.size() + " connect_timeout cleanup" + (timedOut.size() == 1 ? "" : "s")
                + (byReason.isEmpty() ? "" : ", " + perMonitor(byReason).replace(": ", " "));
        long n = timedOut.size() + refused.size();
        return scored(b, 75 + Math.min(24, 2 * Math.max(n, max(waiting))))
                .setSummary("Backend connects failed on " + monitors(monitors) + ": " + failures
                        + (targets.isEmpty() ? "." : "; backends: " + named(targets) + "."))
                .setExplanation("A NO_OUTGOING connection has a client but no backend connection after the connect "
                        + "timeout; econnrefused and etimedout are connects the backend refused or never answered. "
                        + "NO_OUTGOING at the checks, per monitor: "
                        + (waiting.isEmpty() ? "none seen at a check" : perMonitor(waiting)) + "." + detail + " "
                        + dumps(r, monitors))
                .setSolution("Check that the named backends are up and listening, that nothing between drops SYNs, "
                        + "and their accept backlog; a client that waits for a connect holds its own connection all "
                        + "that time.")
                .build();
    }
}
