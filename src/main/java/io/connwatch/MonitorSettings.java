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

    private final Duration checkInterval;
    private final long accumulationThreshold;
    private final long spikeThreshold;
    private final Duration captureCooldown;
    private final Duration forcedCaptureInterval;
    private final int maxConnectionDetails;
    private final int trendSize;
    private final Path outputDirectory;
    private final Duration cleanupInterval;
    private final double jitter;
    private final int maxDumpFiles;
    private final long maxDumpBytes;
    private final boolean maskAddresses;
    private final PatternRules rules;

    private MonitorSettings(Builder b) {
        this.checkInterval = b.checkInterval;
        this.accumulationThreshold = b.accumulationThreshold;
        this.spikeThreshold = b.spikeThreshold;
        this.captureCooldown = b.captureCooldown;
        this.forcedCaptureInterval = b.forcedCaptureInterval;
        this.maxConnectionDetails = b.maxConnectionDetails;
        this.trendSize = b.trendSize;
        this.outputDirectory = b.outputDirectory;
        this.cleanupInterval = b.cleanupInterval;
        this.jitter = b.jitter;
        this.maxDumpFiles = b.maxDumpFiles;
        this.maxDumpBytes = b.maxDumpBytes;
        this.maskAddresses = b.maskAddresses;
        this.rules = new PatternRules(b.stuckAfter, b.stuckAfterTls, b.halfZombieGrace, b.halfZombieGraceTls,
                b.connectTimeout, b.idleAfter, b.inactivityTimeout, b.keepAliveMultiplier, b.oldAfter,
                b.maxLifetime, b.slowAfter, b.listenerLeakThreshold, b.cleanupEnabled);
    }

    /** SPEC's defaults. */
    public static MonitorSettings defaults() {
        return builder().build();
    }

    /** A builder with SPEC's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change some. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.checkInterval = checkInterval;
        b.accumulationThreshold = accumulationThreshold;
        b.spikeThreshold = spikeThreshold;
        b.captureCooldown = captureCooldown;
        b.forcedCaptureInterval = forcedCaptureInterval;
        b.maxConnectionDetails = maxConnectionDetails;
        b.trendSize = trendSize;
        b.outputDirectory = outputDirectory;
        b.cleanupInterval = cleanupInterval;
        b.jitter = jitter;
        b.maxDumpFiles = maxDumpFiles;
        b.maxDumpBytes = maxDumpBytes;
        b.maskAddresses = maskAddresses;
        b.stuckAfter = rules.stuckAfter();
        b.stuckAfterTls = rules.stuckAfterTls();
        b.halfZombieGrace = rules.halfZombieGrace();
        b.halfZombieGraceTls = rules.halfZombieGraceTls();
        b.connectTimeout = rules.connectTimeout();
        b.idleAfter = rules.idleAfter();
        b.inactivityTimeout = rules.inactivityTimeout();
        b.keepAliveMultiplier = rules.keepAliveMultiplier();
        b.oldAfter = rules.oldAfter();
        b.maxLifetime = rules.maxLifetime();
        b.slowAfter = rules.slowAfter();
        b.listenerLeakThreshold = rules.listenerLeakThreshold();
        b.cleanupEnabled = rules.cleanupEnabled();
        return b;
    }

    /** How often the monitor checks (default 5 s). */
    public Duration checkInterval() {
        return checkInterval;
    }

    /** Accumulation when the active count exceeds this at a check (default 50). */
    public long accumulationThreshold() {
        return accumulationThreshold;
    }

    /** Spike when the count rose by this or more since the previous check (default 20). */
    public long spikeThreshold() {
        return spikeThreshold;
    }

    /** The least time between two automatic captures (default 60 s). */
    public Duration captureCooldown() {
        return captureCooldown;
    }

    /** The least time between two forced captures (default 1 s). */
    public Duration forcedCaptureInterval() {
        return forcedCaptureInterval;
    }

    /** At most this many connections in a dump's detail (default 10 000). */
    public int maxConnectionDetails() {
        return maxConnectionDetails;
    }

    /** How many checks the trend keeps (default 60). */
    public int trendSize() {
        return trendSize;
    }

    /** The configured dump folder, or null for {@code -Dconnwatch.dump.dir} or {@code ./connection-diagnostics}. */
    public Path outputDirectory() {
        return outputDirectory;
    }

    /** How often the cleanup sweep runs (default 10 s). */
    public Duration cleanupInterval() {
        return cleanupInterval;
    }

    /** The fraction by which cleanup deadlines vary per connection (default 0.05, ±5 %). */
    public double jitter() {
        return jitter;
    }

    /** At most this many connwatch dumps are kept per folder, the oldest deleted first (default 100). */
    public int maxDumpFiles() {
        return maxDumpFiles;
    }

    /** At most this many bytes of connwatch dumps are kept per folder (default 1 GiB). */
    public long maxDumpBytes() {
        return maxDumpBytes;
    }

    /** Whether client addresses are masked in dumps and JFR events ({@code 203.0.113.x}); default false. */
    public boolean maskAddresses() {
        return maskAddresses;
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
        return "MonitorSettings[checkInterval=" + checkInterval + ", accumulationThreshold=" + accumulationThreshold
                + ", spikeThreshold=" + spikeThreshold + ", captureCooldown=" + captureCooldown
                + ", outputDirectory=" + outputDirectory + ", cleanupInterval=" + cleanupInterval + ", " + rules + "]";
    }

    /** Builds {@link MonitorSettings}; every setter checks its value at once. */
    public static final class Builder {
        private Duration checkInterval = Duration.ofSeconds(5);
        private long accumulationThreshold = 50;
        private long spikeThreshold = 20;
        private Duration captureCooldown = Duration.ofSeconds(60);
        private Duration forcedCaptureInterval = Duration.ofSeconds(1);
        private int maxConnectionDetails = 10_000;
        private int trendSize = 60;
        private Path outputDirectory;
        private Duration cleanupInterval = Duration.ofSeconds(10);
        private double jitter = 0.05;
        private int maxDumpFiles = 100;
        private long maxDumpBytes = 1L << 30;
        private boolean maskAddresses;
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

        /** Check interval, at least 100 ms. */
        public Builder checkInterval(Duration d) {
            this.checkInterval = atLeast("checkInterval", d, MIN_INTERVAL);
            return this;
        }

        /** Accumulation threshold, at least 1. */
        public Builder accumulationThreshold(long n) {
            this.accumulationThreshold = positive("accumulationThreshold", n);
            return this;
        }

        /** Spike threshold, at least 1. */
        public Builder spikeThreshold(long n) {
            this.spikeThreshold = positive("spikeThreshold", n);
            return this;
        }

        /** Least time between automatic captures; zero allowed. */
        public Builder captureCooldown(Duration d) {
            this.captureCooldown = atLeast("captureCooldown", d, Duration.ZERO);
            return this;
        }

        /** Least time between forced captures; zero allowed. */
        public Builder forcedCaptureInterval(Duration d) {
            this.forcedCaptureInterval = atLeast("forcedCaptureInterval", d, Duration.ZERO);
            return this;
        }

        /** Connections in a dump's detail; zero writes none (the summary still covers all). */
        public Builder maxConnectionDetails(int n) {
            if (n < 0) {
                throw invalid("maxConnectionDetails", n, "must be 0 or more");
            }
            this.maxConnectionDetails = n;
            return this;
        }

        /** Checks kept in the trend, 1 to 10 000. */
        public Builder trendSize(int n) {
            if (n < 1 || n > 10_000) {
                throw invalid("trendSize", n, "must be between 1 and 10000");
            }
            this.trendSize = n;
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
            this.outputDirectory = dir;
            return this;
        }

        /** Cleanup sweep interval, at least 100 ms. */
        public Builder cleanupInterval(Duration d) {
            this.cleanupInterval = atLeast("cleanupInterval", d, MIN_INTERVAL);
            return this;
        }

        /** Deadline jitter, 0 to 0.5. */
        public Builder jitter(double fraction) {
            if (!(fraction >= 0 && fraction <= 0.5)) {
                throw invalid("jitter", fraction, "must be between 0 and 0.5");
            }
            this.jitter = fraction;
            return this;
        }

        /** Connwatch dumps kept per folder, at least 1; older ones are deleted after each capture. */
        public Builder maxDumpFiles(int n) {
            if (n < 1) {
                throw invalid("maxDumpFiles", n, "must be at least 1");
            }
            this.maxDumpFiles = n;
            return this;
        }

        /** Bytes of connwatch dumps kept per folder, at least 1 MiB. */
        public Builder maxDumpBytes(long bytes) {
            if (bytes < MIN_DUMP_BYTES) {
                throw invalid("maxDumpBytes", bytes, "must be at least 1048576 (1 MiB)");
            }
            this.maxDumpBytes = bytes;
            return this;
        }

        /** Masks client addresses in dumps and JFR events, for files that leave the machine. */
        public Builder maskAddresses(boolean mask) {
            this.maskAddresses = mask;
            return this;
        }

        /** STUCK after this age, plain connections. */
        public Builder stuckAfter(Duration d) {
            this.stuckAfter = positive("stuckAfter", d);
            return this;
        }

        /** STUCK after this age, TLS connections. */
        public Builder stuckAfterTls(Duration d) {
            this.stuckAfterTls = positive("stuckAfterTls", d);
            return this;
        }

        /** HALF_ZOMBIE grace, plain connections. */
        public Builder halfZombieGrace(Duration d) {
            this.halfZombieGrace = positive("halfZombieGrace", d);
            return this;
        }

        /** HALF_ZOMBIE grace, TLS connections. */
        public Builder halfZombieGraceTls(Duration d) {
            this.halfZombieGraceTls = positive("halfZombieGraceTls", d);
            return this;
        }

        /** NO_OUTGOING after this age without a backend connection. */
        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive("connectTimeout", d);
            return this;
        }

        /** IDLE after this long without activity. */
        public Builder idleAfter(Duration d) {
            this.idleAfter = positive("idleAfter", d);
            return this;
        }

        /** Cleanup closes connections idle this long. */
        public Builder inactivityTimeout(Duration d) {
            this.inactivityTimeout = positive("inactivityTimeout", d);
            return this;
        }

        /** The inactivity timeout's multiplier for keep-alive connections, 1 to 1000. */
        public Builder keepAliveMultiplier(int n) {
            if (n < 1 || n > 1000) {
                throw invalid("keepAliveMultiplier", n, "must be between 1 and 1000");
            }
            this.keepAliveMultiplier = n;
            return this;
        }

        /** OLD after this age. */
        public Builder oldAfter(Duration d) {
            this.oldAfter = positive("oldAfter", d);
            return this;
        }

        /** Cleanup closes connections older than this. */
        public Builder maxLifetime(Duration d) {
            this.maxLifetime = positive("maxLifetime", d);
            return this;
        }

        /** SLOW_BACKEND when a response still transfers after this. */
        public Builder slowAfter(Duration d) {
            this.slowAfter = positive("slowAfter", d);
            return this;
        }

        /** LISTENER_LEAK above this many listeners of one name. */
        public Builder listenerLeakThreshold(int n) {
            this.listenerLeakThreshold = (int) positive("listenerLeakThreshold", n);
            return this;
        }

        /** Whether cleanup closes connections; false for report-only. */
        public Builder cleanupEnabled(boolean enabled) {
            this.cleanupEnabled = enabled;
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

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw invalid(name, d, "must be positive");
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
}
