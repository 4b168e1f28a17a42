package io.connwatch.cli.analyze;

import io.connwatch.analysis.Pattern;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The analysis for a person: one section per input, then, for several inputs, what they show together. */
public final class TextReport {
    /** A series longer than this is shown as this many evenly spaced points, with its peak. */
    static final int SERIES_SHOWN = 20;
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private TextReport() {
    }

    public static void write(Analysis a, PrintWriter out) {
        out.println("connwatch analysis of " + a.inputs().size() + " input" + (a.inputs().size() == 1 ? "" : "s"));
        for (InputReport in : a.inputs()) {
            out.println();
            if (in.kind() == InputReport.Kind.DUMP) {
                dump(in, out);
            } else {
                recording(in, out);
            }
        }
        if (a.inputs().size() > 1) {
            out.println();
            out.println("== overall, " + a.inputs().size() + " inputs");
            out.println("pattern tallies (highest in any input): " + tallies(a.tallies()));
            if (!a.cleanupsByReason().isEmpty()) {
                out.println("cleanups by reason: " + counts(a.cleanupsByReason()));
            }
            targets(a.topTargets(), "top targets", out);
            recommendations(a.recommendations(), out);
        }
        out.flush();
    }

    private static void dump(InputReport in, PrintWriter out) {
        out.println("== dump " + in.path());
        out.println("monitor:           " + in.monitor() + (in.pid() == null ? "" : " (pid " + in.pid() + ")")
                + thresholds(in));
        out.println("trigger:           " + in.trigger());
        out.println("timestamp:         " + TIME.format(in.timestamp()));
        out.println("activeConnections: " + in.activeConnections() + " (" + in.connectionsListed() + " listed"
                + (in.connectionsOmitted() > 0 ? ", " + in.connectionsOmitted() + " omitted" : "") + ")");
        out.println("pattern tallies:   " + tallies(in.tallies()));
        targets(in.topTargets(), "top targets", out);
        recommendations(in.recommendations(), out);
        series(in.activeSeries(), "active connections (trend)", out);
    }

    private static String thresholds(InputReport in) {
        if (in.accumulationThreshold() == null) {
            return "";
        }
        return ", accumulation threshold " + in.accumulationThreshold()
                + (in.spikeThreshold() == null ? "" : ", spike threshold " + in.spikeThreshold());
    }

    private static void recording(InputReport in, PrintWriter out) {
        out.println("== recording " + in.path());
        if (in.start() == null) {
            out.println("no connwatch events in this recording: was it started with jfr-configs/connwatch.jfc?");
            rules(in, out);
            return;
        }
        out.println("monitors:          " + (in.monitors().isEmpty() ? "-" : in.monitor()));
        out.println("span:              " + TIME.format(in.start()) + " to " + TIME.format(in.end()) + " ("
                + human(Duration.between(in.start(), in.end())) + ")");
        out.println("events:            " + counts(in.eventCounts()));
        out.println("pattern tallies:   " + tallies(in.tallies()) + " (highest seen)");
        if (!in.cleanupsByReason().isEmpty()) {
            out.println("cleanups by reason: " + counts(in.cleanupsByReason()));
        }
        targets(in.topTargets(), "top targets (cleaned connections)", out);
        recommendations(in.recommendations(), out);
        rules(in, out);
        out.println("timeline:");
        if (in.timeline().isEmpty()) {
            out.println("  (no accumulations, spikes, cleanups or captures)");
        }
        for (InputReport.TimelineEvent e : in.timeline()) {
            out.println("  " + TIME.format(e.time()) + "  " + pad(e.type(), 12) + " " + e.monitor() + "  "
                    + describe(e));
        }
        series(in.activeSeries(), "active connections (ConnectionStatistics)", out);
    }

    static String describe(InputReport.TimelineEvent e) {
        Map<String, Object> f = e.fields();
        switch (e.type()) {
            case "accumulation": {
                List<String> patterns = new ArrayList<>();
                for (Pattern p : Pattern.inCountOrder()) {
                    Object n = f.get(p.countName());
                    if (n instanceof Number num && num.longValue() > 0) {
                        patterns.add(p.countName() + " " + n);
                    }
                }
                return f.get("activeConnections") + " active > threshold " + f.get("threshold")
                        + (patterns.isEmpty() ? "" : " (" + String.join(", ", patterns) + ")")
                        + (empty(f.get("captureFile")) ? ", no capture" : ", dump " + f.get("captureFile"));
            }
            case "spike":
                return f.get("previousCount") + " -> " + f.get("activeConnections") + " (+" + f.get("increase")
                        + ", threshold " + f.get("spikeThreshold") + ") in " + f.get("intervalMs") + " ms";
            case "cleanup":
                return f.get("connectionId") + " " + f.get("reason") + (empty(f.get("pattern")) ? "" : " "
                        + f.get("pattern")) + " " + f.get("remoteAddress")
                        + (empty(f.get("targetHost")) ? "" : " -> " + f.get("targetHost") + ":" + f.get("targetPort"))
                        + ", age " + f.get("ageMs") + " ms, in " + f.get("bytesReceived") + " B, out "
                        + f.get("bytesSent") + " B";
            case "cleanups":
                return f.get("count") + " x " + f.get("reason") + " within this minute";
            case "capture":
                return f.get("trigger") + " " + (empty(f.get("error"))
                        ? f.get("file") + " (" + f.get("connections") + " connections, " + f.get("bytesWritten")
                                + " bytes, " + f.get("durationMs") + " ms)"
                        : "FAILED: " + f.get("error") + " (" + f.get("file") + ")");
            case "dump":
                return f.get("trigger") + " " + f.get("file") + " (" + f.get("activeConnections") + " active)";
            default:
                return f.toString();
        }
    }

