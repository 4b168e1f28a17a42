package io.connwatch.jfr;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.analysis.Pattern;
import io.connwatch.jmx.ConnectionMonitorMXBean;
import io.connwatch.jmx.JmxRegistration;
import io.connwatch.testing.TestTimes;
import io.connwatch.testing.Tools;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.management.ObjectName;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmc.common.IState;
import org.openjdk.jmc.common.item.IAttribute;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemFilter;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.IType;
import org.openjdk.jmc.common.item.PersistableItemFilter;
import org.openjdk.jmc.common.unit.KindOfQuantity;
import org.openjdk.jmc.common.unit.LinearKindOfQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.StateToolkit;
import org.openjdk.jmc.common.util.StatefulState;
import org.openjdk.jmc.common.util.XmlToolkit;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;
import org.openjdk.jmc.flightrecorder.configuration.events.EventConfiguration;
import org.openjdk.jmc.flightrecorder.configuration.events.EventOptionID;
import org.openjdk.jmc.flightrecorder.configuration.events.IEventTypeID;
import org.openjdk.jmc.flightrecorder.configuration.events.SchemaVersion;
import org.openjdk.jmc.flightrecorder.configuration.model.xml.JFCXMLValidator;
import org.openjdk.jmc.flightrecorder.configuration.model.xml.XMLAttributeInstance;
import org.openjdk.jmc.flightrecorder.configuration.model.xml.XMLModel;
import org.openjdk.jmc.flightrecorder.configuration.model.xml.XMLTagInstance;
import org.openjdk.jmc.flightrecorder.configuration.model.xml.XMLValidationResult;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;

/**
 * The recording settings and JMC files shipped in jfr-configs/ and jmc-templates/, checked with the tools that read
 * them: JDK Mission Control's configuration model and schema (JMC 9.1.2, the Template Manager's code), the JDK's own
 * {@code jfr configure} and {@link Configuration}, JMC's state and filter readers for the exported pages, and JMC's
 * XML toolkit the way its trigger rule import reads the trigger rules.
 */
class JfcFilesTest {
    private static final List<String> EVENTS = JfrIntegration.EVENT_NAMES;
    private static final Set<String> DETAILED_ONLY = Set.of("io.connwatch.ConnectionOpened",
            "io.connwatch.ConnectionClosed");
    private static final Set<String> PERIODIC = Set.of("io.connwatch.ConnectionStatistics",
            "io.connwatch.PatternTally");
    private static final Path BASE = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .toAbsolutePath();
    private static final Path CONNWATCH_JFC = BASE.resolve("jfr-configs/connwatch.jfc");
    private static final Path TEMPLATE_JFC = BASE.resolve("jmc-templates/connwatch.jfc");
    private static final Path PAGES = BASE.resolve("jmc-templates/connwatch-pages.xml");
    private static final Path TRIGGERS = BASE.resolve("jmc-templates/connwatch-triggers.xml");
    private static final String ITEM_HANDLER_FACTORY = "org.openjdk.jmc.flightrecorder.ui.itemhandler";

    static Stream<Path> jfcFiles() {
        return Stream.of(CONNWATCH_JFC, TEMPLATE_JFC);
    }

    // ---------------------------------------------------------------- JMC: schema, validator, configuration model

    @ParameterizedTest
    @MethodSource("jfcFiles")
    void validatesAgainstJmcSchemaAndValidator(Path jfc) throws Exception {
        try (InputStream in = Files.newInputStream(jfc)) {
            // JMC's jfc_v2.xsd: what the Template Manager checks on import (it refuses two control elements)
            assertDoesNotThrow(() -> EventConfiguration.validate(in, jfc.toString(), SchemaVersion.V2),
                    jfc + " against JMC's jfc_v2.xsd");
        }
        XMLModel model = model(jfc);
        model.checkErrors();
        List<String> errors = model.getResults().stream().filter(XMLValidationResult::isError)
                .map(r -> r.getText() + " at " + r.getObject()).collect(Collectors.toList());
        assertEquals(List.of(), errors, "JMC's JFC validator on " + jfc);
        assertFalse(model.hasErrors());
    }

