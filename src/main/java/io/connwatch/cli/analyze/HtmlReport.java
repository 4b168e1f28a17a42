package io.connwatch.cli.analyze;

import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The analysis as one self-contained HTML page: inline CSS and SVG, no scripts, fonts or links, so it opens
 * offline. The chart {@code <svg id="active-chart">} draws active connections over time, one
 * {@code <polyline class="series series-statistics|series-trend">} per monitor and source, and a
 * {@code <g class="marker marker-accumulation|spike|cleanup|cleanups|capture|dump">} per timeline event, each with a
 * {@code <title>} as its tooltip. Then, per recording, JMC's automated analysis ({@code <table class="rules">}, a
 * {@code <tr class="sev-warning|info|ok|na" data-rule="ID">} per rule, worst first); tables follow: inputs, tallies,
 * top targets, recommendations, timeline.
 */
public final class HtmlReport {
    static final String CHART_ID = "active-chart";
    private static final int W = 960;
    private static final int H = 340;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 24;
    private static final int BOTTOM = 44;
    private static final DateTimeFormatter AXIS = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final String[] PALETTE = {"#24292f", "#8250df", "#0a7d63", "#9a6700", "#bf3989", "#57606a"};

    private static final String CSS = String.join("\n",
            "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1f2328;background:#fff}",
            "h1{font-size:20px}h2{font-size:16px;margin-top:28px}",
            "table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left;"
                    + "vertical-align:top}th{background:#f6f8fa}td.n{text-align:right}",
            "code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}",
            "svg#" + CHART_ID + "{border:1px solid #d0d7de;background:#fff;max-width:100%;height:auto}",
            ".axis{stroke:#57606a;stroke-width:1}.grid{stroke:#eaeef2;stroke-width:1}",
            ".tick{font-size:11px;fill:#57606a}",
            ".series{fill:none;stroke-width:2}.series-trend{stroke-dasharray:5 3}",
            ".marker line{stroke-width:1;stroke-dasharray:3 3}",
            ".marker-accumulation line,.marker-accumulation circle{stroke:#cf222e;fill:#cf222e}",
            ".marker-spike line,.marker-spike circle{stroke:#bc4c00;fill:#bc4c00}",
            ".marker-cleanup line,.marker-cleanup circle,.marker-cleanups line,.marker-cleanups circle"
                    + "{stroke:#0969da;fill:#0969da}",
            ".marker-capture line,.marker-capture circle,.marker-dump line,.marker-dump circle{stroke:#1a7f37;fill:#1a7f37}",
            "tr.sev-warning td:first-child{background:#ffebe9;color:#cf222e;font-weight:600}"
                    + "tr.sev-info td:first-child{background:#fff8c5}tr.sev-ok td:first-child{color:#1a7f37}"
                    + "tr.sev-na{color:#57606a}",
            ".legend span{display:inline-block;margin-right:16px}.sw{display:inline-block;width:12px;height:12px;"
                    + "margin-right:4px;vertical-align:middle}");

    private HtmlReport() {
    }

