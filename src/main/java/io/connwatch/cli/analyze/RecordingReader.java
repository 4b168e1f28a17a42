package io.connwatch.cli.analyze;

import io.connwatch.analysis.Pattern;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Reads connwatch's events from a JFR recording with {@link RecordingFile}: accumulations, spikes, cleanups and
 * captures for the timeline, {@code ConnectionStatistics} for the active-connection series, {@code PatternTally} for
 * the tallies. A recording cut short or a file that is no recording is bad input.
 */
final class RecordingReader {
    /** Up to this many cleanups in a recording are listed one by one; more are counted per reason and minute. */
    static final int CLEANUPS_LISTED = 50;

    private static final byte[] MAGIC = {'F', 'L', 'R', 0};
    private static final String PREFIX = "io.connwatch.";
    // An accumulation's fields for the timeline: the figures, every pattern's count, the dump.
    private static final String[] ACCUMULATION_FIELDS = Stream.of(Stream.of("activeConnections", "threshold"),
            Pattern.inCountOrder().stream().map(Pattern::countName), Stream.of("captureFile"))
            .flatMap(s -> s).toArray(String[]::new);

    private RecordingReader() {
    }

    static InputReport read(Path path) throws BadInputException, IOException {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(path)) {
            int n = in.readNBytes(head, 0, 4);
            if (n < 4 || !Arrays.equals(head, MAGIC)) {
                throw new BadInputException(path, "not a JFR recording (no Flight Recorder header)");
            }
        }
        List<RecordedEvent> events = new ArrayList<>();
        try (RecordingFile file = new RecordingFile(path)) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                if (e.getEventType().getName().startsWith(PREFIX)) {
                    events.add(e);
                }
            }
        } catch (EOFException e) {
            throw new BadInputException(path, "truncated JFR recording: it ends in the middle of a chunk");
        } catch (IOException | RuntimeException | InternalError e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new BadInputException(path, "unreadable JFR recording (truncated or damaged): " + why);
        }
        events.sort(Comparator.comparing(RecordedEvent::getStartTime));
        return toReport(path, events);
    }

    private static InputReport toReport(Path path, List<RecordedEvent> events) {
        InputReport r = new InputReport(path, InputReport.Kind.RECORDING);
        for (String k : List.of("accumulations", "spikes", "cleanups", "captures", "statistics", "patternTallies")) {
            r.eventCounts.put(k, 0L);
        }
        Map<String, Map<String, Long>> talliesByMonitor = new TreeMap<>();
        Map<String, Map<String, Long>> statsByMonitor = new TreeMap<>();
        Map<String, long[]> targets = new HashMap<>();
        Map<String, Map<String, Long>> targetPatterns = new HashMap<>();
        Map<String, Map<String, Long>> targetsByReason = new HashMap<>();
        List<RecordedEvent> cleanups = new ArrayList<>();
        for (RecordedEvent e : events) {
            String type = e.getEventType().getName().substring(PREFIX.length());
            String monitor = string(e, "monitor");
            if (monitor != null) {
                r.monitors.add(monitor);
            }
            Instant t = e.getStartTime();
            r.start = r.start == null || t.isBefore(r.start) ? t : r.start;
            Instant end = e.getEndTime();
            r.end = r.end == null || end.isAfter(r.end) ? end : r.end;
            switch (type) {
                case "ConnectionAccumulation": {
                    count(r, "accumulations");
                    r.timeline.add(new InputReport.TimelineEvent(t, "accumulation", monitor,
                            fields(e, ACCUMULATION_FIELDS)));
                    break;
                }
                case "ConnectionSpike": {
                    count(r, "spikes");
                    Map<String, Object> f = fields(e, "previousCount", "activeConnections", "increase",
                            "spikeThreshold");
                    f.put("intervalMs", e.getDuration("interval").toMillis());
                    r.timeline.add(new InputReport.TimelineEvent(t, "spike", monitor, f));
                    break;
                }
                case "ConnectionCleanup": {
                    count(r, "cleanups");
                    cleanups.add(e);
                    String reason = string(e, "reason");
                    r.cleanupsByReason.merge(reason == null ? "unknown" : reason, 1L, Long::sum);
                    String host = string(e, "targetHost");
                    if (host != null && !host.isEmpty()) {
                        String target = host + ":" + e.getInt("targetPort");
                        targets.computeIfAbsent(target, k -> new long[1])[0]++;
                        targetsByReason.computeIfAbsent(reason == null ? "unknown" : reason,
                                k -> new HashMap<>()).merge(target, 1L, Long::sum);
                        String pattern = string(e, "pattern");
                        if (pattern != null && !pattern.isEmpty()) {
                            targetPatterns.computeIfAbsent(target, k -> new LinkedHashMap<>())
                                    .merge(pattern, 1L, Long::sum);
                        }
                    }
                    break;
                }
                case "DiagnosticCapture": {
                    count(r, "captures");
                    Map<String, Object> f = fields(e, "trigger", "file", "connections", "bytesWritten", "error");
                    f.put("durationMs", e.getDuration().toMillis());
                    r.timeline.add(new InputReport.TimelineEvent(t, "capture", monitor, f));
                    break;
                }
                case "ConnectionStatistics": {
                    count(r, "statistics");
                    r.activeSeries.add(new InputReport.SeriesPoint(t, e.getLong("active"), monitor, "statistics"));
                    Map<String, Long> max = statsByMonitor.computeIfAbsent(String.valueOf(monitor),
                            k -> new LinkedHashMap<>());
                    for (Pattern p : Pattern.values()) {
                        if (e.hasField(p.countName())) {
                            max.merge(p.name(), e.getLong(p.countName()), Math::max);
                        }
                    }
                    break;
                }
                case "PatternTally": {
                    count(r, "patternTallies");
                    String pattern = string(e, "pattern");
                    if (pattern != null) {
                        talliesByMonitor.computeIfAbsent(String.valueOf(monitor), k -> new LinkedHashMap<>())
                                .merge(pattern, e.getLong("count"), Math::max);
                    }
                    break;
                }
                default:
                    break; // ConnectionOpened/Closed: not part of the report
            }
        }
        // Tallies: the highest count each pattern reached, per monitor, added up over monitors. PatternTally is the
        // source; ConnectionStatistics fills in patterns it does not carry.
        for (Pattern p : Pattern.values()) {
            r.tallies.put(p.name(), 0L);
        }
        for (String m : union(talliesByMonitor.keySet(), statsByMonitor.keySet())) {
            Map<String, Long> t = talliesByMonitor.getOrDefault(m, Map.of());
            Map<String, Long> s = statsByMonitor.getOrDefault(m, Map.of());
            for (String p : new ArrayList<>(r.tallies.keySet())) {
                Long n = t.containsKey(p) ? t.get(p) : s.get(p);
                if (n != null) {
                    r.tallies.merge(p, n, Long::sum);
                }
            }
            for (Map.Entry<String, Long> extra : t.entrySet()) {
                r.tallies.putIfAbsent(extra.getKey(), extra.getValue());
            }
        }
        targets.entrySet().stream()
                .sorted(Map.Entry.<String, long[]>comparingByValue(Comparator.comparingLong(a -> -a[0]))
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(Analysis.TOP_TARGETS)
                .forEach(en -> r.topTargets.add(new InputReport.TargetRow(en.getKey(), en.getValue()[0],
                        targetPatterns.getOrDefault(en.getKey(), Map.of()))));
        addCleanups(r, cleanups);
        r.timeline.sort(Comparator.comparing(InputReport.TimelineEvent::time));
        recommend(r, targetsByReason);
        return r;
    }

    private static void addCleanups(InputReport r, List<RecordedEvent> cleanups) {
        if (cleanups.size() <= CLEANUPS_LISTED) {
            for (RecordedEvent e : cleanups) {
                Map<String, Object> f = fields(e, "connectionId", "reason", "pattern", "remoteAddress", "targetHost",
                        "targetPort");
                f.put("ageMs", e.getDuration("age").toMillis());
                f.put("idleMs", e.getDuration("idle").toMillis());
                f.putAll(fields(e, "bytesReceived", "bytesSent"));
                r.timeline.add(new InputReport.TimelineEvent(e.getStartTime(), "cleanup", string(e, "monitor"), f));
            }
            return;
        }
        // Many: one entry per monitor, reason and minute.
        Map<List<Object>, long[]> buckets = new LinkedHashMap<>();
        for (RecordedEvent e : cleanups) {
            Instant minute = e.getStartTime().truncatedTo(ChronoUnit.MINUTES);
            buckets.computeIfAbsent(List.of(minute, String.valueOf(string(e, "monitor")),
                    String.valueOf(string(e, "reason"))), k -> new long[1])[0]++;
        }
        for (Map.Entry<List<Object>, long[]> b : buckets.entrySet()) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("reason", b.getKey().get(2));
            f.put("count", b.getValue()[0]);
            f.put("periodSeconds", 60);
            r.timeline.add(new InputReport.TimelineEvent((Instant) b.getKey().get(0), "cleanups",
                    (String) b.getKey().get(1), f));
        }
    }

    /** What to do, from what the recording shows. */
    private static void recommend(InputReport r, Map<String, Map<String, Long>> targetsByReason) {
        for (InputReport.TimelineEvent e : r.timeline) {
            if (e.type().equals("accumulation")) {
                r.recommendations.add("Connections accumulated on " + e.monitor() + " at " + TextReport.time(e.time())
                        + ": "
                        + e.fields().get("activeConnections") + " active over the threshold of "
                        + e.fields().get("threshold") + "; read the dump " + orNone(e.fields().get("captureFile"))
                        + " for the connections and their targets");
                break;
            }
        }
        for (Map.Entry<String, Long> c : r.cleanupsByReason.entrySet()) {
            String advice = switch (c.getKey()) {
                case "stuck_no_response" -> "the backend received requests and never answered: find out why it hangs";
                case "half_zombie_cleanup" -> "clients half-closed while the backend stayed silent";
                case "connect_timeout" -> "the backend did not complete connects: check it is up and its backlog";
                case "zombie_cleanup" -> "the host lost track of closed sockets: a bookkeeping bug to fix";
                case "inactivity" -> "connections idle past the inactivity timeout were closed";
                case "max_lifetime" -> "connections reached the maximum lifetime";
                default -> "see the cleanup events for which connections";
            };
            String top = null;
            long most = 0;
            for (Map.Entry<String, Long> t : new TreeMap<>(targetsByReason.getOrDefault(c.getKey(),
                    Map.of())).entrySet()) {
                if (t.getValue() > most) {
                    top = t.getKey();
                    most = t.getValue();
                }
            }
            String where = top == null ? "" : (most == c.getValue() ? " to " : ", most to ") + top;
            r.recommendations.add(c.getValue() + " connection" + (c.getValue() == 1 ? "" : "s") + " cleaned as "
                    + c.getKey() + where + ": " + advice);
        }
        long spikes = r.eventCounts.getOrDefault("spikes", 0L);
        if (spikes > 0) {
            r.recommendations.add(spikes + " spike" + (spikes == 1 ? "" : "s") + " of new connections: check the "
                    + "clients' retry and connection-pool settings");
        }
        for (InputReport.TimelineEvent e : r.timeline) {
            Object err = e.fields().get("error");
            if (e.type().equals("capture") && err instanceof String s && !s.isEmpty()) {
                r.recommendations.add("A diagnostic capture failed (" + s + "): check the dump folder is writable");
                break;
            }
        }
    }

    private static String orNone(Object file) {
        return file == null || file.toString().isEmpty() ? "(none written)" : file.toString();
    }

    private static List<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new TreeSet<>(a);
        s.addAll(b);
        return new ArrayList<>(s);
    }

    private static void count(InputReport r, String k) {
        r.eventCounts.merge(k, 1L, Long::sum);
    }

    private static String string(RecordedEvent e, String field) {
        return e.hasField(field) ? e.getString(field) : null;
    }

    private static Map<String, Object> fields(RecordedEvent e, String... names) {
        Map<String, Object> f = new LinkedHashMap<>();
        for (String n : names) {
            if (e.hasField(n)) {
                Object v = e.getValue(n);
                f.put(n, v);
            }
        }
        return f;
    }
}
