package io.connwatch.jmc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.openjdk.jmc.common.IDescribable;
import org.openjdk.jmc.common.item.IAccessorKey;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IMemberAccessor;
import org.openjdk.jmc.common.item.IType;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.flightrecorder.JfrAttributes;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit.EventAvailability;

/**
 * What connwatch's events in one recording say, read once per rule evaluation. Fields are found by name whatever
 * content type JMC gives them (an int is a number, an unannotated long a raw number, a {@code @Timespan} a timespan),
 * so a rule keeps working if a field's JFR type changes; a field absent from an older recording reads as 0 or empty.
 */
final class Recorded {
    static final String PREFIX = "io.connwatch.";
    static final String STATISTICS = PREFIX + "ConnectionStatistics";
    static final String TALLY = PREFIX + "PatternTally";
    static final String ACCUMULATION = PREFIX + "ConnectionAccumulation";
    static final String SPIKE = PREFIX + "ConnectionSpike";
    static final String CLEANUP = PREFIX + "ConnectionCleanup";
    static final String CAPTURE = PREFIX + "DiagnosticCapture";
    static final String CLOSED = PREFIX + "ConnectionClosed";
    /** The pattern counts of statistics and accumulations: field name to pattern name. */
    static final Map<String, String> COUNTS = counts();

    record Accumulation(long time, String monitor, long active, long threshold, Map<String, Long> patterns,
            String captureFile) {
    }

    record Spike(long time, String monitor, long previous, long active, long increase, long threshold,
            long intervalMs) {
    }

    record Cleanup(long time, String monitor, String reason, String pattern, String target, long ageMs,
            long idleMs) {
    }

    record Capture(long time, String monitor, String trigger, String file, long connections, String error) {
    }

    record Closed(String monitor, String reason, String target) {
    }

    /** How available the statistics are: connwatch recorded when they are AVAILABLE. */
    final EventAvailability statistics;
    final TreeSet<String> monitors = new TreeSet<>();
    /** Monitor to pattern to the highest count any statistics, tally or accumulation showed. */
    final Map<String, Map<String, Long>> highest = new TreeMap<>();
    /** Monitor to the highest active count. */
    final Map<String, Long> peakActive = new TreeMap<>();
    final List<Accumulation> accumulations = new ArrayList<>();
    final List<Spike> spikes = new ArrayList<>();
    final List<Cleanup> cleanups = new ArrayList<>();
    final List<Capture> captures = new ArrayList<>();
    final List<Closed> closed = new ArrayList<>();
    final boolean closedRecorded;

    private Recorded(IItemCollection items) {
        statistics = RulesToolkit.getEventAvailability(items, STATISTICS);
        closedRecorded = RulesToolkit.getEventAvailability(items, CLOSED) == EventAvailability.AVAILABLE;
        for (IItemIterable it : items.apply(ItemFilters.type(STATISTICS, TALLY, ACCUMULATION, SPIKE, CLEANUP, CAPTURE,
                CLOSED))) {
            Fields f = new Fields(it.getType());
            for (IItem item : it) {
                read(f, item);
            }
        }
        accumulations.sort(Comparator.comparingLong(Accumulation::time));
        spikes.sort(Comparator.comparingLong(Spike::time));
        cleanups.sort(Comparator.comparingLong(Cleanup::time));
        captures.sort(Comparator.comparingLong(Capture::time));
    }

    static Recorded of(IItemCollection items) {
        return new Recorded(items);
    }

    private void read(Fields f, IItem item) {
        String monitor = f.text(item, "monitor");
        monitors.add(monitor);
        long time = f.time(item);
        switch (f.type) {
            case STATISTICS -> {
                peakActive.merge(monitor, f.number(item, "active"), Math::max);
                for (Map.Entry<String, String> c : COUNTS.entrySet()) {
                    highest(monitor, c.getValue(), f.number(item, c.getKey()));
                }
            }
            case TALLY -> highest(monitor, f.text(item, "pattern"), f.number(item, "count"));
            case ACCUMULATION -> {
                Map<String, Long> patterns = new LinkedHashMap<>();
                for (Map.Entry<String, String> c : COUNTS.entrySet()) {
                    long n = f.number(item, c.getKey());
                    patterns.put(c.getValue(), n);
                    highest(monitor, c.getValue(), n);
                }
                long active = f.number(item, "activeConnections");
                peakActive.merge(monitor, active, Math::max);
                accumulations.add(new Accumulation(time, monitor, active, f.number(item, "threshold"), patterns,
                        f.text(item, "captureFile")));
            }
            case SPIKE -> spikes.add(new Spike(time, monitor, f.number(item, "previousCount"),
                    f.number(item, "activeConnections"), f.number(item, "increase"), f.number(item, "spikeThreshold"),
                    f.millis(item, "interval")));
            case CLEANUP -> cleanups.add(new Cleanup(time, monitor, f.text(item, "reason"), f.text(item, "pattern"),
                    target(f, item), f.millis(item, "age"), f.millis(item, "idle")));
            case CAPTURE -> captures.add(new Capture(time, monitor, f.text(item, "trigger"), f.text(item, "file"),
                    f.number(item, "connections"), f.text(item, "error")));
            case CLOSED -> closed.add(new Closed(monitor, f.text(item, "reason"), target(f, item)));
            default -> {
            }
        }
    }

