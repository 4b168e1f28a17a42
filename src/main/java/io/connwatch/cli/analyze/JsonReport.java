package io.connwatch.cli.analyze;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.util.Map;

/**
 * The analysis as JSON, {@value Analysis#FORMAT}. Instants are ISO-8601 UTC strings with milliseconds, durations
 * milliseconds, sizes bytes.
 *
 * <pre>{@code
 * {
 *   "format": "connwatch.analysis/1",
 *   "inputs": [{
 *     "path": "...", "kind": "dump" | "recording",
 *     "monitor": "edge",                 // recording: the names joined with ", "
 *     "monitors": ["edge"],
 *     "trigger": "force_capture", "timestamp": "...", "pid": 4242,    // dump only, else null
 *     "activeConnections": 73, "accumulationThreshold": 50, "spikeThreshold": 20,
 *     "connectionsListed": 73, "connectionsOmitted": 0,              // dump only, else 0
 *     "start": "...", "end": "...",                                  // recording only, else null
 *     "eventCounts": {"accumulations": 1, "spikes": 1, "cleanups": 1, "captures": 2, "statistics": 9, "patternTallies": 72},
 *     "cleanupsByReason": {"stuck_no_response": 1},
 *     "tallies": {"ZOMBIE": 0, "HALF_ZOMBIE": 0, "STUCK": 12, ...},  // dump: summary; recording: highest seen
 *     "topTargets": [{"target": "10.0.0.5:8080", "connections": 40, "patterns": {"STUCK": 12}}],  // largest first, 10
 *     "recommendations": ["..."],
 *     "rules": [{"id": "connwatch.StuckBackend", "name": "Backends That Hang", "topic": "connwatch",
 *                "source": "connwatch" | "jmc", "severity": "WARNING" | "INFO" | "OK" | "NA", "score": 87.0,
 *                "summary": "...", "explanation": "...", "solution": "..."}],   // recording only; worst first
 *     "rulesError": null             // or why JMC's rules could not run (all or some)
 *   }],
 *   "tallies": {...},            // per pattern the highest any input shows
 *   "topTargets": [...],         // per target the largest count any input shows; largest first, 10
 *   "recommendations": [...],    // distinct, in input order
 *   "cleanupsByReason": {...},   // added up over recordings
 *   "timeline": [{"time": "...", "type": "accumulation" | "spike" | "cleanup" | "cleanups" | "capture" | "dump",
 *                 "monitor": "edge", "input": "path", ...the event's fields}],   // time-ordered
 *   "activeSeries": [{"time": "...", "active": 73, "monitor": "edge", "source": "statistics" | "trend"}]
 * }
 * }</pre>
 * Timeline fields: accumulation {@code activeConnections, threshold, zombies, halfZombies, stuck, idle, old,
 * noOutgoing, slowBackends, listenerLeaks, captureFile}; spike {@code previousCount, activeConnections, increase, spikeThreshold,
 * intervalMs}; cleanup {@code connectionId, reason, pattern, remoteAddress, targetHost, targetPort, ageMs, idleMs,
 * bytesReceived, bytesSent}; cleanups (a recording with more than 50 cleanups: one per monitor, reason and minute)
 * {@code reason, count, periodSeconds}; capture {@code trigger, file, connections, bytesWritten, error, durationMs};
 * dump {@code trigger, file, activeConnections}.
 */
public final class JsonReport {
    private static final JsonFactory JSON = JsonFactory.builder().disable(StreamWriteFeature.AUTO_CLOSE_TARGET).build();

    private JsonReport() {
    }

