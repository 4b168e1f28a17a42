package io.connwatch.cli.analyze;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.connwatch.analysis.Pattern;
import io.connwatch.capture.CaptureTrigger;
import io.connwatch.capture.DumpWriter;
import io.connwatch.cli.Printable;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a diagnostic dump ({@value DumpWriter#FORMAT}) with the streaming {@link JsonParser} (jackson-core only: no
 * data binding, so no polymorphic typing either). The {@code connections} array is only counted, never held, so a
 * dump with 10 000 connection details costs little memory.
 *
 * <p>Hostile input is refused early, with bounded memory: a file over {@link #MAX_BYTES} is not read at all; the
 * parser refuses nesting deeper than {@link #MAX_DEPTH}, strings longer than {@link #MAX_STRING}, numbers longer than
 * {@link #MAX_NUMBER} characters and field names longer than {@link #MAX_NAME}; and at most {@link #MAX_VALUES}
 * values outside {@code connections} are held. Each limit is far above anything connwatch writes.
 */
final class DumpReader {
    /** The largest dump read: as much as the default retention keeps in a whole folder. Larger files are refused unread. */
    static final long MAX_BYTES = 1L << 30;
    /** A dump nests four levels deep; this leaves room, and keeps the reader's recursion shallow. */
    static final int MAX_DEPTH = 64;
    /** The longest string value: host names, recommendations and names are far shorter. */
    static final int MAX_STRING = 64 * 1024;
    /** The longest number, in characters: a long has at most 20, a double about 25. */
    static final int MAX_NUMBER = 64;
    /** The longest field name. */
    static final int MAX_NAME = 1024;
    /** Values held outside {@code connections} (trend, byTarget, recommendations...). */
    static final long MAX_VALUES = 1_000_000;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_STRING)
                    .maxNumberLength(MAX_NUMBER)
                    .maxNameLength(MAX_NAME)
                    .maxDocumentLength(MAX_BYTES)
                    .build())
            .build();
    private static final String FAMILY = "connwatch.diagnostics/";
    private static final List<String> TRIGGERS = Stream.of(CaptureTrigger.values()).map(CaptureTrigger::wireName)
            .collect(Collectors.toUnmodifiableList());

    private DumpReader() {
    }

    static InputReport read(Path path) throws BadInputException, IOException {
        long size = Files.size(path);
        if (size > MAX_BYTES) {
            throw new BadInputException(path, "too large for a dump: " + size + " bytes ("
                    + String.format(Locale.ROOT, "%.1f GiB", size / (double) (1L << 30))
                    + "), connwatch's dumps are at most " + MAX_BYTES + " bytes (1 GiB); not read");
        }
        Map<String, Object> doc;
        long[] connections = {-1, 0}; // connections listed (-1: no array), values held
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
        } catch (StreamConstraintsException e) {
            throw new BadInputException(path, "not a connwatch dump: " + limit(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            String msg = e.getOriginalMessage();
            boolean cut = msg != null && msg.contains("end-of-input");
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")";
            throw new BadInputException(path, (cut ? "truncated JSON, it ends early" : "not JSON") + where + ": "
                    + BadInputException.oneLine(msg));
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
        if (!doc.containsKey("connections")) {
            throw new BadInputException(path, "not a valid " + DumpWriter.FORMAT + " dump: \"connections\" is missing");
        }
        if (connections[0] < 0) {
            throw new BadInputException(path, "not a valid " + DumpWriter.FORMAT + " dump: \"connections\" is "
                    + quote(doc.get("connections")) + ", expected an array");
        }
        return toReport(path, doc, connections[0]);
    }

    /** Which limit a hostile file hit, in words; Jackson's message names its own API. */
    private static String limit(String msg) {
        String m = msg == null ? "" : msg;
        if (m.contains("nesting depth") || m.contains("Nesting depth")) {
            return "JSON nested deeper than " + MAX_DEPTH + " levels (a dump nests 4)";
        }
        if (m.contains("String value length") || m.contains("String length")) {
            // Jackson buffers a very long number as text too, so this limit may be hit by either
            return "a string or number longer than " + MAX_STRING + " characters";
        }
        if (m.contains("Number value length") || m.contains("Number length")) {
            return "a number longer than " + MAX_NUMBER + " digits";
        }
        if (m.contains("Name length") || m.contains("name length")) {
            return "a field name longer than " + MAX_NAME + " characters";
        }
        if (m.contains("Document length") || m.contains("document length")) {
            return "more than " + MAX_BYTES + " bytes of JSON";
        }
        return BadInputException.oneLine(m);
    }

    private static InputReport toReport(Path path, Map<String, Object> doc, long listed) throws BadInputException {
        Fields d = new Fields(path, doc, "");
        InputReport r = new InputReport(path, InputReport.Kind.DUMP);
        r.timestamp = d.instant("timestamp");
        r.trigger = d.string("trigger");
        if (!TRIGGERS.contains(r.trigger)) {
            throw d.bad("trigger", String.join(", ", TRIGGERS.subList(0, TRIGGERS.size() - 1)) + " or "
                    + TRIGGERS.get(TRIGGERS.size() - 1));
        }
        Fields monitor = d.object("monitor");
        r.monitors.add(monitor.string("name"));
        r.pid = monitor.optionalNumber("pid");
        r.accumulationThreshold = monitor.optionalNumber("accumulationThreshold");
        r.spikeThreshold = monitor.optionalNumber("spikeThreshold");
        Fields summary = d.object("summary");
        r.activeConnections = summary.number("activeConnections");
        for (Pattern p : Pattern.values()) {
            Long n = summary.optionalNumber(p.countName());
            r.tallies.put(p.name(), n == null ? 0L : n);
        }
        if (doc.containsKey("terminationStats")) {
            d.object("terminationStats");
        }
        if (doc.containsKey("system")) {
            d.object("system");
        }
        for (Object rec : d.array("recommendations")) {
            if (!(rec instanceof String s)) {
                throw new BadInputException(path, "not a valid " + DumpWriter.FORMAT + " dump: \"recommendations\" holds "
                        + quote(rec) + ", expected strings");
            }
            r.recommendations.add(s);
        }
        List<InputReport.TargetRow> targets = new ArrayList<>();
        int i = 0;
        for (Object t : d.array("byTarget")) {
            Fields row = d.element("byTarget", i++, t);
            Map<String, Long> patterns = new LinkedHashMap<>();
            for (Pattern p : Pattern.values()) {
                Long n = row.optionalNumber(p.countName());
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
                connections[0] = 0;
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
        if (++connections[1] > MAX_VALUES) {
            throw new StreamConstraintsException("more than " + MAX_VALUES + " values outside \"connections\"",
                    p.currentLocation());
        }
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
            boolean cut = s.codePointCount(0, s.length()) > 60;
            String shown = cut ? s.substring(0, s.offsetByCodePoints(0, 60)) : s;
            return "\"" + Printable.of(shown) + (cut ? "...\" (" + s.length() + " characters)" : "\"");
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

        BadInputException bad(String field, String expected) {
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

        /** A count, size or duration: a whole number from 0 to Long.MAX_VALUE; null when absent. */
        Long optionalNumber(String f) throws BadInputException {
            Object v = m.get(f);
            if (v == null) {
                return null;
            }
            if (v instanceof Integer || v instanceof Long) {
                long n = ((Number) v).longValue();
                if (n < 0) {
                    throw bad(f, "a whole number, 0 or more");
                }
                return n;
            }
            if (v instanceof BigInteger || v instanceof BigDecimal || v instanceof Double || v instanceof Float) {
                throw bad(f, "a whole number from 0 to " + Long.MAX_VALUE);
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
