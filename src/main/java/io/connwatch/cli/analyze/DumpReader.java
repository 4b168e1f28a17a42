package io.connwatch.cli.analyze;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.connwatch.analysis.Pattern;
import io.connwatch.capture.DumpWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a diagnostic dump ({@value DumpWriter#FORMAT}) with the streaming {@link JsonParser}. The {@code connections}
 * array is only counted, never held, so a dump with 10 000 connection details costs little memory.
 */
final class DumpReader {
    private static final JsonFactory JSON = new JsonFactory();
    private static final String FAMILY = "connwatch.diagnostics/";

    private DumpReader() {
    }

    static InputReport read(Path path) throws BadInputException, IOException {
        Map<String, Object> doc;
        long[] connections = {0};
        try (InputStream in = Files.newInputStream(path); JsonParser p = JSON.createParser(in)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new BadInputException(path, "no JSON in the file, only white space");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new BadInputException(path, "not a connwatch dump: the JSON is " + describe(first)
                        + ", expected an object with \"format\": \"" + DumpWriter.FORMAT + "\"");
            }
            doc = readObject(p, true, connections);
            if (p.nextToken() != null) {
                throw new BadInputException(path, "not JSON: more content after the document, at line "
                        + p.currentLocation().getLineNr());
            }
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            boolean cut = msg != null && msg.contains("end-of-input");
            throw new BadInputException(path, (cut ? "truncated JSON, it ends early" : "not JSON") + " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + "): " + BadInputException.oneLine(msg));
        }
        Object format = doc.get("format");
        if (format == null) {
            throw new BadInputException(path, "not a connwatch dump: no \"format\" field, expected \""
                    + DumpWriter.FORMAT + "\"");
        }
        if (!(format instanceof String f) || !f.startsWith(FAMILY)) {
            throw new BadInputException(path, "not a connwatch dump: \"format\" is " + quote(format)
                    + ", expected \"" + DumpWriter.FORMAT + "\"");
        }
        if (!f.equals(DumpWriter.FORMAT)) {
            throw new BadInputException(path, "unsupported dump format version \"" + f + "\": this analyzer reads \""
                    + DumpWriter.FORMAT + "\"");
        }
        return toReport(path, doc, connections[0]);
    }

    private static InputReport toReport(Path path, Map<String, Object> doc, long listed) throws BadInputException {
        Fields d = new Fields(path, doc, "");
        InputReport r = new InputReport(path, InputReport.Kind.DUMP);
        r.timestamp = d.instant("timestamp");
        r.trigger = d.string("trigger");
        Fields monitor = d.object("monitor");
        r.monitors.add(monitor.string("name"));
        r.pid = monitor.optionalNumber("pid");
        r.accumulationThreshold = monitor.optionalNumber("accumulationThreshold");
        r.spikeThreshold = monitor.optionalNumber("spikeThreshold");
        Fields summary = d.object("summary");
        r.activeConnections = summary.number("activeConnections");
        for (Pattern p : Pattern.values()) {
            Long n = summary.optionalNumber(p.summaryKey());
            r.tallies.put(p.name(), n == null ? 0L : n);
        }
        for (Object rec : d.array("recommendations")) {
            if (!(rec instanceof String s)) {
                throw new BadInputException(path, "\"recommendations\" holds " + quote(rec) + ", expected strings");
            }
            r.recommendations.add(s);
        }
        List<InputReport.TargetRow> targets = new ArrayList<>();
        int i = 0;
        for (Object t : d.array("byTarget")) {
            Fields row = d.element("byTarget", i++, t);
            Map<String, Long> patterns = new LinkedHashMap<>();
            for (Pattern p : Pattern.values()) {
                Long n = row.optionalNumber(p.summaryKey());
                if (n != null && n > 0) {
                    patterns.put(p.name(), n);
                }
            }
            targets.add(new InputReport.TargetRow(row.string("target"), row.number("connections"), patterns));
        }
        targets.sort(Comparator.comparingLong(InputReport.TargetRow::connections).reversed());
        r.topTargets.addAll(targets.subList(0, Math.min(Analysis.TOP_TARGETS, targets.size())));
        i = 0;
        String name = r.monitor();
        if (doc.containsKey("trend")) {
            for (Object t : d.array("trend")) {
                Fields point = d.element("trend", i++, t);
                r.activeSeries.add(new InputReport.SeriesPoint(point.instant("timestamp"),
                        point.number("activeConnections"), name, "trend"));
            }
        }
        r.activeSeries.sort(Comparator.comparing(InputReport.SeriesPoint::time));
        r.connectionsListed = listed;
        Long omitted = d.optionalNumber("connectionsOmitted");
        r.connectionsOmitted = omitted == null ? 0 : omitted;
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("trigger", r.trigger);
        f.put("file", path.toString());
        f.put("activeConnections", r.activeConnections);
        r.timeline.add(new InputReport.TimelineEvent(r.timestamp, "dump", name, f));
        return r;
    }

    // ---- a small tree from the streaming parser ----

    private static Map<String, Object> readObject(JsonParser p, boolean top, long[] connections) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (top && name.equals("connections") && v == JsonToken.START_ARRAY) {
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    p.skipChildren();
                    connections[0]++;
                }
                m.put(name, List.of());
            } else {
                m.put(name, readValue(p, v, connections));
            }
        }
        return m;
    }

    private static Object readValue(JsonParser p, JsonToken t, long[] connections) throws IOException {
        switch (t) {
            case START_OBJECT:
                return readObject(p, false, connections);
            case START_ARRAY: {
                List<Object> l = new ArrayList<>();
                JsonToken e;
                while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                    l.add(readValue(p, e, connections));
                }
                return l;
            }
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return p.getNumberValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            default:
                throw new IllegalStateException("unexpected token " + t);
        }
    }

    private static String describe(JsonToken t) {
        switch (t) {
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return String.valueOf(t);
        }
    }

    static String quote(Object o) {
        if (o == null) {
            return "null";
        }
        if (o instanceof String s) {
            return "\"" + s + "\"";
        }
        if (o instanceof Map) {
            return "an object";
        }
        if (o instanceof List) {
            return "an array";
        }
        return String.valueOf(o);
    }

    /** Typed access to an object's fields; a missing or mistyped field is bad input naming the field. */
    private static final class Fields {
        private final Path path;
        private final Map<String, Object> m;
        private final String prefix;

        Fields(Path path, Map<String, Object> m, String prefix) {
            this.path = path;
            this.m = m;
            this.prefix = prefix;
        }

        private BadInputException bad(String field, String expected) {
            Object v = m.get(field);
            String what = m.containsKey(field) ? "is " + quote(v) + ", expected " + expected : "is missing";
            return new BadInputException(path, "not a valid " + DumpWriter.FORMAT + " dump: \"" + prefix + field
                    + "\" " + what);
        }

        String string(String f) throws BadInputException {
            if (m.get(f) instanceof String s) {
                return s;
            }
            throw bad(f, "a string");
        }

        long number(String f) throws BadInputException {
            Long n = optionalNumber(f);
            if (n == null) {
                throw bad(f, "a number");
            }
            return n;
        }

        Long optionalNumber(String f) throws BadInputException {
            Object v = m.get(f);
            if (v == null) {
                return null;
            }
            if (v instanceof Number n) {
                return n.longValue();
            }
            throw bad(f, "a number");
        }

        Instant instant(String f) throws BadInputException {
            try {
                return Instant.parse(string(f));
            } catch (DateTimeParseException e) {
                throw bad(f, "an ISO-8601 UTC instant");
            }
        }

        @SuppressWarnings("unchecked")
        Fields object(String f) throws BadInputException {
            if (m.get(f) instanceof Map<?, ?> o) {
                return new Fields(path, (Map<String, Object>) o, prefix + f + ".");
            }
            throw bad(f, "an object");
        }

        @SuppressWarnings("unchecked")
        List<Object> array(String f) throws BadInputException {
            if (m.get(f) instanceof List<?> l) {
                return (List<Object>) l;
            }
            throw bad(f, "an array");
        }

        @SuppressWarnings("unchecked")
        Fields element(String f, int i, Object e) throws BadInputException {
            if (e instanceof Map<?, ?> o) {
                return new Fields(path, (Map<String, Object>) o, prefix + f + "[" + i + "].");
            }
            throw new BadInputException(path, "not a valid " + DumpWriter.FORMAT + " dump: \"" + prefix + f + "[" + i
                    + "]\" is " + quote(e) + ", expected an object");
        }
    }
}
