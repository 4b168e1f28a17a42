package io.connwatch.jfr;

import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.Pattern;
import jdk.jfr.Label;

/**
 * The pattern counts an accumulation and the periodic statistics both carry. Ints: JMC charts an int as a number, a
 * plain long only as a raw value it will not plot.
 *
 * <p>JFR reads an event's declared fields, so each count is a field of its own: named {@link Pattern#countName()}
 * and declared in {@link Pattern#inCountOrder()}, which JfrEventsTest checks against the recorded events.
 */
abstract class PatternCountsEvent extends ConnwatchEvent {
    @Label("Zombies")
    int zombies;
    @Label("Half-Zombies")
    int halfZombies;
    @Label("Stuck")
    int stuck;
    @Label("Idle")
    int idle;
    @Label("Old")
    int old;
    @Label("No Outgoing")
    int noOutgoing;
    @Label("Slow Backends")
    int slowBackends;
    @Label("Listener Leaks")
    int listenerLeaks;

    /** Fills the counts from a check; all zero without one. */
    final void counts(CheckResult r) {
        if (r == null) {
            return;
        }
        for (Pattern p : Pattern.inCountOrder()) {
            count(p, JfrIntegration.clamp(r.count(p)));
        }
    }

    // A switch expression must cover every pattern: a new one does not compile until it has its field here.
    private int count(Pattern p, int n) {
        return switch (p) {
            case ZOMBIE -> zombies = n;
            case HALF_ZOMBIE -> halfZombies = n;
            case STUCK -> stuck = n;
            case IDLE -> idle = n;
            case OLD -> old = n;
            case NO_OUTGOING -> noOutgoing = n;
            case SLOW_BACKEND -> slowBackends = n;
            case LISTENER_LEAK -> listenerLeaks = n;
        };
    }
}
