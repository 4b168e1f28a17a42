package io.connwatch.metrics;

import io.micrometer.common.docs.KeyName;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.docs.MeterDocumentation;
import java.util.List;

/**
 * Every meter {@link ConnwatchMetrics} registers: its name (lowercase, dotted, as Micrometer names meters), its type,
 * its base unit, its tag keys and what it means. Every meter also carries {@link Tags#MONITOR}; every meter of one
 * name always carries the same tag keys, as Prometheus needs, and no tag takes unbounded values (no addresses, no
 * targets): the values are connwatch's own enums.
 *
 * <p>Counts have no base unit, as HikariCP's and Reactor Netty's connection counts have none: Prometheus' naming
 * appends the unit to the name, and {@code connwatch_connections_flagged} is what dashboards and alerts spell. In
 * Prometheus, dots become underscores and counters end in {@code _total}: {@code connwatch.connections.cleaned} is
 * {@code connwatch_connections_cleaned_total}; the duration is a summary in seconds,
 * {@code connwatch_connection_duration_seconds_count} and {@code _sum}.
 *
 * <p>No scrape walks the connections: the gauges read counters the tracker keeps on open and close, or the monitor's
 * last check; the counters read adders bumped where the events happen.
 */
public enum ConnwatchMeters implements MeterDocumentation {
    /** Connections open now: the tracker's own count, kept on open and close. */
    ACTIVE("connwatch.connections.active", Meter.Type.GAUGE, null,
            "Connections open now"),
    /** The most connections open at once since the tracker began, or since the peak was last reset. */
    PEAK("connwatch.connections.peak", Meter.Type.GAUGE, null,
            "The most connections open at once since the start or the last peak reset"),
    /**
     * Connections showing a pattern at the monitor's last check, one series per pattern: {@code zombie},
     * {@code half_zombie}, {@code stuck}, {@code no_outgoing}, {@code idle}, {@code old}, {@code slow_backend},
     * {@code listener_leak}. A connection can count under several. NaN until the first check.
     */
    FLAGGED("connwatch.connections.flagged", Meter.Type.GAUGE, null,
            "Connections showing a pattern at the last check; a connection can count under several",
            Tags.PATTERN),
    /** Connections opened. */
    OPENED("connwatch.connections.opened", Meter.Type.COUNTER, null,
            "Connections opened"),
    /**
     * Connections closed, by the side that closed first ({@code incoming}: the client's, {@code outgoing}: the
     * backend's) and the reason ({@code normal}, {@code econnreset}, {@code stuck_no_response}, ...).
     */
    CLOSED("connwatch.connections.closed", Meter.Type.COUNTER, null,
            "Connections closed, by the side that closed first and the reason",
            Tags.SIDE, Tags.REASON),
    /**
     * Connections cleaned up, by the sweep or by the host with a cleanup reason, by the pattern cleaned and the
     * cleanup reason ({@code stuck} and {@code stuck_no_response}, {@code half_zombie} and
     * {@code half_zombie_cleanup}, ...).
     */
    CLEANED("connwatch.connections.cleaned", Meter.Type.COUNTER, null,
            "Connections cleaned up, by the pattern and the cleanup reason",
            Tags.PATTERN, Tags.REASON),
    /** Accumulation episodes begun: the active count rose above the accumulation threshold. */
    ACCUMULATIONS("connwatch.accumulations", Meter.Type.COUNTER, null,
            "Accumulation episodes begun: the active count rose above the threshold"),
    /** Spikes: the count rose by the spike threshold or more between two checks. */
    SPIKES("connwatch.spikes", Meter.Type.COUNTER, null,
            "Spikes: the count rose by the spike threshold or more between two checks"),
    /**
     * Diagnostic dumps, by what made them ({@code accumulation}, {@code spike}, {@code force_capture}) and how they
     * ended ({@code written}, {@code failed}). Counted from the binding on.
     */
    CAPTURES("connwatch.captures", Meter.Type.COUNTER, null,
            "Diagnostic dumps, by trigger and outcome",
            Tags.TRIGGER, Tags.OUTCOME),
    /**
     * How long connections lived, from open to close, by the side that closed first and the reason: a count and a
     * total in seconds (a function timer, so the closing thread only adds to two adders). Counted from the binding on.
     */
    DURATION("connwatch.connection.duration", Meter.Type.TIMER, "seconds",
            "How long connections lived, from open to close, by the side that closed first and the reason",
            Tags.SIDE, Tags.REASON);

    private final String meterName;
    private final Meter.Type type;
    private final String baseUnit;
    private final String description;
    private final KeyName[] keys;

    ConnwatchMeters(String meterName, Meter.Type type, String baseUnit, String description, Tags... own) {
        this.meterName = meterName;
        this.type = type;
        this.baseUnit = baseUnit;
        this.description = description;
        this.keys = new KeyName[own.length + 1];
        keys[0] = Tags.MONITOR;
        System.arraycopy(own, 0, keys, 1, own.length);
    }

    /** The meter's name, e.g. {@code connwatch.connections.flagged}. */
    @Override
    public String getName() {
        return meterName;
    }

    /** Gauge, counter or timer. */
    @Override
    public Meter.Type getType() {
        return type;
    }

    /** {@code seconds} for the duration; null for counts. */
    @Override
    public String getBaseUnit() {
        return baseUnit;
    }

    /** Every tag key the meter carries, {@link Tags#MONITOR} first. */
    @Override
    public KeyName[] getKeyNames() {
        return keys.clone();
    }

    /** The tag keys as strings, {@code monitor} first. */
    public List<String> tagKeys() {
        String[] out = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            out[i] = keys[i].asString();
        }
        return List.of(out);
    }

    /** One line on what it counts: the meter's description, Prometheus' HELP. */
    public String description() {
        return description;
    }

    /** The tag keys of connwatch's meters; each takes only the few values its Javadoc lists. */
    public enum Tags implements KeyName {
        /** The monitor's name: one per tracker, given by whoever runs it. */
        MONITOR("monitor"),
        /** A pattern's tag value ({@code io.connwatch.analysis.Pattern#tagValue()}): {@code stuck}, ... */
        PATTERN("pattern"),
        /** {@code incoming} or {@code outgoing}. */
        SIDE("side"),
        /** A termination reason's wire name: {@code normal}, {@code econnrefused}, {@code stuck_no_response}, ... */
        REASON("reason"),
        /** {@code accumulation}, {@code spike} or {@code force_capture}. */
        TRIGGER("trigger"),
        /** {@code written} or {@code failed}. */
        OUTCOME("outcome");

        private final String key;

        Tags(String key) {
            this.key = key;
        }

        /** The tag key, e.g. {@code pattern}. */
        @Override
        public String asString() {
            return key;
        }
    }
}
