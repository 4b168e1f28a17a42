package io.connwatch.jmc;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;

/** Half-zombies: one side finished while the other stayed open and silent past the grace. A warning. */
public final class HalfZombieRule extends ConnwatchRule {
    /** For {@link java.util.ServiceLoader}. */
    public HalfZombieRule() {
        super("HalfZombie", "Half-Closed Connections", Recorded.CLEANUP);
    }

    @Override
    IResult evaluate(Recorded r, ResultBuilder b) {
        Map<String, Long> seen = r.highest("HALF_ZOMBIE");
        List<Recorded.Cleanup> cleaned = r.cleanups("half_zombie_cleanup");
        if (seen.isEmpty() && cleaned.isEmpty()) {
            return ok(b, "No half-zombie: no connection stayed half-closed past its grace.",
                    "No check found a HALF_ZOMBIE connection and none was cleaned as half_zombie_cleanup.");
        }
        Set<String> monitors = new TreeSet<>(seen.keySet());
        cleaned.forEach(c -> monitors.add(c.monitor()));
        List<String> targets = Recorded.ranked(cleaned.stream().map(Recorded.Cleanup::target)
                .collect(Collectors.toList()));
        long most = max(seen);
        return scored(b, 75 + Math.min(24, 2 * Math.max(most, cleaned.size())))
                .setSummary("Half-closed connections on " + monitors(monitors) + ": " + atChecks(most, "half-zombies")
                        + cleaned.size() + " cleaned as half_zombie_cleanup"
                        + (targets.isEmpty() ? "." : "; targets: " + named(targets) + "."))
                .setExplanation("A HALF_ZOMBIE has one side finished (its socket destroyed, or half-closed by its "
                        + "peer) while the other stays open with no activity for the grace (30 s plain, 5 min TLS). "
                        + "Such connections hold a descriptor and a slot until cleaned. HALF_ZOMBIE at the checks, per "
                        + "monitor: " + (seen.isEmpty() ? "none seen at a check" : perMonitor(seen)) + ". "
                        + dumps(r, monitors))
                .setSolution("Find which side stops: clients that shut down output and wait (HTTP/1.0 without "
                        + "keep-alive, health checks), or backends that go silent after the client's FIN. Relay the "
                        + "half-close to the other side, and keep the half-zombie cleanup on.")
                .build();
    }
}
