package io.connwatch.jfr;

import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.Pattern;
import jdk.jfr.Label;

/**
 * The pattern counts an accumulation and the periodic statistics both carry. Ints: JMC charts an int as a number, a
 * plain long only as a raw value it will not plot.
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
        zombies = JfrIntegration.clamp(r.count(Pattern.ZOMBIE));
        halfZombies = JfrIntegration.clamp(r.count(Pattern.HALF_ZOMBIE));
        stuck = JfrIntegration.clamp(r.count(Pattern.STUCK));
        idle = JfrIntegration.clamp(r.count(Pattern.IDLE));
        old = JfrIntegration.clamp(r.count(Pattern.OLD));
        noOutgoing = JfrIntegration.clamp(r.count(Pattern.NO_OUTGOING));
        slowBackends = JfrIntegration.clamp(r.count(Pattern.SLOW_BACKEND));
        listenerLeaks = JfrIntegration.clamp(r.count(Pattern.LISTENER_LEAK));
    }
}
