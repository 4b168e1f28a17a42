package io.connwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.connwatch.analysis.Pattern;
import io.connwatch.cli.Main;
import io.connwatch.testing.LoopbackPatterns;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JSON formats users and tools read, checked against the schemas published in {@code docs/schema/} with a JSON
 * Schema validator (draft 2020-12, formats asserted): dumps written by a real monitor over real loopback
 * connections (plain-socket relays and the reference Netty proxy) showing every pattern but IDLE and OLD, and
 * {@code analyze --format json} of those dumps and of a JFR recording made meanwhile. A dump missing a required field
 * or holding a wrong type fails, so the schemas do check; and docs/FORMATS.md names every field the schemas name.
 */
class FormatSchemasTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path BASE = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .toAbsolutePath();
    private static final Path DUMP_SCHEMA = BASE.resolve("docs/schema/connwatch.diagnostics-1.schema.json");
    private static final Path ANALYSIS_SCHEMA = BASE.resolve("docs/schema/connwatch.analysis-1.schema.json");
    private static final Path FORMATS = BASE.resolve("docs/FORMATS.md");
    private static final List<String> EVENTS = List.of("io.connwatch.ConnectionAccumulation",
            "io.connwatch.ConnectionSpike", "io.connwatch.ConnectionCleanup", "io.connwatch.DiagnosticCapture",
            "io.connwatch.ConnectionStatistics", "io.connwatch.PatternTally");
    private static final SchemaRegistry REGISTRY =
            SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @TempDir
    static Path work;

    static Path dumps;
    static Path recording;
    static Schema dumpSchema;
    static Schema analysisSchema;

    @BeforeAll
    static void writeRealFiles() throws Exception {
        dumpSchema = schema(DUMP_SCHEMA);
        analysisSchema = schema(ANALYSIS_SCHEMA);
        dumps = Files.createDirectory(work.resolve("dumps"));
        recording = work.resolve("schemas.jfr");
        try (LoopbackPatterns p = new LoopbackPatterns("schemas", dumps, b -> b)) {
            LoopbackPatterns.record(recording, EVENTS, () -> {
                p.stuck().stuckThroughNettyProxy().slowBackend().halfZombie().noOutgoing().zombie().listenerLeak()
                        .refused();
                Map<Pattern, Integer> wanted = new EnumMap<>(Pattern.class);
                for (Pattern each : List.of(Pattern.ZOMBIE, Pattern.HALF_ZOMBIE, Pattern.NO_OUTGOING,
                        Pattern.SLOW_BACKEND, Pattern.LISTENER_LEAK)) {
                    wanted.put(each, 1);
                }
                wanted.put(Pattern.STUCK, 3);
                p.awaitAtLeast(wanted);
                // One more connection is a spike, then a lower threshold an accumulation: each writes its dump.
                p.monitor().updateSettings(b -> b.spikeThreshold(1));
                p.stuck();
                p.monitor().checkNow();
                p.monitor().updateSettings(b -> b.accumulationThreshold(1));
                p.monitor().checkNow();
                p.monitor().forceCaptureNow();
                p.monitor().updateSettings(b -> b.maxConnectionDetails(2).maskAddresses(true));
                p.monitor().forceCaptureNow();
                p.monitor().updateSettings(b -> b.cleanupEnabled(true));
                assertTrue(p.monitor().cleanupNow() > 0, "cleanup events for the recording");
            });
        }
    }

    private static Schema schema(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return REGISTRY.getSchema(in);
        }
    }

    private static List<String> errors(Schema schema, JsonNode document) {
        return schema.validate(document, ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true))).stream()
                .map(Error::toString).collect(Collectors.toList());
    }

    private static List<Path> dumpFiles() throws IOException {
        try (Stream<Path> s = Files.list(dumps)) {
            return s.filter(f -> f.getFileName().toString().startsWith("accumulation_")).sorted()
                    .collect(Collectors.toList());
        }
    }

    private static String analyze(Object... paths) {
        List<String> args = new ArrayList<>(List.of("analyze", "--format", "json"));
        for (Object p : paths) {
            args.add(p.toString());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        return out.toString();
    }

    // ---------------------------------------------------------------- the schemas themselves

    @ParameterizedTest
    @ValueSource(strings = {"connwatch.diagnostics-1.schema.json", "connwatch.analysis-1.schema.json"})
    void schemasAreValidDraft202012Schemas(String name) throws Exception {
        JsonNode schema = JSON.readTree(BASE.resolve("docs/schema").resolve(name).toFile());
        Schema meta = REGISTRY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        assertEquals(List.of(), errors(meta, schema), name + " against the draft 2020-12 meta-schema");
        assertEquals("https://json-schema.org/draft/2020-12/schema", schema.get("$schema").asText());
        assertEquals("https://connwatch.io/schema/" + name, schema.get("$id").asText());
    }

    // ---------------------------------------------------------------- dumps

    @Test
    void realDumpsValidateAndCoverThePatternsAndTriggers() throws Exception {
        List<Path> files = dumpFiles();
        Set<String> triggers = new TreeSet<>();
        Set<String> patterns = new TreeSet<>();
        Set<String> readyStates = new TreeSet<>();
        boolean omitted = false;
        boolean netty = false;
        for (Path f : files) {
            JsonNode d = JSON.readTree(f.toFile());
            assertEquals(List.of(), errors(dumpSchema, d), f.getFileName().toString());
            triggers.add(d.get("trigger").asText());
            omitted |= d.get("connectionsOmitted").asLong() > 0;
            for (JsonNode c : d.get("connections")) {
                c.get("patterns").forEach(n -> patterns.add(n.asText()));
                readyStates.add(c.get("incomingState").get("readyState").asText());
                readyStates.add(c.get("outgoingState").get("readyState").asText());
                netty |= c.get("incomingListeners").size() > 1;
            }
        }
        assertEquals(Set.of("accumulation", "force_capture", "spike"), triggers, files.toString());
        assertEquals(new TreeSet<>(List.of("ZOMBIE", "HALF_ZOMBIE", "STUCK", "NO_OUTGOING", "SLOW_BACKEND",
                "LISTENER_LEAK")), patterns);
        assertTrue(readyStates.containsAll(List.of("open", "closed", "writeOnly")), readyStates.toString());
        assertTrue(omitted, "a dump capped at 2 connections counts the others");
        assertTrue(netty, "the Netty proxy's handlers are listed");
    }

    /** A document edited by {@code edit} must fail, and the errors must name {@code field}. */
    private static void assertRefused(Schema schema, JsonNode valid, Consumer<ObjectNode> edit, String field) {
        assertEquals(List.of(), errors(schema, valid), "the unedited document is valid");
        ObjectNode broken = valid.deepCopy();
        edit.accept(broken);
        List<String> errors = errors(schema, broken);
        assertFalse(errors.isEmpty(), "accepted without " + field);
        assertTrue(errors.stream().anyMatch(e -> e.contains(field)), field + " in " + errors);
    }

    private static ObjectNode obj(JsonNode n, String field) {
        return (ObjectNode) n.get(field);
    }

    private static ObjectNode firstConnection(ObjectNode dump) {
        return (ObjectNode) dump.get("connections").get(0);
    }

    @Test
    void aDumpMissingARequiredFieldOrHoldingAWrongTypeIsRefused() throws Exception {
        JsonNode dump = null;
        for (Path f : dumpFiles()) {
            JsonNode d = JSON.readTree(f.toFile());
            if (d.get("trigger").asText().equals("force_capture") && d.get("connectionsOmitted").asLong() == 0) {
                dump = d;
            }
        }
        JsonNode valid = dump;
        // missing
        assertRefused(dumpSchema, valid, d -> obj(d, "summary").remove("slowBackends"), "slowBackends");
        assertRefused(dumpSchema, valid, d -> d.remove("connectionsOmitted"), "connectionsOmitted");
        assertRefused(dumpSchema, valid, d -> firstConnection(d).remove("patterns"), "patterns");
        assertRefused(dumpSchema, valid, d -> obj(firstConnection(d), "incomingState").remove("readyState"),
                "readyState");
        // wrong type
        assertRefused(dumpSchema, valid, d -> obj(d, "summary").put("stuck", "3"), "stuck");
        assertRefused(dumpSchema, valid, d -> obj(d, "summary").put("activeConnections", 2.5), "activeConnections");
        assertRefused(dumpSchema, valid, d -> d.put("connectionsOmitted", -1), "connectionsOmitted");
        assertRefused(dumpSchema, valid, d -> firstConnection(d).put("age", "120 s"), "age");
        assertRefused(dumpSchema, valid, d -> obj(d, "monitor").put("pid", "4242"), "pid");
        // wrong value
        assertRefused(dumpSchema, valid, d -> d.put("format", "connwatch.diagnostics/2"), "format");
        assertRefused(dumpSchema, valid, d -> d.put("trigger", "manual"), "trigger");
        assertRefused(dumpSchema, valid, d -> d.put("timestamp", "2025-06-07 20:20:43"), "timestamp");
        assertRefused(dumpSchema, valid, d -> d.put("timestamp", "2025-13-45T20:20:43.733Z"), "timestamp");
        assertRefused(dumpSchema, valid, d -> ((ArrayNode) firstConnection(d).get("patterns")).add("LEAKY"),
                "patterns");
        assertRefused(dumpSchema, valid, d -> obj(firstConnection(d), "incomingState").put("readyState", "half"),
                "readyState");
        assertRefused(dumpSchema, valid, d -> obj(obj(d, "terminationStats"), "incoming").put("oops", 1),
                "incoming");
        // not ours
        assertRefused(dumpSchema, valid, d -> obj(d, "summary").put("unknownPattern", 1), "unknownPattern");
    }

    // ---------------------------------------------------------------- analyze --format json

    @Test
    void analyzeJsonOfDumpsAndARecordingValidates() throws Exception {
        JsonNode both = JSON.readTree(analyze(dumps, recording));
        assertEquals(List.of(), errors(analysisSchema, both));
        Set<String> kinds = new TreeSet<>();
        both.get("inputs").forEach(i -> kinds.add(i.get("kind").asText()));
        assertEquals(Set.of("dump", "recording"), kinds);
        Set<String> types = new TreeSet<>();
        both.get("timeline").forEach(e -> types.add(e.get("type").asText()));
        assertEquals(Set.of("accumulation", "spike", "cleanup", "capture", "dump"), types);
        Set<String> sources = new TreeSet<>();
        both.get("activeSeries").forEach(e -> sources.add(e.get("source").asText()));
        assertEquals(Set.of("statistics", "trend"), sources);
        for (Pattern p : Pattern.values()) {
            if (p != Pattern.IDLE && p != Pattern.OLD) {
                assertTrue(both.get("tallies").get(p.name()).asLong() > 0, p + " in " + both.get("tallies"));
            }
        }

        assertEquals(List.of(), errors(analysisSchema, JSON.readTree(analyze(recording))), "the recording alone");
        assertEquals(List.of(), errors(analysisSchema, JSON.readTree(analyze(dumpFiles().get(0)))), "one dump");
    }

    @Test
    void anAnalysisMissingARequiredFieldOrHoldingAWrongTypeIsRefused() throws Exception {
        JsonNode valid = JSON.readTree(analyze(dumps, recording));
        assertRefused(analysisSchema, valid, a -> a.remove("activeSeries"), "activeSeries");
        assertRefused(analysisSchema, valid, a -> obj(a, "tallies").remove("SLOW_BACKEND"), "SLOW_BACKEND");
        assertRefused(analysisSchema, valid, a -> ((ObjectNode) a.get("inputs").get(0)).put("kind", "log"), "kind");
        assertRefused(analysisSchema, valid, a -> ((ObjectNode) a.get("timeline").get(0)).put("time", "now"), "time");
        assertRefused(analysisSchema, valid, a -> ((ObjectNode) a.get("timeline").get(0)).put("surprise", 1),
                "surprise");
    }

    // ---------------------------------------------------------------- the documentation

    @Test
    void formatsDocumentNamesEveryFieldOfTheSchemas() throws Exception {
        String doc = Files.readString(FORMATS);
        for (Path schema : List.of(DUMP_SCHEMA, ANALYSIS_SCHEMA)) {
            Set<String> names = new TreeSet<>();
            collectPropertyNames(JSON.readTree(schema.toFile()), names);
            assertTrue(names.size() > 20, names.toString());
            List<String> missing = names.stream().filter(n -> !doc.contains("`" + n + "`"))
                    .collect(Collectors.toList());
            assertEquals(List.of(), missing, "fields of " + schema.getFileName() + " not in docs/FORMATS.md");
        }
        assertTrue(doc.contains("docs/schema/connwatch.diagnostics-1.schema.json")
                || doc.contains("schema/connwatch.diagnostics-1.schema.json"), "FORMATS.md points to the schemas");
    }

    @Test
    void formatsDocumentExamplesValidate() throws Exception {
        Matcher blocks = java.util.regex.Pattern.compile("```json\n(.*?)\n```", java.util.regex.Pattern.DOTALL)
                .matcher(Files.readString(FORMATS));
        Map<String, Schema> byFormat = Map.of("connwatch.diagnostics/1", dumpSchema,
                "connwatch.analysis/1", analysisSchema);
        Set<String> checked = new TreeSet<>();
        while (blocks.find()) {
            JsonNode example = JSON.readTree(blocks.group(1));
            String format = example.get("format").asText();
            assertEquals(List.of(), errors(byFormat.get(format), example), "the example of " + format);
            checked.add(format);
        }
        assertEquals(byFormat.keySet(), checked, "an example of each format");
    }

    private static void collectPropertyNames(JsonNode node, Set<String> into) {
        if (node.isObject()) {
            JsonNode properties = node.get("properties");
            if (properties != null && properties.isObject()) {
                properties.fieldNames().forEachRemaining(into::add);
            }
            JsonNode required = node.get("required");
            if (required != null && required.isArray()) {
                required.forEach(r -> into.add(r.asText()));
            }
            node.forEach(child -> collectPropertyNames(child, into));
        } else if (node.isArray()) {
            node.forEach(child -> collectPropertyNames(child, into));
        }
    }
}