    private static String target(Fields f, IItem item) {
        String host = f.text(item, "targetHost");
        return host.isEmpty() ? "" : host + ":" + f.number(item, "targetPort");
    }

    private void highest(String monitor, String pattern, long n) {
        if (!pattern.isEmpty()) {
            highest.computeIfAbsent(monitor, k -> new LinkedHashMap<>()).merge(pattern, n, Math::max);
        }
    }

    /** The highest count of a pattern, per monitor, for the monitors that showed it. */
    Map<String, Long> highest(String pattern) {
        Map<String, Long> m = new TreeMap<>();
        highest.forEach((monitor, counts) -> {
            long n = counts.getOrDefault(pattern, 0L);
            if (n > 0) {
                m.put(monitor, n);
            }
        });
        return m;
    }

    /** Cleanups with one of the reasons. */
    List<Cleanup> cleanups(String... reasons) {
        List<String> r = List.of(reasons);
        return cleanups.stream().filter(c -> r.contains(c.reason())).collect(Collectors.toList());
    }

    /** The dumps written, by monitor: where the connections behind a finding are listed one by one. */
    List<String> dumps(java.util.Collection<String> ofMonitors) {
        return captures.stream().filter(c -> c.error().isEmpty() && !c.file().isEmpty())
                .filter(c -> ofMonitors.isEmpty() || ofMonitors.contains(c.monitor())).map(Capture::file)
                .distinct().collect(Collectors.toList());
    }

    /** Targets by how often they appear, most first, as "host:port (n)". */
    static List<String> ranked(List<String> targets) {
        Map<String, Long> counts = targets.stream().filter(t -> !t.isEmpty())
                .collect(Collectors.groupingBy(t -> t, TreeMap::new, Collectors.counting()));
        List<Map.Entry<String, Long>> rows = new ArrayList<>(counts.entrySet());
        rows.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        return rows.stream().map(e -> e.getKey() + " (" + e.getValue() + ")").collect(Collectors.toList());
    }

    private static Map<String, String> counts() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("zombies", "ZOMBIE");
        m.put("halfZombies", "HALF_ZOMBIE");
        m.put("stuck", "STUCK");
        m.put("idle", "IDLE");
        m.put("old", "OLD");
        m.put("noOutgoing", "NO_OUTGOING");
        m.put("slowBackends", "SLOW_BACKEND");
        m.put("listenerLeaks", "LISTENER_LEAK");
        return Collections.unmodifiableMap(m);
    }

    /** One event type's fields by name. */
    private static final class Fields {
        final String type;
        private final Map<String, IMemberAccessor<?, IItem>> byName = new LinkedHashMap<>();
        private final IMemberAccessor<IQuantity, IItem> start;

        Fields(IType<IItem> t) {
            type = t.getIdentifier();
            for (Map.Entry<IAccessorKey<?>, ? extends IDescribable> k : t.getAccessorKeys().entrySet()) {
                byName.put(k.getKey().getIdentifier(), t.getAccessor(k.getKey()));
            }
            start = JfrAttributes.START_TIME.getAccessor(t);
        }

        long time(IItem item) {
            IQuantity q = start == null ? null : start.getMember(item);
            return q == null ? 0 : q.clampedLongValueIn(UnitLookup.EPOCH_MS);
        }

        String text(IItem item, String name) {
            Object v = value(item, name);
            return v == null ? "" : v.toString();
        }

        long number(IItem item, String name) {
            Object v = value(item, name);
            if (v instanceof IQuantity q) {
                return q.longValue();
            }
            return v instanceof Number n ? n.longValue() : 0;
        }

        long millis(IItem item, String name) {
            Object v = value(item, name);
            if (v instanceof IQuantity q && q.getUnit().getContentType() == UnitLookup.TIMESPAN) {
                return q.clampedLongValueIn(UnitLookup.MILLISECOND);
            }
            return number(item, name);
        }

        private Object value(IItem item, String name) {
            IMemberAccessor<?, IItem> a = byName.get(name);
            return a == null ? null : a.getMember(item);
        }
    }
}