    public static void write(Analysis a, Writer out) throws IOException {
        StringBuilder b = new StringBuilder(1 << 16);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>connwatch analysis</title>\n<style>\n").append(CSS).append("\n</style>\n</head>\n<body>\n");
        b.append("<h1>connwatch analysis</h1>\n<p>").append(a.inputs().size()).append(" input")
                .append(a.inputs().size() == 1 ? "" : "s").append(", format <code>").append(Analysis.FORMAT)
                .append("</code>. Times are UTC.</p>\n");
        b.append("<h2>Active connections over time</h2>\n");
        chart(a, b);
        rules(a, b);
        inputs(a, b);
        b.append("<h2>Pattern tallies</h2>\n<table><tr><th>pattern</th><th>count</th></tr>\n");
        for (Map.Entry<String, Long> t : a.tallies().entrySet()) {
            b.append("<tr><td>").append(esc(t.getKey())).append("</td><td class=\"n\">").append(t.getValue())
                    .append("</td></tr>\n");
        }
        b.append("</table>\n");
        if (!a.cleanupsByReason().isEmpty()) {
            b.append("<h2>Cleanups by reason</h2>\n<table><tr><th>reason</th><th>count</th></tr>\n");
            for (Map.Entry<String, Long> t : a.cleanupsByReason().entrySet()) {
                b.append("<tr><td>").append(esc(t.getKey())).append("</td><td class=\"n\">").append(t.getValue())
                        .append("</td></tr>\n");
            }
            b.append("</table>\n");
        }
        b.append("<h2>Top targets</h2>\n<table id=\"top-targets\"><tr><th>target</th><th>connections</th>"
                + "<th>patterns</th></tr>\n");
        for (InputReport.TargetRow t : a.topTargets()) {
            b.append("<tr><td class=\"mono\">").append(esc(t.target())).append("</td><td class=\"n\">")
                    .append(t.connections()).append("</td><td>").append(esc(TextReport.tallies(t.patterns())))
                    .append("</td></tr>\n");
        }
        b.append("</table>\n<h2>Recommendations</h2>\n<ul id=\"recommendations\">\n");
        for (String r : a.recommendations()) {
            b.append("<li>").append(esc(r)).append("</li>\n");
        }
        b.append("</ul>\n<h2>Timeline</h2>\n<table id=\"timeline\"><tr><th>time</th><th>type</th><th>monitor</th>"
                + "<th>what</th></tr>\n");
        for (Analysis.Entry e : a.timeline()) {
            b.append("<tr class=\"ev-").append(esc(e.event().type())).append("\"><td class=\"mono\">")
                    .append(TextReport.time(e.event().time())).append("</td><td>").append(esc(e.event().type()))
                    .append("</td><td>").append(esc(e.event().monitor())).append("</td><td>")
                    .append(esc(TextReport.describe(e.event()))).append("</td></tr>\n");
        }
        b.append("</table>\n</body>\n</html>\n");
        out.write(b.toString());
        out.flush();
    }

    /** JMC's automated analysis per recording, worst first: connwatch's rules and JMC's JDK rules. */
    private static void rules(Analysis a, StringBuilder b) {
        for (InputReport in : a.inputs()) {
            if (in.kind() != InputReport.Kind.RECORDING) {
                continue;
            }
            b.append("<h2>Automated analysis: ").append(esc(in.path().getFileName().toString())).append("</h2>\n")
                    .append("<p>JDK Mission Control's rules, as on its Automated Analysis page: connwatch's (topic ")
                    .append("<code>connwatch</code>) and the JDK's, worst first.")
                    .append(in.rulesError() == null ? "" : " " + esc(in.rulesError())).append("</p>\n")
                    .append("<table class=\"rules\"><tr><th>severity</th><th>score</th><th>source</th><th>rule</th>")
                    .append("<th>summary</th><th>explanation and solution</th></tr>\n");
            for (RuleResult r : in.rules()) {
                boolean detail = r.severity().equals("WARNING") || r.severity().equals("INFO");
                b.append("<tr class=\"sev-").append(r.severity().toLowerCase(java.util.Locale.ROOT))
                        .append("\" data-rule=\"").append(esc(r.id())).append("\"><td>").append(r.severity())
                        .append("</td><td class=\"n\">")
                        .append(r.score() == null ? "" : String.valueOf(Math.round(r.score()))).append("</td><td>")
                        .append(r.source()).append("</td><td>").append(esc(r.name())).append("</td><td>")
                        .append(esc(plain(r.summary()))).append("</td><td>")
                        .append(detail ? esc(plain(r.explanation())) + (r.solution().isEmpty() ? ""
                                : "<br><b>What to do:</b> " + esc(plain(r.solution()))) : "")
                        .append("</td></tr>\n");
            }
            b.append("</table>\n");
        }
    }

    // JMC's own texts may carry HTML markup and Markdown links meant for its page: shown here as text, the links as
    // their words and no address, so the page still names nothing to fetch.
    private static String plain(String s) {
        return s.replaceAll("<[^>]+>", " ").replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
                .replaceAll("(?i)\\bhttps?://", "").replaceAll("\\s+", " ").strip();
    }

