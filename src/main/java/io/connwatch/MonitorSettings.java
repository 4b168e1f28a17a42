package io.connwatch;

import io.connwatch.analysis.PatternRules;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A monitor's settings, immutable and valid: {@link Builder#build()} refuses an out-of-range value with a message
 * naming the setting. The monitor re-reads its settings on every tick, so {@link ConnectionMonitor#updateSettings}
 * takes effect at the next check without a restart.
 */
public final class MonitorSettings {
    /** The shortest check interval accepted. */
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    /** The smallest dump-folder byte limit: below it a single dump of a busy proxy would not fit. */
    public static final long MIN_DUMP_BYTES = 1L << 20;

    // Each setting is declared once, with its default, in Values (the rules in PatternRules.Builder); a settings
    // object holds a private copy of its builder's values that nothing changes afterwards.
    private final Values values;
    private final PatternRules rules;

    private MonitorSettings(Builder b) {
        this.values = b.values.copy();
        this.rules = b.rules.build();
    }

    /** The defaults: check every 5 s, accumulation above 50, spike of 20, the pattern rules' defaults. */
    public static MonitorSettings defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder(new Values(), PatternRules.builder());
    }

    /** A builder holding these settings, to change some. */
    public Builder toBuilder() {
        return new Builder(values.copy(), rules.toBuilder());
    }

    /** How often the monitor checks (default 5 s). */
    public Duration checkInterval() {
        return values.checkInterval;
    }

    /** Accumulation when the active count exceeds this at a check (default 50). */
    public long accumulationThreshold() {
        return values.accumulationThreshold;
    }

    /** Spike when the count rose by this or more since the previous check (default 20). */
    public long spikeThreshold() {
        return values.spikeThreshold;
    }

    /** The least time between two automatic captures (default 60 s). */
    public Duration captureCooldown() {
        return values.captureCooldown;
    }

    /** The least time between two forced captures (default 1 s). */
    public Duration forcedCaptureInterval() {
        return values.forcedCaptureInterval;
    }

    /** At most this many connections in a dump's detail (default 10 000). */
    public int maxConnectionDetails() {
        return values.maxConnectionDetails;
    }

    /** How many checks the trend keeps (default 60). */
    public int trendSize() {
        return values.trendSize;
    }

    /** The configured dump folder, or null for {@code -Dconnwatch.dump.dir} or {@code ./connection-diagnostics}. */
    public Path outputDirectory() {
        return values.outputDirectory;
    }

    /** How often the cleanup sweep runs (default 10 s). */
    public Duration cleanupInterval() {
        return values.cleanupInterval;
    }

    /** The fraction by which cleanup deadlines vary per connection (default 0.05, ±5 %). */
    public double jitter() {
        return values.jitter;
    }

    /** At most this many connwatch dumps are kept per folder, the oldest deleted first (default 100). */
    public int maxDumpFiles() {
        return values.maxDumpFiles;
    }

    /** At most this many bytes of connwatch dumps are kept per folder (default 1 GiB). */
    public long maxDumpBytes() {
        return values.maxDumpBytes;
    }

    /** Whether client addresses are masked in dumps and JFR events ({@code 203.0.113.x}); default false. */
    public boolean maskAddresses() {
        return values.maskAddresses;
    }

    /** Whether cleanup closes connections; false is report-only. */
    public boolean cleanupEnabled() {
        return rules.cleanupEnabled();
    }

    /** The pattern thresholds and cleanup deadlines. */
    public PatternRules rules() {
        return rules;
    }

    @Override
    public String toString() {
        return "MonitorSettings[checkInterval=" + values.checkInterval + ", accumulationThreshold="
                + values.accumulationThreshold + ", spikeThreshold=" + values.spikeThreshold + ", captureCooldown="
                + values.captureCooldown + ", outputDirectory=" + values.outputDirectory + ", cleanupInterval="
                + values.cleanupInterval + ", " + rules + "]";
    }

    /**
     * Builds {@link MonitorSettings}; every setter checks its value at once. The rules' setters, from
     * {@link #stuckAfter} to {@link #cleanupEnabled}, are {@link PatternRules.Builder}'s, with the same checks.
     */
    public static final class Builder {
        private final Values values;
        private final PatternRules.Builder rules;

        private Builder(Values values, PatternRules.Builder rules) {
            this.values = values;
            this.rules = rules;
        }

        /** Check interval, at least 100 ms. */
        public Builder checkInterval(Duration d) {
            values.checkInterval = atLeast("checkInterval", d, MIN_INTERVAL);
            return this;
        }

        /** Accumulation threshold, at least 1. */
        public Builder accumulationThreshold(long n) {
            values.accumulationThreshold = positive("accumulationThreshold", n);
            return this;
        }

        /** Spike threshold, at least 1. */
        public Builder spikeThreshold(long n) {
            values.spikeThreshold = positive("spikeThreshold", n);
            return this;
        }

        /** Least time between automatic captures; zero allowed. */
        public Builder captureCooldown(Duration d) {
            values.captureCooldown = atLeast("captureCooldown", d, Duration.ZERO);
            return this;
        }

        /** Least time between forced captures; zero allowed. */
        public Builder forcedCaptureInterval(Duration d) {
            values.forcedCaptureInterval = atLeast("forcedCaptureInterval", d, Duration.ZERO);
            return this;
        }

        /** Connections in a dump's detail; zero writes none (the summary still covers all). */
        public Builder maxConnectionDetails(int n) {
            if (n < 0) {
                throw invalid("maxConnectionDetails", n, "must be 0 or more");
            }
            values.maxConnectionDetails = n;
            return this;
        }

        /** Checks kept in the trend, 1 to 10 000. */
        public Builder trendSize(int n) {
            if (n < 1 || n > 10_000) {
                throw invalid("trendSize", n, "must be between 1 and 10000");
            }
            values.trendSize = n;
            return this;
        }

        /** The dump folder; null for the default. A path holding {@code ..} is refused. */
        public Builder outputDirectory(Path dir) {
            if (dir != null) {
                for (Path part : dir) {
                    if ("..".equals(part.toString())) {
                        throw invalid("outputDirectory", dir, "must not contain '..'");
                    }
                }
            }
            values.outputDirectory = dir;
            return this;
        }

        /** Cleanup sweep interval, at least 100 ms. */
        public Builder cleanupInterval(Duration d) {
            values.cleanupInterval = atLeast("cleanupInterval", d, MIN_INTERVAL);
            return this;
        }

        /** Deadline jitter, 0 to 0.5. */
        public Builder jitter(double fraction) {
            if (!(fraction >= 0 && fraction <= 0.5)) {
                throw invalid("jitter", fraction, "must be between 0 and 0.5");
            }
            values.jitter = fraction;
            return this;
        }

        /** Connwatch dumps kept per folder, at least 1; older ones are deleted after each capture. */
        public Builder maxDumpFiles(int n) {
            if (n < 1) {
                throw invalid("maxDumpFiles", n, "must be at least 1");
            }
            values.maxDumpFiles = n;
            return this;
        }

        /** Bytes of connwatch dumps kept per folder, at least 1 MiB. */
        public Builder maxDumpBytes(long bytes) {
            if (bytes < MIN_DUMP_BYTES) {
                throw invalid("maxDumpBytes", bytes, "must be at least 1048576 (1 MiB)");
            }
            values.maxDumpBytes = bytes;
            return this;
        }

        /** Masks client addresses in dumps and JFR events, for files that leave the machine. */
        public Builder maskAddresses(boolean mask) {
            values.maskAddresses = mask;
            return this;
        }

        /** STUCK after this age, plain connections. */
        public Builder stuckAfter(Duration d) {
            rules.stuckAfter(d);
            return this;
        }

        /** STUCK after this age, TLS connections. */
        public Builder stuckAfterTls(Duration d) {
            rules.stuckAfterTls(d);
            return this;
        }

        /** HALF_ZOMBIE grace, plain connections. */
        public Builder halfZombieGrace(Duration d) {
            rules.halfZombieGrace(d);
            return this;
        }

        /** HALF_ZOMBIE grace, TLS connections. */
        public Builder halfZombieGraceTls(Duration d) {
            rules.halfZombieGraceTls(d);
            return this;
        }

        /** NO_OUTGOING after this age without a backend connection. */
        public Builder connectTimeout(Duration d) {
            rules.connectTimeout(d);
            return this;
        }

        /** IDLE after this long without activity. */
        public Builder idleAfter(Duration d) {
            rules.idleAfter(d);
            return this;
        }

        /** Cleanup closes connections idle this long. */
        public Builder inactivityTimeout(Duration d) {
            rules.inactivityTimeout(d);
            return this;
        }

        /** The inactivity timeout's multiplier for keep-alive connections, 1 to 1000. */
        public Builder keepAliveMultiplier(int n) {
            rules.keepAliveMultiplier(n);
            return this;
        }

        /** OLD after this age. */
        public Builder oldAfter(Duration d) {
            rules.oldAfter(d);
            return this;
        }

        /** Cleanup closes connections older than this. */
        public Builder maxLifetime(Duration d) {
            rules.maxLifetime(d);
            return this;
        }

        /** SLOW_BACKEND when a response still transfers after this. */
        public Builder slowAfter(Duration d) {
            rules.slowAfter(d);
            return this;
        }

        /** LISTENER_LEAK above this many listeners of one name. */
        public Builder listenerLeakThreshold(int n) {
            rules.listenerLeakThreshold(n);
            return this;
        }

        /** Whether cleanup closes connections; false for report-only. */
        public Builder cleanupEnabled(boolean enabled) {
            rules.cleanupEnabled(enabled);
            return this;
        }

        /** The settings. */
        public MonitorSettings build() {
            return new MonitorSettings(this);
        }

        private static Duration atLeast(String name, Duration d, Duration min) {
            Objects.requireNonNull(d, name);
            if (d.compareTo(min) < 0) {
                throw invalid(name, d, min.isZero() ? "must not be negative" : "must be at least " + min.toMillis() + " ms");
            }
            return d;
        }

        private static long positive(String name, long n) {
            if (n < 1) {
                throw invalid(name, n, "must be at least 1");
            }
            return n;
        }

        private static IllegalArgumentException invalid(String name, Object value, String why) {
            return new IllegalArgumentException(name + " " + why + ", was " + value);
        }
    }

    /**
     * Every setting but the rules, with its default. Mutable inside one builder; a settings object holds a copy that
     * is never changed after its constructor, so the final field publishes it safely to every thread.
     */
    private static final class Values implements Cloneable {
        Duration checkInterval = Duration.ofSeconds(5);
        long accumulationThreshold = 50;
        long spikeThreshold = 20;
        Duration captureCooldown = Duration.ofSeconds(60);
        Duration forcedCaptureInterval = Duration.ofSeconds(1);
        int maxConnectionDetails = 10_000;
        int trendSize = 60;
        Path outputDirectory;
        Duration cleanupInterval = Duration.ofSeconds(10);
        double jitter = 0.05;
        int maxDumpFiles = 100;
        long maxDumpBytes = 1L << 30;
        boolean maskAddresses;

        // A shallow copy is a full one: every field is a primitive or an immutable value.
        Values copy() {
            try {
                return (Values) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