    @ParameterizedTest
    @MethodSource("jfcFiles")
    void loadsInJmcConfigurationModelWithConnwatchEventsAndControls(Path jfc) throws Exception {
        EventConfiguration configuration = new EventConfiguration(model(jfc));
        assertEquals(SchemaVersion.V2, configuration.getVersion());
        assertTrue(configuration.hasControlElements(), "the Template Manager shows options only with <control>");

        Map<String, IEventTypeID> types = new HashMap<>();
        for (IEventTypeID id : configuration.getConfigEventTypes()) {
            types.put(id.getFullKey(), id);
        }
        for (String event : EVENTS) {
            IEventTypeID id = types.get(event);
            assertNotNull(id, event + " in " + jfc);
            Map<String, String> options = new TreeMap<>();
            for (EventOptionID option : configuration.getOptionIDs(id)) {
                options.put(option.getOptionKey(), configuration.getPersistableString(option));
            }
            assertEquals(String.valueOf(!DETAILED_ONLY.contains(event)), options.get("enabled"), event + " " + options);
            if (PERIODIC.contains(event)) {
                assertEquals("5 s", options.get("period"), event + " " + options);
            } else {
                assertEquals("false", options.get("stackTrace"), event + " " + options);
                assertEquals("0 ms", options.get("threshold"), event + " " + options);
            }
        }

        Controls controls = controls(model(jfc).getRoot());
        assertEquals(Set.of("off", "normal", "detailed"), controls.selectionOptions.get("connwatch-level"));
        assertEquals("normal", controls.selectionDefaults.get("connwatch-level"));
        assertEquals("timespan", controls.textContentTypes.get("connwatch-period"));
        assertTrue(controls.conditions.containsAll(Set.of("connwatch-enabled", "connwatch-detailed")));
        Map<String, String> settingControls = settingControls(model(jfc).getRoot());
        for (String event : EVENTS) {
            assertEquals(DETAILED_ONLY.contains(event) ? "connwatch-detailed" : "connwatch-enabled",
                    settingControls.get(event + "#enabled"), event);
        }
        for (String event : PERIODIC) {
            assertEquals("connwatch-period", settingControls.get(event + "#period"), event);
        }
        // JMC's v2 validator does not look at references: every control= and <test name=> must name a control
        Set<String> defined = controls.all();
        for (Map.Entry<String, String> e : settingControls.entrySet()) {
            assertTrue(defined.contains(e.getValue()), e.getKey() + " refers to undefined control " + e.getValue());
        }
        for (String test : controls.testReferences) {
            assertTrue(controls.selectionOptions.containsKey(test) || controls.flags.contains(test)
                    || controls.textContentTypes.containsKey(test), "condition tests undefined control " + test);
        }
        for (Map.Entry<String, String> e : controls.selectionDefaults.entrySet()) {
            assertTrue(controls.selectionOptions.get(e.getKey()).contains(e.getValue()), "default of " + e.getKey());
        }
        assertEquals(List.of(), controls.duplicates, "controls defined twice in " + jfc);
    }