    private static boolean empty(Object o) {
        return o == null || o.toString().isEmpty();
    }

    private static void targets(List<InputReport.TargetRow> rows, String title, PrintWriter out) {
        out.println(title + ":" + (rows.isEmpty() ? " none" : ""));
        int width = rows.stream().mapToInt(r -> r.target().length()).max().orElse(0);
        for (InputReport.TargetRow r : rows) {
            out.println("  " + pad(r.target(), width) + "  " + r.connections() + " connection"
                    + (r.connections() == 1 ? "" : "s")
                    + (r.patterns().isEmpty() ? "" : "  " + counts(r.patterns())));
        }
    }

    private static void recommendations(List<String> recs, PrintWriter out) {
        out.println("recommendations:" + (recs.isEmpty() ? " none" : ""));
        for (String r : recs) {
            out.println("  - " + r);
        }
    }

    /** JMC's automated analysis: warnings and information in full, worst first; OK by name; not applicable counted. */
    private static void rules(InputReport in, PrintWriter out) {
        List<RuleResult> rules = in.rules();
        Map<String, List<RuleResult>> by = rules.stream().collect(Collectors.groupingBy(RuleResult::severity,
                LinkedHashMap::new, Collectors.toList()));
        List<RuleResult> warnings = by.getOrDefault("WARNING", List.of());
        List<RuleResult> infos = by.getOrDefault("INFO", List.of());
        List<RuleResult> oks = by.getOrDefault("OK", List.of());
        List<RuleResult> nas = by.getOrDefault("NA", List.of());
        out.println("automated analysis (JDK Mission Control's rules, worst first): " + warnings.size() + " warning"
                + (warnings.size() == 1 ? "" : "s") + ", " + infos.size() + " information, " + oks.size() + " OK, "
                + nas.size() + " not applicable" + (in.rulesError() == null ? "" : "; " + in.rulesError()));
        for (RuleResult r : rules) {
            if (!r.severity().equals("WARNING") && !r.severity().equals("INFO")) {
                continue;
            }
            out.println("  " + pad(r.severity(), 7) + " " + pad(r.score() == null ? "" : String.valueOf(Math.round(
                    r.score())), 3) + " " + pad(r.source(), 9) + " " + r.name() + ": " + oneLine(r.summary()));
            if (r.connwatch() && !r.solution().isEmpty()) {
                out.println("                          what to do: " + oneLine(r.solution()));
            }
        }
        if (!oks.isEmpty()) {
            out.println("  OK: " + oks.stream().map(RuleResult::name).collect(Collectors.joining(", ")));
        }
        nas.stream().filter(RuleResult::connwatch).findFirst().ifPresent(r -> out.println(
                "  connwatch's rules not applicable: " + oneLine(r.summary())));
    }

    private static String oneLine(String s) {
        return s.replaceAll("<[^>]+>", "").replaceAll("\\[([^\\]]*)\\]\\(([^)]*)\\)", "$1 ($2)")
                .replaceAll("\\s+", " ").strip();
    }

    private static void series(List<InputReport.SeriesPoint> points, String title, PrintWriter out) {
        if (points.isEmpty()) {
            return;
        }
        Map<String, List<InputReport.SeriesPoint>> byMonitor = points.stream().collect(
                Collectors.groupingBy(p -> String.valueOf(p.monitor()), LinkedHashMap::new, Collectors.toList()));
        for (Map.Entry<String, List<InputReport.SeriesPoint>> m : byMonitor.entrySet()) {
            List<InputReport.SeriesPoint> l = m.getValue();
            InputReport.SeriesPoint peak = l.stream().max(Comparator.comparingLong(
                    InputReport.SeriesPoint::active)).orElseThrow();
            out.println(title + ", " + m.getKey() + ": " + l.size() + " points, peak " + peak.active() + " at "
                    + TIME.format(peak.time()) + ", last " + l.get(l.size() - 1).active());
            int n = l.size();
            int shown = Math.min(n, SERIES_SHOWN);
            for (int i = 0; i < shown; i++) {
                InputReport.SeriesPoint p = l.get(shown == 1 ? 0 : (int) Math.round(i * (n - 1) / (double) (shown - 1)));
                out.println("  " + TIME.format(p.time()) + "  " + p.active());
            }
        }
    }

    static String tallies(Map<String, Long> t) {
        String s = t.entrySet().stream().filter(e -> e.getValue() > 0).map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
        return s.isEmpty() ? "no patterns" : s;
    }

    private static String counts(Map<String, Long> m) {
        return m.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String pad(String s, int w) {
        StringBuilder b = new StringBuilder(s);
        while (b.length() < w) {
            b.append(' ');
        }
        return b.toString();
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 1) {
            return d.toMillis() + " ms";
        }
        if (s < 120) {
            return s + " s";
        }
        return s / 60 + " min " + s % 60 + " s";
    }

    static String time(Instant t) {
        return TIME.format(t);
    }
}