    private static void inputs(Analysis a, StringBuilder b) {
        b.append("<h2>Inputs</h2>\n<table id=\"inputs\"><tr><th>file</th><th>kind</th><th>monitor</th>"
                + "<th>trigger</th><th>time</th><th>active</th><th>patterns</th></tr>\n");
        for (InputReport in : a.inputs()) {
            boolean dump = in.kind() == InputReport.Kind.DUMP;
            String time = dump ? TextReport.time(in.timestamp())
                    : in.start() == null ? "" : TextReport.time(in.start()) + " to " + TextReport.time(in.end());
            b.append("<tr><td class=\"mono\">").append(esc(in.path().toString())).append("</td><td>")
                    .append(in.kind().wire()).append("</td><td>").append(esc(in.monitor())).append("</td><td>")
                    .append(esc(dump ? in.trigger() : "")).append("</td><td class=\"mono\">").append(esc(time))
                    .append("</td><td class=\"n\">").append(dump ? String.valueOf(in.activeConnections()) : "")
                    .append("</td><td>").append(esc(TextReport.tallies(in.tallies()))).append("</td></tr>\n");
        }
        b.append("</table>\n");
    }

    private static void chart(Analysis a, StringBuilder b) {
        List<InputReport.SeriesPoint> points = a.activeSeries();
        Instant min = null;
        Instant max = null;
        long top = 1;
        for (InputReport.SeriesPoint p : points) {
            min = min == null || p.time().isBefore(min) ? p.time() : min;
            max = max == null || p.time().isAfter(max) ? p.time() : max;
            top = Math.max(top, p.active());
        }
        for (Analysis.Entry e : a.timeline()) {
            Instant t = e.event().time();
            min = min == null || t.isBefore(min) ? t : min;
            max = max == null || t.isAfter(max) ? t : max;
            Object n = e.event().fields().get("activeConnections");
            if (n instanceof Number num) {
                top = Math.max(top, num.longValue());
            }
        }
        top = niceCeiling(top);
        b.append("<svg id=\"").append(CHART_ID).append("\" width=\"").append(W)
                .append("\" height=\"").append(H).append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
                .append("\" role=\"img\" aria-label=\"Active connections over time\">\n");
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        for (int i = 0; i <= 4; i++) {
            double y = TOP + plotH - plotH * i / 4.0;
            b.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(W - RIGHT)
                    .append("\" y1=\"").append(fmt(y)).append("\" y2=\"").append(fmt(y)).append("\"/>\n");
            b.append("<text class=\"tick\" x=\"").append(LEFT - 6).append("\" y=\"").append(fmt(y + 4))
                    .append("\" text-anchor=\"end\">").append(top * i / 4).append("</text>\n");
        }
        b.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" x2=\"").append(LEFT).append("\" y1=\"")
                .append(TOP).append("\" y2=\"").append(TOP + plotH).append("\"/>\n");
        b.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" x2=\"").append(W - RIGHT).append("\" y1=\"")
                .append(TOP + plotH).append("\" y2=\"").append(TOP + plotH).append("\"/>\n");
        b.append("<text class=\"tick\" x=\"14\" y=\"").append(TOP + plotH / 2).append("\" transform=\"rotate(-90 14 ")
                .append(TOP + plotH / 2).append(")\" text-anchor=\"middle\">active connections</text>\n");
        if (min == null) {
            b.append("<text class=\"tick\" x=\"").append(W / 2).append("\" y=\"").append(H / 2)
                    .append("\" text-anchor=\"middle\">no data over time in these inputs</text>\n</svg>\n");
            return;
        }
        if (!max.isAfter(min)) {
            min = min.minusSeconds(30);
            max = max.plusSeconds(30);
        }
        long t0 = min.toEpochMilli();
        double span = max.toEpochMilli() - t0;
        for (int i = 0; i <= 4; i++) {
            double x = LEFT + plotW * i / 4.0;
            Instant t = Instant.ofEpochMilli(t0 + Math.round(span * i / 4.0));
            b.append("<text class=\"tick\" x=\"").append(fmt(x)).append("\" y=\"").append(TOP + plotH + 16)
                    .append("\" text-anchor=\"").append(i == 0 ? "start" : i == 4 ? "end" : "middle").append("\">")
                    .append(AXIS.format(t)).append("</text>\n");
        }
        b.append("<text class=\"tick\" x=\"").append(LEFT + plotW / 2).append("\" y=\"").append(H - 6)
                .append("\" text-anchor=\"middle\">time (UTC) from ").append(TextReport.time(min)).append("</text>\n");
        // markers under the lines
        for (Analysis.Entry e : a.timeline()) {
            double x = LEFT + plotW * (e.event().time().toEpochMilli() - t0) / span;
            Object n = e.event().fields().get("activeConnections");
            double y = n instanceof Number num ? TOP + plotH - plotH * num.doubleValue() / top : TOP + 6;
            String type = e.event().type();
            b.append("<g class=\"marker marker-").append(esc(type)).append("\"><title>")
                    .append(esc(TextReport.time(e.event().time()) + " " + type + " " + e.event().monitor() + ": "
                            + TextReport.describe(e.event())))
                    .append("</title><line x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x)).append("\" y1=\"")
                    .append(TOP).append("\" y2=\"").append(TOP + plotH).append("\"/><circle cx=\"").append(fmt(x))
                    .append("\" cy=\"").append(fmt(y)).append("\" r=\"4\"/></g>\n");
        }
        Map<String, List<InputReport.SeriesPoint>> groups = new LinkedHashMap<>();
        for (InputReport.SeriesPoint p : points) {
            groups.computeIfAbsent(p.monitor() + "\u0000" + p.source(), k -> new ArrayList<>()).add(p);
        }
        List<String> legend = new ArrayList<>();
        int color = 0;
        for (List<InputReport.SeriesPoint> g : groups.values()) {
            String c = PALETTE[color++ % PALETTE.length];
            InputReport.SeriesPoint first = g.get(0);
            StringBuilder pts = new StringBuilder();
            for (InputReport.SeriesPoint p : g) {
                double x = LEFT + plotW * (p.time().toEpochMilli() - t0) / span;
                double y = TOP + plotH - plotH * (double) p.active() / top;
                pts.append(pts.length() == 0 ? "" : " ").append(fmt(x)).append(',').append(fmt(y));
            }
            String label = first.monitor() + " (" + first.source() + ")";
            b.append("<polyline class=\"series series-").append(esc(first.source())).append("\" data-monitor=\"")
                    .append(esc(String.valueOf(first.monitor()))).append("\" stroke=\"").append(c)
                    .append("\" points=\"").append(pts).append("\"><title>").append(esc(label))
                    .append("</title></polyline>\n");
            if (g.size() == 1) {
                b.append("<circle class=\"series-point\" r=\"3\" fill=\"").append(c).append("\" cx=\"")
                        .append(pts.substring(0, pts.indexOf(","))).append("\" cy=\"")
                        .append(pts.substring(pts.indexOf(",") + 1)).append("\"/>\n");
            }
            legend.add("<span><i class=\"sw\" style=\"background:" + c + "\"></i>" + esc(label) + "</span>");
        }
        b.append("</svg>\n<p class=\"legend\">").append(String.join("", legend))
                .append("<span><i class=\"sw\" style=\"background:#cf222e\"></i>accumulation</span>")
                .append("<span><i class=\"sw\" style=\"background:#bc4c00\"></i>spike</span>")
                .append("<span><i class=\"sw\" style=\"background:#0969da\"></i>cleanup</span>")
                .append("<span><i class=\"sw\" style=\"background:#1a7f37\"></i>capture / dump</span></p>\n");
    }

    private static long niceCeiling(long n) {
        long step = 1;
        while (step * 10 < n) {
            step *= 10;
        }
        for (long m : new long[] {1, 2, 4, 5, 10}) {
            if (step * m >= n) {
                return Math.max(4, step * m);
            }
        }
        return n;
    }

    private static String fmt(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