    @Test
    void templateIsTheJdkDefaultPlusConnwatchWithOneControlSection() throws Exception {
        XMLModel model = model(TEMPLATE_JFC);
        XMLTagInstance root = model.getRoot();
        assertEquals("connwatch (default + connwatch)", attribute(root, "label"));
        assertEquals("2.0", attribute(root, "version"));
        assertEquals(1, children(root, "control").size(), "JMC's schema allows one <control>");
        Controls controls = controls(root);
        // the JDK's options stay, so the Template Manager shows them next to connwatch's
        assertTrue(controls.selectionOptions.keySet().containsAll(
                Set.of("gc", "allocation-profiling", "compiler", "method-profiling", "thread-dump", "exceptions",
                        "memory-leaks")), controls.selectionOptions.keySet().toString());
        assertTrue(controls.textContentTypes.keySet().containsAll(
                Set.of("locking-threshold", "file-threshold", "socket-threshold")));
        // connwatch's controls are the ones of jfr-configs/connwatch.jfc, and only they are named connwatch-*
        Controls own = controls(model(CONNWATCH_JFC).getRoot());
        Set<String> connwatchNamed = controls.all().stream().filter(n -> n.startsWith("connwatch-"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(own.all()), connwatchNamed);
        assertTrue(own.all().stream().allMatch(n -> n.startsWith("connwatch-")), own.all().toString());

        // the connwatch settings are exactly those of jfr-configs/connwatch.jfc, the rest is a full default.jfc
        Map<String, String> template = Configuration.create(TEMPLATE_JFC).getSettings();
        Map<String, String> connwatch = Configuration.create(CONNWATCH_JFC).getSettings();
        assertEquals(new TreeMap<>(connwatch), connwatchSettings(template));
        Set<String> jdkEvents = template.keySet().stream().filter(k -> k.startsWith("jdk."))
                .map(k -> k.substring(0, k.indexOf('#'))).collect(Collectors.toSet());
        assertTrue(jdkEvents.size() > 150, jdkEvents.size() + " JDK events");
        assertEquals("true", template.get("jdk.GarbageCollection#enabled"));
        assertEquals("20 ms", template.get("jdk.JavaMonitorEnter#threshold"));
    }

    // ---------------------------------------------------------------- the JDK: jfr configure, Configuration.create

    @ParameterizedTest
    @MethodSource("jfcFiles")
    void jdkParsesIt(Path jfc) throws Exception {
        Configuration configuration = Configuration.create(jfc);
        Map<String, String> settings = configuration.getSettings();
        for (String event : EVENTS) {
            assertEquals(String.valueOf(!DETAILED_ONLY.contains(event)), settings.get(event + "#enabled"), event);
        }
        for (String event : PERIODIC) {
            assertEquals("5 s", settings.get(event + "#period"), event);
        }
    }

    @ParameterizedTest
    @MethodSource("jfcFiles")
    void jfrConfigureAcceptsDetailedLevelAndPeriod(Path jfc, @TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("detailed.jfc");
        Tools.Result run = jfr("configure", "--input", jfc.toString(), "connwatch-level=detailed",
                "connwatch-period=2s", "--output", out.toString());
        assertClean(run);
        Map<String, String> settings = Configuration.create(out).getSettings();
        for (String event : EVENTS) {
            assertEquals("true", settings.get(event + "#enabled"), event + " at detailed");
        }
        assertEquals("true", settings.get("io.connwatch.ConnectionOpened#enabled"));
        for (String event : PERIODIC) {
            assertEquals("2 s", settings.get(event + "#period"), event);
        }
    }

    @ParameterizedTest
    @MethodSource("jfcFiles")
    void jfrConfigureAcceptsOffAndNormal(Path jfc, @TempDir Path tmp) throws Exception {
        Path off = tmp.resolve("off.jfc");
        assertClean(jfr("configure", "--input", jfc.toString(), "connwatch-level=off", "--output", off.toString()));
        Map<String, String> offSettings = Configuration.create(off).getSettings();
        for (String event : EVENTS) {
            assertEquals("false", offSettings.get(event + "#enabled"), event + " at off");
        }

        Path normal = tmp.resolve("normal.jfc");
        assertClean(jfr("configure", "--input", jfc.toString(), "connwatch-level=normal", "--output",
                normal.toString()));
        Map<String, String> normalSettings = Configuration.create(normal).getSettings();
        for (String event : EVENTS) {
            assertEquals(String.valueOf(!DETAILED_ONLY.contains(event)), normalSettings.get(event + "#enabled"),
                    event + " at normal");
        }
    }

    @Test
    void jfrConfigureCombinesTheTemplatesOptionsWithTheJdksOptions(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("combined.jfc");
        assertClean(jfr("configure", "--input", TEMPLATE_JFC.toString(), "connwatch-level=detailed", "gc=high",
                "method-profiling=high", "--output", out.toString()));
        Map<String, String> settings = Configuration.create(out).getSettings();
        assertEquals("true", settings.get("io.connwatch.ConnectionClosed#enabled"));
        assertEquals("true", settings.get("jdk.PromotionFailed#enabled"), "gc=high");
        assertEquals("10 ms", settings.get("jdk.ExecutionSample#period"), "method-profiling=high");
    }

    @Test
    void jfrConfigureReportsAnUnknownOption(@TempDir Path tmp) throws Exception {
        // the check in assertClean is not vacuous: the same tool does say so for an option the file lacks
        Tools.Result run = jfr("configure", "--input", CONNWATCH_JFC.toString(), "connwatch-levle=detailed",
                "--output", tmp.resolve("x.jfc").toString());
        assertNotEquals(0, run.exitCode());
        assertTrue(run.output().contains("doesn't exist"), run.output());
    }

    // ---------------------------------------------------------------- JMC: the exported Flight Recording Pages

    @Test
    void pagesImportAsJmcDoesAndMatchTheRecordedEvents(@TempDir Path tmp) throws Exception {
        IItemCollection items = JfrLoaderToolkit.loadEvents(recordOneOfEach(tmp.resolve("one-of-each.jfr")).toFile());
        Map<String, IType<?>> recorded = new HashMap<>();
        for (IItemIterable iterable : items) {
            recorded.put(iterable.getType().getIdentifier(), iterable.getType());
        }
        assertTrue(recorded.keySet().containsAll(EVENTS), recorded.keySet().toString());

        // PagesImportWizard: StatefulState.create(StateToolkit.statefulFromXMLFile(file, UTF-8)), its children pages
        StatefulState persisted = StatefulState
                .create(StateToolkit.statefulFromXMLFile(PAGES.toFile(), StandardCharsets.UTF_8));
        StatefulState[] roots = persisted.getChildren();
        assertEquals(1, roots.length);
        List<StatefulState> pages = new ArrayList<>();
        collectPages(roots[0], pages);
        assertEquals(8, pages.size(), "connwatch and its 7 child pages");
        assertEquals(pages.size(), pages.stream().map(p -> p.getAttribute("id")).distinct().count(), "unique ids");

        Set<String> shown = new HashSet<>();
        for (StatefulState page : pages) {
            String id = page.getAttribute("id");
            assertEquals("page", page.getType());
            assertEquals(ITEM_HANDLER_FACTORY, page.getAttribute("factory"), id);
            StatefulState state = page.getChild("state");
            assertNotNull(state, id);
            assertNotNull(state.getAttribute("name"), id);

            IItemFilter filter = PersistableItemFilter.readFrom(state.getChild("pageFilter"));
            assertNotNull(filter, id);
            IItemCollection selected = items.apply(filter);
            assertTrue(selected.hasItems(), id + " shows nothing of a recording with every connwatch event");
            Map<String, IType<?>> types = new LinkedHashMap<>();
            for (IItemIterable iterable : selected) {
                types.put(iterable.getType().getIdentifier(), iterable.getType());
            }
            assertTrue(types.keySet().stream().allMatch(t -> t.startsWith("io.connwatch.")), id + " " + types);
            shown.addAll(types.keySet());

            // list columns: ItemList.getColumnId = attribute id ':' content type id, of attributes all types have
            Set<String> common = null;
            for (IType<?> type : types.values()) {
                Set<String> ids = new HashSet<>();
                for (IAttribute<?> a : type.getAttributes()) {
                    ids.add(a.getIdentifier() + ':' + a.getContentType().getIdentifier());
                }
                if (common == null) {
                    common = ids;
                } else {
                    common.retainAll(ids);
                }
            }
            IState list = state.getChild("listAndChart").getChild("listSettings");
            List<String> columns = Stream.of(list.getChildren("column")).map(c -> c.getAttribute("id"))
                    .collect(Collectors.toList());
            assertTrue(columns.size() >= 3, id);
            for (String column : columns) {
                assertTrue(common.contains(column), id + ": no column " + column + " in " + common);
            }
            assertEquals("startTime:timestamp", list.getAttribute("sortColumn"), id);

            // histogram: grouped by an attribute identifier common to the types, with key and count columns
            IState histogram = state.getChild("histogram");
            String groupBy = histogram.getAttribute("groupBy");
            assertTrue(common.stream().anyMatch(c -> c.startsWith(groupBy + ':')), id + " groupBy " + groupBy);
            List<String> histogramColumns = Stream.of(histogram.getChild("table").getChildren("column"))
                    .map(c -> c.getAttribute("id")).collect(Collectors.toList());
            assertEquals(List.of("itemhistogram.key", "itemhistogram.count"), histogramColumns, id);
        }
        assertEquals(new TreeSet<>(EVENTS), new TreeSet<>(shown), "every connwatch event has a page");

        StatefulState statistics = pages.stream()
                .filter(p -> "Connection Statistics".equals(p.getChild("state").getAttribute("name"))).findFirst()
                .orElseThrow();
        List<String> statisticsColumns = Stream
                .of(statistics.getChild("state").getChild("listAndChart").getChild("listSettings").getChildren("column"))
                .map(c -> c.getAttribute("id")).collect(Collectors.toList());
        assertEquals(List.of("startTime:timestamp", "monitor:text", "active:number"),
                statisticsColumns.subList(0, 3), "active connections over time");
        // The Chart tab opens on lines of active and peak connections: ItemChart draws lineChartAttributes that
        // AttributeComponentConfiguration finds line-chartable, the page's attributes with a linear content type.
        IState statisticsChart = statistics.getChild("state").getChild("listAndChart");
        assertEquals("1", statisticsChart.getAttribute("selectedSubTab"), "opens on the chart");
        List<String> lines = List.of(statisticsChart.getChild("chartSettings").getAttribute("lineChartAttributes")
                .split(","));
        assertEquals(List.of("active:number", "peak:number"), lines);
        Map<String, IAttribute<?>> statisticsAttributes = new HashMap<>();
        for (IAttribute<?> a : recorded.get("io.connwatch.ConnectionStatistics").getAttributes()) {
            statisticsAttributes.put(a.getIdentifier() + ':' + a.getContentType().getIdentifier(), a);
        }
        for (String line : lines) {
            assertTrue(statisticsAttributes.get(line).getContentType() instanceof LinearKindOfQuantity, line);
        }
        // Every count of every connwatch event is a linear quantity JMC charts, none a raw number it only lists.
        for (String event : EVENTS) {
            for (IAttribute<?> a : recorded.get(event).getAttributes()) {
                assertNotEquals(UnitLookup.RAW_NUMBER, a.getContentType(), event + "." + a.getIdentifier());
            }
        }

        // Every pattern's count the events carry, listed in the events' order, on the pages of the events.
        Set<String> patternKeys = Stream.of(Pattern.values()).map(Pattern::countName).collect(Collectors.toSet());
        for (Map.Entry<String, String> page : Map.of("Connection Statistics", "io.connwatch.ConnectionStatistics",
                "Accumulations", "io.connwatch.ConnectionAccumulation").entrySet()) {
            List<String> carried = recorded.get(page.getValue()).getAttributes().stream()
                    .map(IAttribute::getIdentifier).filter(patternKeys::contains).collect(Collectors.toList());
            assertEquals(new TreeSet<>(patternKeys), new TreeSet<>(carried), page.getValue() + " carries every count");
            List<String> listed = Stream.of(pages.stream()
                    .filter(p -> page.getKey().equals(p.getChild("state").getAttribute("name"))).findFirst()
                    .orElseThrow().getChild("state").getChild("listAndChart").getChild("listSettings")
                    .getChildren("column")).map(c -> c.getAttribute("id"))
                    .filter(c -> patternKeys.contains(c.substring(0, c.indexOf(':')))).collect(Collectors.toList());
            assertEquals(carried.stream().map(c -> c + ":number").collect(Collectors.toList()), listed,
                    page.getKey() + " lists the pattern counts");
        }
    }

    // ---------------------------------------------------------------- JMC: the exported trigger rules

    @Test
    void triggerRulesReadAsJmcsRuleImportReadsThem() throws Exception {
        Element root = XmlToolkit.loadDocumentFromFile(TRIGGERS.toFile()).getDocumentElement();
        assertEquals("triggers", root.getTagName()); // NotificationRegistry.importFromXML
        Element rules = XmlToolkit.getChildElementOrNull(root, "notification_rules");
        assertNotNull(rules);
        List<Element> ruleList = XmlToolkit.getChildElementsByTag(rules, "notification_rule");
        assertEquals(2, ruleList.size());

        ObjectName edge = JmxRegistration.objectName("edge");
        Map<String, String> actions = new TreeMap<>();
        for (Element rule : ruleList) {
            // TriggerRule.buildFromXml
            String name = required(rule, "rule_name");
            assertEquals("connwatch", required(rule, "rule_path"));
            required(rule, "description");
            // NotificationTrigger.initializeFromXml
            Element trigger = XmlToolkit.getChildElementOrNull(rule, "trigger");
            assertNotNull(trigger, name);
            int onWhat = Integer.parseInt(required(trigger, "trigger_on_what"));
            assertTrue(onWhat >= 1 && onWhat <= 3, name);
            assertTrue(Integer.parseInt(required(trigger, "trigger_limit_period")) >= 0, name);
            assertTrue(Integer.parseInt(required(trigger, "trigger_sustain_time")) >= 0, name);
            // MRI.createFromQualifiedName: <type>://<ObjectName>/<attribute>, exported with the canonical name
            String mri = required(trigger, "notification_attribute_name");
            assertTrue(mri.startsWith("attribute://"), mri);
            int slash = mri.indexOf('/', "attribute://".length());
            ObjectName bean = new ObjectName(mri.substring("attribute://".length(), slash));
            assertFalse(bean.isPattern(), "JMC's triggers read one MBean: " + bean);
            assertEquals(edge, bean);
            assertEquals(edge.getCanonicalName(), mri.substring("attribute://".length(), slash));
            String attribute = mri.substring(slash + 1);
            assertEquals("ActiveConnections", attribute);
            assertNotNull(ConnectionMonitorMXBean.class.getMethod("get" + attribute), "MXBean attribute");
            // ValueEvaluatorNumberMax.initializeEvaluatorFromXml
            Element evaluator = XmlToolkit.getChildElementOrNull(trigger, "value_evaluator");
            assertNotNull(evaluator, name);
            assertEquals("org.openjdk.jmc.rjmx.triggers.internal.ValueEvaluatorNumberMax",
                    evaluator.getAttribute("type"));
            String contentType = required(evaluator, "contenttype");
            assertTrue(UnitLookup.getContentType(contentType) instanceof KindOfQuantity, contentType);
            KindOfQuantity<?> kind = (KindOfQuantity<?>) UnitLookup.getContentType(contentType);
            assertEquals(UnitLookup.NUMBER_UNITY.quantity(500), kind.parsePersisted(required(evaluator, "maxvalue")));
            // TriggerRule: the action class, FieldHolder: <settings> with the fields the action declares
            Element action = XmlToolkit.getChildElementOrNull(rule, "notification_action");
            assertNotNull(action, name);
            String actionClass = required(action, "notification_action_class");
            Element settings = XmlToolkit.getChildElementOrNull(action, "settings");
            assertNotNull(settings, name);
            actions.put(actionClass, name);
            if (actionClass.endsWith(".TriggerActionStartContinuousRecording")) {
                assertEquals("connwatch", required(settings, "name"));
            } else if (actionClass.endsWith(".TriggerActionDumpRecording")) {
                assertTrue(required(settings, "dumpfilename").endsWith(".jfr"));
                assertFalse(new File(required(settings, "dumpfilename")).isAbsolute(), "no machine paths");
                assertEquals(UnitLookup.MINUTE.quantity(5),
                        UnitLookup.TIMESPAN.parseInteractive(required(settings, "timerange")));
                assertTrue(Set.of("true", "false").contains(required(settings, "open")));
            }
            assertNotNull(XmlToolkit.getChildElementOrNull(rule, "constraint"), name);
        }
        assertEquals(Set.of("org.openjdk.jmc.console.ui.notification.action.TriggerActionStartContinuousRecording",
                "org.openjdk.jmc.console.ui.notification.action.TriggerActionDumpRecording"), actions.keySet());
    }

    // ---------------------------------------------------------------- the committed files

    @Test
    void noMachinePathsInTheShippedFiles() throws IOException {
        try (Stream<Path> files = Files.list(BASE.resolve("jmc-templates"))) {
            for (Path file : files.collect(Collectors.toList())) {
                String text = Files.readString(file);
                for (String machine : List.of("/home/", "/usr/lib/jvm", "/tmp/", "/etc/java")) {
                    assertFalse(text.contains(machine), file + " contains " + machine);
                }
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static XMLModel model(Path jfc) throws Exception {
        try (Reader reader = Files.newBufferedReader(jfc, StandardCharsets.UTF_8)) {
            return XMLModel.create(new InputSource(reader), JFCXMLValidator.getValidator());
        }
    }

    private static String attribute(XMLTagInstance tag, String name) {
        for (XMLAttributeInstance a : tag.getAttributeInstances()) {
            if (a.getAttribute().getName().equals(name)) {
                return a.getValue();
            }
        }
        return null;
    }

    private static List<XMLTagInstance> children(XMLTagInstance tag, String name) {
        return tag.getTagsInstances().stream().filter(t -> t.getTag().getName().equals(name))
                .collect(Collectors.toList());
    }

    /** event#setting to the control it names. */
    private static Map<String, String> settingControls(XMLTagInstance root) {
        Map<String, String> result = new TreeMap<>();
        for (XMLTagInstance event : children(root, "event")) {
            for (XMLTagInstance setting : children(event, "setting")) {
                String control = attribute(setting, "control");
                if (control != null && !control.isEmpty()) {
                    result.put(attribute(event, "name") + "#" + attribute(setting, "name"), control);
                }
            }
        }
        return result;
    }

    private static final class Controls {
        final Map<String, Set<String>> selectionOptions = new TreeMap<>();
        final Map<String, String> selectionDefaults = new TreeMap<>();
        final Map<String, String> textContentTypes = new TreeMap<>();
        final Set<String> flags = new TreeSet<>();
        final Set<String> conditions = new TreeSet<>();
        final Set<String> testReferences = new TreeSet<>();
        final List<String> duplicates = new ArrayList<>();

        Set<String> all() {
            Set<String> all = new TreeSet<>(selectionOptions.keySet());
            all.addAll(textContentTypes.keySet());
            all.addAll(flags);
            all.addAll(conditions);
            return all;
        }
    }

    private static Controls controls(XMLTagInstance root) {
        Controls c = new Controls();
        Set<String> inputs = new HashSet<>();
        for (XMLTagInstance control : children(root, "control")) {
            for (XMLTagInstance input : control.getTagsInstances()) {
                String name = attribute(input, "name");
                switch (input.getTag().getName()) {
                case "selection":
                    c.selectionOptions.put(name, children(input, "option").stream().map(o -> attribute(o, "name"))
                            .collect(Collectors.toCollection(TreeSet::new)));
                    c.selectionDefaults.put(name, attribute(input, "default"));
                    break;
                case "text":
                    c.textContentTypes.put(name, attribute(input, "contentType"));
                    break;
                case "flag":
                    c.flags.add(name);
                    break;
                case "condition":
                    // default.jfc defines some conditions several times, one per value: that is how it is meant
                    c.conditions.add(name);
                    collectTests(input, c.testReferences);
                    continue;
                default:
                    continue;
                }
                if (!inputs.add(name)) {
                    c.duplicates.add(name);
                }
            }
        }
        for (String condition : c.conditions) {
            if (inputs.contains(condition)) {
                c.duplicates.add(condition);
            }
        }
        return c;
    }

    private static void collectTests(XMLTagInstance tag, Set<String> references) {
        for (XMLTagInstance child : tag.getTagsInstances()) {
            if (child.getTag().getName().equals("test")) {
                references.add(attribute(child, "name"));
            }
            collectTests(child, references);
        }
    }

    private static Map<String, String> connwatchSettings(Map<String, String> settings) {
        return settings.entrySet().stream().filter(e -> e.getKey().startsWith("io.connwatch."))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
    }

    private static void collectPages(StatefulState page, List<StatefulState> into) {
        into.add(page);
        for (StatefulState child : page.getChildren("page")) {
            collectPages(child, into);
        }
    }

    private static String required(Element parent, String tag) {
        Element e = XmlToolkit.getChildElementOrNull(parent, tag);
        assertNotNull(e, "<" + tag + "> in <" + parent.getTagName() + ">");
        String value = XmlToolkit.getStringValue(e);
        assertNotNull(value, "<" + tag + "> has a value");
        assertEquals(value.strip(), value, "<" + tag + "> without surrounding blanks: JMC reads the text as is");
        return value;
    }

    /**
     * One event of each connwatch type, in a recording without a destination (so no monitor of a concurrent test
     * takes its folder for dumps), written with {@link Recording#dump}.
     */
    private static Path recordOneOfEach(Path file) throws IOException {
        try (Recording recording = new Recording()) {
            for (Class<? extends jdk.jfr.Event> type : JfrIntegration.EVENTS) {
                recording.enable(type);
            }
            recording.start();
            ConnectionAccumulationEvent accumulation = new ConnectionAccumulationEvent();
            accumulation.monitor = "pages";
            accumulation.activeConnections = 501;
            accumulation.commit();
            ConnectionSpikeEvent spike = new ConnectionSpikeEvent();
            spike.monitor = "pages";
            spike.increase = 200;
            spike.commit();
            ConnectionCleanupEvent cleanup = new ConnectionCleanupEvent();
            cleanup.monitor = "pages";
            cleanup.reason = "stuck_no_response";
            cleanup.commit();
            DiagnosticCaptureEvent capture = new DiagnosticCaptureEvent();
            capture.monitor = "pages";
            capture.trigger = "accumulation";
            capture.commit();
            ConnectionStatisticsEvent statistics = new ConnectionStatisticsEvent();
            statistics.monitor = "pages";
            statistics.active = 501;
            statistics.commit();
            PatternTallyEvent tally = new PatternTallyEvent();
            tally.monitor = "pages";
            tally.pattern = "STUCK";
            tally.count = 12;
            tally.commit();
            ConnectionOpenedEvent opened = new ConnectionOpenedEvent();
            opened.monitor = "pages";
            opened.commit();
            ConnectionClosedEvent closed = new ConnectionClosedEvent();
            closed.monitor = "pages";
            closed.commit();
            recording.stop();
            recording.dump(file);
        }
        return file;
    }

    private static Tools.Result jfr(String... args) throws Exception {
        return Tools.jdk("jfr", TestTimes.atMost(60_000), args).assertFinished();
    }

    private static void assertClean(Tools.Result run) {
        assertEquals(0, run.exitCode(), run.output());
        assertFalse(run.output().contains("doesn't exist"), run.output());
        assertFalse(run.output().contains("Unknown"), run.output());
        assertFalse(run.output().contains("Incorrect value"), run.output());
        assertTrue(run.output().contains("Configuration written successfully"), run.output());
    }

    @BeforeAll
    static void filesArePresent() {
        for (Path p : List.of(CONNWATCH_JFC, TEMPLATE_JFC, PAGES, TRIGGERS)) {
            assertTrue(Files.isRegularFile(p), p + " (tests run from the project directory)");
        }
    }
}
