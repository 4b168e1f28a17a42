package io.connwatch.jmc;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;

/**
 * The host's bookkeeping leaks: ZOMBIE records (both sockets gone, the record still tracked) and LISTENER_LEAK
 * endpoints (handlers or callbacks piling up on one socket). Bugs in the host, a warning.
 */
public final class LeakRule extends ConnwatchRule {
    /** For {@link java.util.ServiceLoader}. */
    public LeakRule() {
        super("Leak", "Zombie Records and Listener Leaks", Recorded.CLEANUP);
    }

    @Override
    IResult evaluate(Recorded r, ResultBuilder b) {
        Map<String, Long> zombies = r.highest("ZOMBIE");
        Map<String, Long> listeners = r.highest("LISTENER_LEAK");
        List<Recorded.Cleanup> cleaned = r.cleanups("zombie_cleanup");
        if (zombies.isEmpty() && listeners.isEmpty() && cleaned.isEmpty()) {
            return ok(b, "No leak: no zombie record and no listener leak.",
                    "No check found a ZOMBIE or LISTENER_LEAK connection and none was cleaned as zombie_cleanup.");
        }
        Set<String> monitors = new TreeSet<>(zombies.keySet());
        monitors.addAll(listeners.keySet());
        cleaned.forEach(c -> monitors.add(c.monitor()));
        StringBuilder summary = new StringBuilder("The host leaks on ").append(monitors(monitors)).append(": ");
        if (!zombies.isEmpty() || !cleaned.isEmpty()) {
            summary.append(atChecks(max(zombies), "zombie records")).append(cleaned.size())
                    .append(" removed as zombie_cleanup");
        }
        if (!listeners.isEmpty()) {
            summary.append(zombies.isEmpty() && cleaned.isEmpty() ? "" : "; ").append("up to ")
                    .append(plural(max(listeners), "connection")).append(" with a listener leak at a check");
        }
        long n = Math.max(Math.max(max(zombies), max(listeners)), cleaned.size());
        return scored(b, 75 + Math.min(24, 2 * n))
                .setSummary(summary.append('.').toString())
                .setExplanation("A ZOMBIE is a connection whose sockets are both closed while the host never "
                        + "reported it closed: a missed close in the host's bookkeeping, which the sweep removes. A "
                        + "LISTENER_LEAK is a socket with more listeners of one kind than listenerLeakThreshold (10): "
                        + "handlers or callbacks added per request and never removed. ZOMBIE per monitor: "
                        + (zombies.isEmpty() ? "none at a check" : perMonitor(zombies)) + "; LISTENER_LEAK: "
                        + (listeners.isEmpty() ? "none" : perMonitor(listeners)) + ". " + dumps(r, monitors))
                .setSolution("In the dump, the listed connections show their listener counts by name and their "
                        + "endpoint states: find the close path that skips the tracker's close (an exception, an "
                        + "early return), and the code that adds the leaking listener.")
                .build();
    }
}
