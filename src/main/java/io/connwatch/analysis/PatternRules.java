package io.connwatch.analysis;

import java.time.Duration;
import java.util.Objects;

/**
 * The thresholds that classify connections and the deadlines that clean them up, with the defaults the README's pattern table lists.
 * Immutable. Built with {@link #builder()}, whose named setters refuse an out-of-range value at once with a message
 * naming the setting; the defaults are the builder's.
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

    /** The defaults. */
    public static PatternRules defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these rules, to change some. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.stuckAfter = stuckAfter;
        b.stuckAfterTls = stuckAfterTls;
        b.halfZombieGrace = halfZombieGrace;
        b.halfZombieGraceTls = halfZombieGraceTls;
        b.connectTimeout = connectTimeout;
        b.idleAfter = idleAfter;
        b.inactivityTimeout = inactivityTimeout;
        b.keepAliveMultiplier = keepAliveMultiplier;
        b.oldAfter = oldAfter;
        b.maxLifetime = maxLifetime;
        b.slowAfter = slowAfter;
        b.listenerLeakThreshold = listenerLeakThreshold;
        b.cleanupEnabled = cleanupEnabled;
        return b;
    }

    /**
     * Builds {@link PatternRules} by name, so that two thresholds cannot be swapped unnoticed; every setter checks its
     * value at once. Not thread-safe.
     */
    public static final class Builder {
        private Duration stuckAfter = Duration.ofSeconds(60);
        private Duration stuckAfterTls = Duration.ofMinutes(5);
        private Duration halfZombieGrace = Duration.ofSeconds(30);
        private Duration halfZombieGraceTls = Duration.ofMinutes(5);
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration idleAfter = Duration.ofMinutes(5);
        private Duration inactivityTimeout = Duration.ofHours(4);
        private int keepAliveMultiplier = 6;
        private Duration oldAfter = Duration.ofHours(1);
        private Duration maxLifetime = Duration.ofHours(24);
        private Duration slowAfter = Duration.ofMinutes(5);
        private int listenerLeakThreshold = 10;
        private boolean cleanupEnabled = true;

        private Builder() {
        }

        /** STUCK after this age, plain connections (default 60 s). */
        public Builder stuckAfter(Duration d) {
            this.stuckAfter = positive("stuckAfter", d);
            return this;
        }

        /** STUCK after this age, TLS connections (default 5 min). */
        public Builder stuckAfterTls(Duration d) {
            this.stuckAfterTls = positive("stuckAfterTls", d);
            return this;
        }

        /** HALF_ZOMBIE grace, plain connections (default 30 s). */
        public Builder halfZombieGrace(Duration d) {
            this.halfZombieGrace = positive("halfZombieGrace", d);
            return this;
        }

        /** HALF_ZOMBIE grace, TLS connections (default 5 min). */
        public Builder halfZombieGraceTls(Duration d) {
            this.halfZombieGraceTls = positive("halfZombieGraceTls", d);
            return this;
        }

        /** NO_OUTGOING after this age without a backend connection (default 30 s). */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive("connectTimeout", d);
            return this;
        }

        /** IDLE after this long without activity (default 5 min). */
        public Builder idleAfter(Duration d) {
            this.idleAfter = positive("idleAfter", d);
            return this;
        }

        /** Cleanup closes connections idle this long (default 4 h). */
        public Builder inactivityTimeout(Duration d) {
            this.inactivityTimeout = positive("inactivityTimeout", d);
            return this;
        }

        /** The inactivity timeout's multiplier for keep-alive connections, 1 to 1000 (default 6). */
        public Builder keepAliveMultiplier(int n) {
            if (n < 1 || n > 1000) {
                throw invalid("keepAliveMultiplier", n, "must be between 1 and 1000");
            }
            this.keepAliveMultiplier = n;
            return this;
        }

        /** OLD after this age (default 1 h). */
        public Builder oldAfter(Duration d) {
            this.oldAfter = positive("oldAfter", d);
            return this;
        }

        /** Cleanup closes connections older than this (default 24 h). */
        public Builder maxLifetime(Duration d) {
            this.maxLifetime = positive("maxLifetime", d);
            return this;
        }

        /** SLOW_BACKEND when a response still transfers after this (default 5 min). */
        public Builder slowAfter(Duration d) {
            this.slowAfter = positive("slowAfter", d);
            return this;
        }

        /** LISTENER_LEAK above this many listeners of one name, at least 1 (default 10). */
        public Builder listenerLeakThreshold(int n) {
            if (n < 1) {
                throw invalid("listenerLeakThreshold", n, "must be at least 1");
            }
            this.listenerLeakThreshold = n;
            return this;
        }

        /** Whether cleanup closes connections; false for report-only (default true). */
        public Builder cleanupEnabled(boolean enabled) {
            this.cleanupEnabled = enabled;
            return this;
        }

        /** The rules. */
        public PatternRules build() {
            return new PatternRules(stuckAfter, stuckAfterTls, halfZombieGrace, halfZombieGraceTls, connectTimeout,
                    idleAfter, inactivityTimeout, keepAliveMultiplier, oldAfter, maxLifetime, slowAfter,
                    listenerLeakThreshold, cleanupEnabled);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw invalid(name, d, "must be positive");
            }
            return d;
        }

        private static IllegalArgumentException invalid(String name, Object value, String why) {
            return new IllegalArgumentException(name + " " + why + ", was " + value);
        }
    }
}
