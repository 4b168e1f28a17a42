package io.connwatch.analysis;

import java.time.Duration;

/**
 * The thresholds that classify connections and the deadlines that clean them up, as SPEC "Patterns" gives them.
 * Immutable; validated by {@code MonitorSettings}.
 *
 * @param stuckAfter          STUCK after this age with a request and no response (plain)
 * @param stuckAfterTls       the same for TLS connections
 * @param halfZombieGrace     HALF_ZOMBIE after this long without activity once one side finished (plain)
 * @param halfZombieGraceTls  the same for TLS connections
 * @param connectTimeout      NO_OUTGOING after this age without a backend connection
 * @param idleAfter           IDLE after this long without activity
 * @param inactivityTimeout   cleanup closes idle connections after this long without activity
 * @param keepAliveMultiplier the inactivity timeout is multiplied by this for keep-alive connections
 * @param oldAfter            OLD after this age
 * @param maxLifetime         cleanup closes connections older than this
 * @param slowAfter           SLOW_BACKEND when a response is still transferring after this long
 * @param listenerLeakThreshold LISTENER_LEAK when a listener count on an endpoint exceeds this
 * @param cleanupEnabled      false for report-only: the sweep logs what it would close and closes nothing
 */
public record PatternRules(
        Duration stuckAfter,
        Duration stuckAfterTls,
        Duration halfZombieGrace,
        Duration halfZombieGraceTls,
        Duration connectTimeout,
        Duration idleAfter,
        Duration inactivityTimeout,
        int keepAliveMultiplier,
        Duration oldAfter,
        Duration maxLifetime,
        Duration slowAfter,
        int listenerLeakThreshold,
        boolean cleanupEnabled) {

    /** SPEC's defaults. */
    public static PatternRules defaults() {
        return new PatternRules(Duration.ofSeconds(60), Duration.ofMinutes(5), Duration.ofSeconds(30),
                Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4), 6,
                Duration.ofHours(1), Duration.ofHours(24), Duration.ofMinutes(5), 10, true);
    }
}
