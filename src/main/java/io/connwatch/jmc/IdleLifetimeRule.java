package io.connwatch.jmc;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;

/**
 * Idle and lifetime pressure: connections idle past idleAfter or older than oldAfter, and those closed at the
 * inactivity timeout or the maximum lifetime. Report-only patterns: information, never a warning.
 */
public final class IdleLifetimeRule extends ConnwatchRule {
    /** For {@link java.util.ServiceLoader}. */
    public IdleLifetimeRule() {
        super("IdleLifetime", "Idle and Old Connections", Recorded.CLEANUP);
    }

    @Override
    IResult evaluate(Recorded r, ResultBuilder b) {
        Map<String, Long> idle = r.highest("IDLE");
        Map<String, Long> old = r.highest("OLD");
        List<Recorded.Cleanup> inactive = r.cleanups("inactivity");
        List<Recorded.Cleanup> expired = r.cleanups("max_lifetime");
        if (idle.isEmpty() && old.isEmpty() && inactive.isEmpty() && expired.isEmpty()) {
            return ok(b, "No idle or lifetime pressure: no connection stayed idle or lived past its limits.",
                    "No check found an IDLE or OLD connection and none was closed for inactivity or max_lifetime.");
        }
        Set<String> monitors = new TreeSet<>(idle.keySet());
        monitors.addAll(old.keySet());
        inactive.forEach(c -> monitors.add(c.monitor()));
        expired.forEach(c -> monitors.add(c.monitor()));
        long most = Math.max(max(idle), max(old));
        return scored(b, 30 + Math.min(40, most + inactive.size() + expired.size()))
                .setSummary("Idle and old connections on " + monitors(monitors) + ": up to " + max(idle)
                        + " idle and " + max(old) + " old at a check; " + inactive.size() + " closed for inactivity, "
                        + expired.size() + " at max_lifetime.")
                .setExplanation("IDLE connections had no traffic for idleAfter (5 min by default), OLD ones are older "
                        + "than oldAfter (1 h); both are only reported, and hold a descriptor each. IDLE per monitor: "
                        + (idle.isEmpty() ? "none" : perMonitor(idle)) + "; OLD: "
                        + (old.isEmpty() ? "none" : perMonitor(old)) + ". " + dumps(r, monitors))
                .setSolution("If clients keep connections open they do not use, shorten their pools' idle timeout "
                        + "(or the inactivity timeout here); long-lived connections are fine for streams and "
                        + "websockets, otherwise set a maximum lifetime so they are renewed.")
                .build();
    }
}