    public static void write(Analysis a, Writer out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("format", Analysis.FORMAT);
            g.writeArrayFieldStart("inputs");
            for (InputReport in : a.inputs()) {
                input(g, in);
            }
            g.writeEndArray();
            counts(g, "tallies", a.tallies());
            targets(g, a.topTargets());
            strings(g, "recommendations", a.recommendations());
            counts(g, "cleanupsByReason", a.cleanupsByReason());
            g.writeArrayFieldStart("timeline");
            for (Analysis.Entry e : a.timeline()) {
                g.writeStartObject();
                g.writeStringField("time", TextReport.time(e.event().time()));
                g.writeStringField("type", e.event().type());
                g.writeStringField("monitor", e.event().monitor());
                g.writeStringField("input", e.input().path().toString());
                for (Map.Entry<String, Object> f : e.event().fields().entrySet()) {
                    value(g, f.getKey(), f.getValue());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("activeSeries");
            for (InputReport.SeriesPoint p : a.activeSeries()) {
                g.writeStartObject();
                g.writeStringField("time", TextReport.time(p.time()));
                g.writeNumberField("active", p.active());
                g.writeStringField("monitor", p.monitor());
                g.writeStringField("source", p.source());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        }
        out.flush();
    }

    private static void input(JsonGenerator g, InputReport in) throws IOException {
        g.writeStartObject();
        g.writeStringField("path", in.path().toString());
        g.writeStringField("kind", in.kind().wire());
        g.writeStringField("monitor", in.monitor());
        strings(g, "monitors", in.monitors());
        g.writeStringField("trigger", in.trigger());
        instant(g, "timestamp", in.timestamp());
        number(g, "pid", in.pid());
        number(g, "activeConnections", in.activeConnections());
        number(g, "accumulationThreshold", in.accumulationThreshold());
        number(g, "spikeThreshold", in.spikeThreshold());
        g.writeNumberField("connectionsListed", in.connectionsListed());
        g.writeNumberField("connectionsOmitted", in.connectionsOmitted());
        instant(g, "start", in.start());
        instant(g, "end", in.end());
        counts(g, "eventCounts", in.eventCounts());
        counts(g, "cleanupsByReason", in.cleanupsByReason());
        counts(g, "tallies", in.tallies());
        targets(g, in.topTargets());
        strings(g, "recommendations", in.recommendations());
        g.writeArrayFieldStart("rules");
        for (RuleResult r : in.rules()) {
            g.writeStartObject();
            g.writeStringField("id", r.id());
            g.writeStringField("name", r.name());
            g.writeStringField("topic", r.topic());
            g.writeStringField("source", r.source());
            g.writeStringField("severity", r.severity());
            if (r.score() == null) {
                g.writeNullField("score");
            } else {
                g.writeNumberField("score", Math.round(r.score() * 10) / 10.0);
            }
            g.writeStringField("summary", r.summary());
            g.writeStringField("explanation", r.explanation());
            g.writeStringField("solution", r.solution());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeStringField("rulesError", in.rulesError());
        g.writeEndObject();
    }

    private static void targets(JsonGenerator g, Iterable<InputReport.TargetRow> rows) throws IOException {
        g.writeArrayFieldStart("topTargets");
        for (InputReport.TargetRow t : rows) {
            g.writeStartObject();
            g.writeStringField("target", t.target());
            g.writeNumberField("connections", t.connections());
            counts(g, "patterns", t.patterns());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void counts(JsonGenerator g, String name, Map<String, Long> m) throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, Long> e : m.entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    private static void strings(JsonGenerator g, String name, Iterable<String> l) throws IOException {
        g.writeArrayFieldStart(name);
        for (String s : l) {
            g.writeString(s);
        }
        g.writeEndArray();
    }

    private static void instant(JsonGenerator g, String name, Instant t) throws IOException {
        if (t == null) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, TextReport.time(t));
        }
    }

    private static void number(JsonGenerator g, String name, Long n) throws IOException {
        if (n == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, n);
        }
    }

    private static void value(JsonGenerator g, String name, Object v) throws IOException {
        if (v == null) {
            g.writeNullField(name);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            g.writeNumberField(name, ((Number) v).longValue());
        } else if (v instanceof Number n) {
            g.writeNumberField(name, n.doubleValue());
        } else if (v instanceof Boolean b) {
            g.writeBooleanField(name, b);
        } else {
            g.writeStringField(name, v.toString());
        }
    }
}
