package io.connwatch.analysis;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Turns tallies into sentences an operator can act on: what was seen, the likely cause, and what connwatch does
 * about it. One sentence per pattern found.
 */
final class Recommendations {
    private Recommendations() {
    }

    static Map<Pattern, String> of(long[] tallies, List<TargetTally> byTarget, PatternRules rules) {
        Map<Pattern, String> out = new EnumMap<>(Pattern.class);
        for (Pattern p : Pattern.all()) {
            long n = tallies[p.ordinal()];
            if (n > 0) {
                out.put(p, sentence(p, n, where(p, n, byTarget), rules));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** " to 10.0.0.5:8080", " (9 of them to 10.0.0.5:8080)", or "" when unrouted. */
    private static String where(Pattern p, long n, List<TargetTally> byTarget) {
        TargetTally top = null;
        for (TargetTally t : byTarget) {
            if (top == null || t.count(p) > top.count(p)) {
                top = t;
            }
        }
        if (top == null || top.count(p) == 0 || TargetTally.UNROUTED.equals(top.target())) {
            return "";
        }
        return top.count(p) == n ? " to " + top.target() : " (" + top.count(p) + " of them to " + top.target() + ")";
    }

    private static String sentence(Pattern p, long n, String where, PatternRules r) {
        String conns = n == 1 ? "1 connection" : n + " connections";
        boolean one = n == 1;
        String has = one ? " has" : " have";
        String is = one ? " is" : " are";
        String them = one ? "it" : "them";
        boolean on = r.cleanupEnabled();
        String off = "; cleanup is off (report only), so " + (one ? "it stays" : "they stay") + " until the host closes "
                + them;
        switch (p) {
            case ZOMBIE:
                return conns + where + (one ? " outlived both its sockets and is" : " outlived both their sockets and are")
                        + " still tracked: the host closed the sockets without telling the tracker (a bookkeeping bug)"
                        + (on ? "; the cleanup sweep removes " + (one ? "the record" : "the records") : off);
            case HALF_ZOMBIE:
                return conns + where + has + " one side finished and the other still open, silent for over "
                        + Durations.human(r.halfZombieGrace()) + ": a peer half-closed or went away and the other"
                        + " side was never closed" + (on ? "; half-zombie cleanup closes both sides" : off);
            case STUCK:
                return conns + where + " received a request and sent nothing back for over "
                        + Durations.human(r.stuckAfter()) + ": the backend hangs"
                        + (on ? "; stuck cleanup closes " + them : off);
            case NO_OUTGOING:
                return conns + where + has + " had no backend connection for over "
                        + Durations.human(r.connectTimeout()) + ": the backend connect hangs or routing failed"
                        + (on ? "; connect-timeout cleanup closes " + (one ? "the client" : "the clients") : off);
            case IDLE:
                return conns + where + has + " been idle for over " + Durations.human(r.idleAfter())
                        + ": clients hold keep-alive or abandoned connections; reported only"
                        + (on ? ", closed after " + Durations.human(r.inactivityTimeout()) + " of inactivity ("
                        + Durations.human(r.inactivityTimeout().multipliedBy(r.keepAliveMultiplier()))
                        + " with keep-alive)" : "");
            case OLD:
                return conns + where + is + " older than " + Durations.human(r.oldAfter())
                        + ": long-lived tunnels, or connections nothing ever closes; reported only"
                        + (on ? ", closed at the maximum lifetime of " + Durations.human(r.maxLifetime()) : "");
            case SLOW_BACKEND:
                return conns + where + has + " been receiving a response for over " + Durations.human(r.slowAfter())
                        + ": the backend is slow or the transfer is large; reported only";
            case LISTENER_LEAK:
                return conns + where + has + " more than " + r.listenerLeakThreshold() + " listeners on one socket:"
                        + " a handler or callback is added per message and never removed; reported only, fix the"
                        + " code that adds them";
            default:
                throw new AssertionError(p);
        }
    }
}
