package io.connwatch.jmc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.ChildJvms;
import io.connwatch.testing.TestTimes;
import io.connwatch.testing.Tools;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RunnableFuture;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmc.flightrecorder.rules.Severity;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * connwatch's rules as JDK Mission Control runs them, on real recordings: the demo's (every pattern), a healthy
 * proxy's under load, the same proxy's at {@code connwatch-level=off}, and a JVM's that never ran connwatch. JMC's headless {@code JfrRulesReport}
 * with {@code connwatch-jmc-rules.jar} on its class path; {@code connwatch analyze} with its relocated copy of JMC; and
 * the plugin jar as a bundle in Eclipse Equinox, its rules found the way JMC's desktop finds them.
 */
class JmcRulesIT {
    static final List<String> RULES = List.of("connwatch.Accumulation", "connwatch.Spike", "connwatch.StuckBackend",
            "connwatch.HalfZombie", "connwatch.FailedConnect", "connwatch.Leak", "connwatch.IdleLifetime",
            "connwatch.FailedCapture");
    private static final Path JFC = Path.of(System.getProperty("basedir", "."), "jfr-configs", "connwatch.jfc")
            .toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    @RegisterExtension
    static final ChildJvms JVMS = new ChildJvms();

    static Path demoOut;
    static Path demo;
    static Path healthy;
    static Path off;
    static Path foreign;
    private static HttpServer backend;
    private static ExecutorService backendThreads;

    @BeforeAll
    static void record() throws Exception {
        demoOut = Files.createDirectories(tmp.resolve("demo"));
        ChildJvm run = JVMS.start(ChildJvm.jar().args("demo", "--out", demoOut));
        assertEquals(0, run.awaitExit(TestTimes.atMost(120_000)), run.output());
        demo = demoOut.resolve("connwatch-demo.jfr");
        assertTrue(Files.isRegularFile(demo), run.output());
        recordAHealthyProxy();
        // A JVM that never ran connwatch, recorded with the JDK's settings.
        foreign = tmp.resolve("foreign.jfr");
        ChildJvm version = ChildJvm.jar().jvm("-XX:StartFlightRecording:settings=default,filename=" + foreign)
                .args("--version").run(TestTimes.atMost(60_000));
        assertEquals(0, version.exitCode(), version.report());
        assertTrue(Files.size(foreign) > 0);
    }

    @AfterAll
    static void stopBackend() {
        if (backend != null) {
            backend.stop(0);
            backendThreads.shutdownNow();
        }
    }

    /**
     * {@code connwatch proxy} in front of an HTTP backend that answers everything: a recording with connwatch's
     * settings while eight clients send 25 requests each (load, and nothing wrong), then one at
     * {@code connwatch-level=off}.
     */
    private static void recordAHealthyProxy() throws Exception {
        backendThreads = Executors.newFixedThreadPool(4);
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        backend.createContext("/", exchange -> {
            byte[] body = "fine".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.setExecutor(backendThreads);
        backend.start();
        ChildJvm proxy = JVMS.start(ChildJvm.jar().args("proxy", "--listen", "127.0.0.1:0", "--target",
                "127.0.0.1:" + backend.getAddress().getPort(), "--name", "healthy", "--interval", "500ms",
                "--dump-dir", tmp.resolve("healthy-dumps")).errorsInOutput());
        Matcher m = java.util.regex.Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+),.*")
                .matcher(proxy.awaitLine("listening on .*"));
        assertTrue(m.matches());
        int port = Integer.parseInt(m.group(1));
        healthy = tmp.resolve("healthy.jfr");
        off = tmp.resolve("off.jfr");
        jcmd(proxy, "JFR.start", "name=connwatch", "settings=default", "settings=" + JFC, "connwatch-period=1s",
                "filename=" + healthy);

        load(port, 8, 25);
        // Statistics come every second: dump until one counted the clients' connections, so the recording holds a
        // monitor's view of the load.
        Path check = tmp.resolve("check.jfr");
        await().atMost(TestTimes.atMost(20_000)).pollInterval(Duration.ofMillis(500)).until(() -> {
            jcmd(proxy, "JFR.dump", "name=connwatch", "filename=" + check);
            return RecordingFile.readAllEvents(check).stream()
                    .filter(e -> e.getEventType().getName().equals("io.connwatch.ConnectionStatistics"))
                    .mapToLong(e -> e.getLong("opened")).sum() >= 8;
        });
        jcmd(proxy, "JFR.stop", "name=connwatch");
        // JFR writes what any running recording enables into all of them: the second recording comes after.
        jcmd(proxy, "JFR.start", "name=off", "settings=default", "settings=" + JFC, "connwatch-level=off",
                "filename=" + off);
        load(port, 2, 10);
        jcmd(proxy, "JFR.stop", "name=off");
        proxy.sigterm();
        assertEquals(0, proxy.awaitExit(TestTimes.atMost(30_000)), proxy.output());
        assertTrue(Files.size(healthy) > 0 && Files.size(off) > 0);
        assertFalse(RecordingFile.readAllEvents(off).stream()
                .anyMatch(e -> e.getEventType().getName().startsWith("io.connwatch.")), "connwatch-level=off");
    }

    /** {@code clients} HTTP clients, each with its own connection, sending {@code requests} requests each. */
    private static void load(int port, int clientCount, int requests) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(clientCount);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < clientCount; c++) {
                done.add(clients.submit(() -> {
                    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(Duration.ofSeconds(5)).build();
                    int ok = 0;
                    for (int i = 0; i < requests; i++) {
                        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/" + i)).timeout(Duration.ofSeconds(10))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        ok += r.statusCode() == 200 && r.body().equals("fine") ? 1 : 0;
                    }
                    return ok;
                }));
            }
            for (Future<Integer> f : done) {
                assertEquals(requests, f.get());
            }
        } finally {
            clients.shutdownNow();
        }
    }

    private static String jcmd(ChildJvm jvm, String command, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of(Long.toString(jvm.pid()), command));
        args.addAll(Arrays.asList(options));
        Tools.Result r = Tools.jdk("jcmd", TestTimes.atMost(30_000), args.toArray(String[]::new)).assertFinished();
        assertEquals(0, r.exitCode(), r.command() + "\n" + r.output());
        for (String bad : List.of("doesn't exist", "Could not", "Exception", "not found")) {
            assertFalse(r.output().contains(bad), r.command() + "\n" + r.output());
        }
        return r.output();
    }

    // ---------------------------------------------------------------- JMC's headless report, the plugin jar

    @Test
    void jmcsHeadlessReportRunsThePluginJarsRulesOnEachRecording() throws Exception {
        Path rulesJar = Path.of(System.getProperty("connwatch.jmcRules"));
        // JMC's jars as Maven resolved them for the tests, the plugin jar, and this test's main: not connwatch's
        // classes, so the rules can only come from the plugin jar.
        List<String> classPath = new ArrayList<>(jmcJars());
        classPath.add(rulesJar.toString());
        classPath.add(Path.of(RulesReportMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString());
        ChildJvm report = ChildJvm.main(RulesReportMain.class, String.join(File.pathSeparator, classPath))
                .args(demo, healthy, off, foreign).run(TestTimes.atMost(180_000));
        assertEquals(0, report.exitCode(), report.report());

        Map<String, Map<String, Map<String, String>>> byFile = parseReport(report.output());
        Map<String, Map<String, String>> onDemo = byFile.get(demo.toString());
        Map<String, Map<String, String>> onHealthy = byFile.get(healthy.toString());
        Map<String, Map<String, String>> onOff = byFile.get(off.toString());
        Map<String, Map<String, String>> onForeign = byFile.get(foreign.toString());
        for (Map<String, Map<String, String>> rules : List.of(onDemo, onHealthy, onOff, onForeign)) {
            assertTrue(rules.keySet().containsAll(RULES), rules.keySet().toString());
            assertTrue(rules.keySet().stream().filter(id -> !id.startsWith("connwatch.")).count() > 10,
                    "JMC's own JDK rules ran beside connwatch's: " + rules.keySet());
        }

        // The demo provokes every pattern: warnings that name the monitor, the backends and the dumps.
        String warning = Severity.WARNING.getLocalizedName();
        for (String id : List.of("connwatch.Accumulation", "connwatch.StuckBackend", "connwatch.HalfZombie",
                "connwatch.FailedConnect", "connwatch.Leak")) {
            Map<String, String> r = onDemo.get(id);
            assertEquals(warning, r.get("severity"), id + ": " + r);
            assertTrue(Double.parseDouble(r.get("score")) >= 75, id + ": " + r);
            assertTrue(r.get("summary").contains("monitor demo"), id + ": " + r);
            assertFalse(r.get("explanation").isEmpty() || r.get("solution").isEmpty(), id + ": " + r);
        }
        assertTrue(List.of(warning, Severity.INFO.getLocalizedName()).contains(onDemo.get("connwatch.Spike")
                .get("severity")), onDemo.get("connwatch.Spike").toString());
        assertEquals(Severity.INFO.getLocalizedName(), onDemo.get("connwatch.IdleLifetime").get("severity"));
        assertEquals(Severity.OK.getLocalizedName(), onDemo.get("connwatch.FailedCapture").get("severity"));
        assertTrue(onDemo.get("connwatch.StuckBackend").get("summary")
                .matches(".*Backends: (localhost|127\\.0\\.0\\.1):\\d+ \\(\\d+\\)\\..*"),
                "the hanging backend named: " + onDemo.get("connwatch.StuckBackend"));
        assertTrue(onDemo.get("connwatch.FailedConnect").get("summary").contains("econnrefused 3"),
                "the demo's three refused connects: " + onDemo.get("connwatch.FailedConnect"));
        String accumulationDump;
        try (Stream<Path> files = Files.list(demoOut)) {
            accumulationDump = files.map(Path::toString).filter(f -> f.endsWith("_accumulation.json")).findFirst()
                    .orElseThrow();
        }
        assertTrue(onDemo.get("connwatch.Accumulation").get("explanation").contains(accumulationDump),
                "the episode's dump named: " + onDemo.get("connwatch.Accumulation"));
        assertTrue(onDemo.get("connwatch.StuckBackend").get("explanation").contains(demoOut.toString()),
                "the dumps that list the stuck connections: " + onDemo.get("connwatch.StuckBackend"));

        // A healthy proxy under load: connwatch recorded, and nothing went wrong.
        for (String id : RULES) {
            assertEquals(Severity.OK.getLocalizedName(), onHealthy.get(id).get("severity"), id + ": "
                    + onHealthy.get(id));
        }
        // connwatch's events switched off, or a JVM without connwatch: not applicable, and why.
        for (String id : RULES) {
            for (Map<String, String> r : List.of(onOff.get(id), onForeign.get(id))) {
                assertEquals(Severity.NA.getLocalizedName(), r.get("severity"), id + ": " + r);
                assertTrue(r.get("solution").contains("settings=connwatch.jfc"), id + ": " + r);
            }
            assertEquals("Not applicable: connwatch's events were disabled in this recording (connwatch-level=off).",
                    onOff.get(id).get("summary"));
            assertTrue(onForeign.get(id).get("summary").startsWith(
                    "Not applicable: connwatch's events were not recorded"), onForeign.get(id).toString());
        }
    }

    /** Maven's copies of JMC's core jars and their dependencies, from this test's own class path. */
    private static List<String> jmcJars() {
        List<String> jars = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> p.replace('\\', '/').matches(".*/(org/openjdk/jmc/(common|flightrecorder|flightrecorder"
                        + "\\.rules|flightrecorder\\.rules\\.jdk)|org/owasp/encoder/encoder|at/yawk/lz4/lz4-java)/.*"))
                .collect(Collectors.toList());
        assertEquals(6, jars.size(), jars.toString());
        return jars;
    }

    /** File to rule id to its values (severity, score, summary, explanation, solution), from the XML report. */
    private static Map<String, Map<String, Map<String, String>>> parseReport(String xml) throws Exception {
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.strip().getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        assertEquals("reportcollection", root.getTagName());
        Map<String, Map<String, Map<String, String>>> byFile = new HashMap<>();
        for (Element report : children(root, "report")) {
            Map<String, Map<String, String>> rules = new LinkedHashMap<>();
            for (Element rule : children(report, "rule")) {
                Map<String, String> values = new HashMap<>();
                for (String v : List.of("id", "name", "severity", "score", "summary", "explanation", "solution")) {
                    List<Element> e = children(rule, v);
                    values.put(v, e.isEmpty() ? "" : e.get(0).getTextContent());
                }
                rules.put(values.get("id"), values);
            }
            byFile.put(children(report, "file").get(0).getTextContent(), rules);
        }
        return byFile;
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> l = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element e && e.getTagName().equals(tag)) {
                l.add(e);
            }
        }
        return l;
    }

    // ---------------------------------------------------------------- analyze, with JMC relocated in the jar

    @Test
    void analyzeShowsJmcsAndConnwatchsResultsWorstFirstInEachFormat() throws Exception {
        ChildJvm json = ChildJvm.jar().args("analyze", demo, off, "--format", "json")
                .run(TestTimes.atMost(180_000));
        assertEquals(0, json.exitCode(), json.report());
        JsonNode inputs = JSON.readTree(json.output()).get("inputs");
        JsonNode onDemo = inputs.get(0).get("rules");
        JsonNode onOff = inputs.get(1).get("rules");
        assertTrue(inputs.get(0).get("rulesError").isNull(), inputs.get(0).get("rulesError").toString());
        Map<String, JsonNode> demoById = byId(onDemo);
        assertTrue(demoById.keySet().containsAll(RULES), demoById.keySet().toString());
        assertTrue(demoById.values().stream().filter(r -> r.get("source").asText().equals("jmc")).count() > 10,
                "JMC's JDK rules, found through the relocated services file: " + demoById.keySet());
        assertEquals("WARNING", demoById.get("connwatch.StuckBackend").get("severity").asText());
        assertEquals("connwatch", demoById.get("connwatch.StuckBackend").get("topic").asText());
        List<String> order = List.of("WARNING", "INFO", "OK", "NA");
        int previous = 0;
        for (JsonNode r : onDemo) {
            int rank = order.indexOf(r.get("severity").asText());
            assertTrue(rank >= previous, "worst first: " + r);
            previous = rank;
        }
        Map<String, JsonNode> offById = byId(onOff);
        assertTrue(offById.values().stream().filter(r -> r.get("source").asText().equals("jmc")
                && !r.get("severity").asText().equals("NA")).count() >= 3,
                "a recording without connwatch's events still gets JMC's results: " + offById.keySet());
        for (String id : RULES) {
            assertEquals("NA", offById.get(id).get("severity").asText(), id);
        }

        ChildJvm text = ChildJvm.jar().args("analyze", demo, off).run(TestTimes.atMost(180_000));
        assertEquals(0, text.exitCode(), text.report());
        String out = text.output();
        assertTrue(out.contains("automated analysis (JDK Mission Control's rules, worst first): "), out);
        assertTrue(out.matches("(?s).*  WARNING +\\d+ +connwatch +Backends That Hang: .*"), out);
        assertTrue(out.contains("what to do: "), out);
        assertTrue(out.contains("connwatch's rules not applicable: Not applicable: connwatch's events were"), out);

        ChildJvm html = ChildJvm.jar().args("analyze", demo, off, "--format", "html")
                .run(TestTimes.atMost(180_000));
        assertEquals(0, html.exitCode(), html.report());
        String page = html.output();
        assertTrue(page.contains("<tr class=\"sev-warning\" data-rule=\"connwatch.StuckBackend\">"), page);
        assertTrue(page.indexOf("Automated analysis: " + demo.getFileName()) < page.indexOf("<h2>Timeline</h2>"));
        assertTrue(java.util.regex.Pattern.compile("data-rule=\"(?!connwatch\\.)[A-Za-z]").matcher(page).find(),
                "JMC's rules in the page too");
    }

    private static Map<String, JsonNode> byId(JsonNode rules) {
        assertNotNull(rules);
        Map<String, JsonNode> m = new LinkedHashMap<>();
        rules.forEach(r -> m.put(r.get("id").asText(), r));
        return m;
    }

    // ---------------------------------------------------------------- the plugin in OSGi, as JMC's desktop loads it

    @Test
    void thePluginJarIsTheBundleJmcsDesktopLoadsRulesFrom() throws Exception {
        Path rulesJar = Path.of(System.getProperty("connwatch.jmcRules"));
        try (JarFile jar = new JarFile(rulesJar.toFile())) {
            Attributes a = jar.getManifest().getMainAttributes();
            assertEquals("2", a.getValue("Bundle-ManifestVersion"));
            // Equinox's extension registry reads plugin.xml only from singleton bundles.
            assertEquals("io.connwatch.jmc;singleton:=true", a.getValue("Bundle-SymbolicName"));
            assertTrue(a.getValue("Bundle-Version").matches("\\d+\\.\\d+\\.\\d+(\\.[A-Za-z0-9_-]+)?"),
                    a.getValue("Bundle-Version"));
            assertEquals(List.of("org.openjdk.jmc.common", "org.openjdk.jmc.flightrecorder",
                    "org.openjdk.jmc.flightrecorder.rules"), List.of(a.getValue("Require-Bundle").split(",")));
            assertEquals("JavaSE-17", a.getValue("Bundle-RequiredExecutionEnvironment"));
            List<String> classes = jar.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class"))
                    .collect(Collectors.toList());
            assertTrue(classes.stream().allMatch(n -> n.startsWith("io/connwatch/jmc/")), classes.toString());
            String services = new String(jar.getInputStream(jar.getEntry(
                    "META-INF/services/org.openjdk.jmc.flightrecorder.rules.IRule")).readAllBytes(),
                    StandardCharsets.UTF_8);
            assertEquals(RULES.size(), services.lines().filter(l -> l.startsWith("io.connwatch.jmc.")).count(),
                    services);
            assertTrue(contributesRules(jar.getInputStream(jar.getEntry("plugin.xml")).readAllBytes()));
        }

        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, tmp.resolve("osgi").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // lz4-java, which JMC's common bundle requires, imports sun.misc; JMC's Eclipse runtime exports it too.
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "sun.misc");
        Framework framework = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow()
                .newFramework(config);
        framework.start();
        try {
            BundleContext context = framework.getBundleContext();
            List<Bundle> installed = new ArrayList<>();
            for (String jar : jmcJars()) {
                installed.add(context.installBundle(Path.of(jar).toUri().toString()));
            }
            Bundle plugin = context.installBundle(rulesJar.toUri().toString());
            installed.add(plugin);
            assertTrue(framework.adapt(FrameworkWiring.class).resolveBundles(installed), installed.stream()
                    .map(b -> b.getSymbolicName() + " " + b.getState()).collect(Collectors.toList()).toString());
            for (Bundle b : installed) {
                b.start();
                assertEquals(Bundle.ACTIVE, b.getState(), b.getSymbolicName());
            }
            assertEquals("io.connwatch.jmc", plugin.getSymbolicName());

            // What JMC's ExtensionRuleProvider does for each bundle that contributes to the ruleProvider extension
            // point: the bundle's class loader, and ServiceLoader for JMC's IRule, as JMC's rules bundle sees it.
            Bundle rulesBundle = bundle(context, "org.openjdk.jmc.flightrecorder.rules");
            Class<?> iRule = rulesBundle.loadClass("org.openjdk.jmc.flightrecorder.rules.IRule");
            List<Object> rules = new ArrayList<>();
            for (Bundle b : context.getBundles()) {
                URL pluginXml = b.getEntry("plugin.xml");
                if (pluginXml == null) {
                    continue;
                }
                byte[] xml;
                try (var in = pluginXml.openStream()) {
                    xml = in.readAllBytes();
                }
                if (contributesRules(xml)) {
                    ServiceLoader.load(iRule, b.adapt(BundleWiring.class).getClassLoader()).forEach(rules::add);
                }
            }
            // JMC's JDK rules bundle contributes its rules the same way.
            Map<String, Object> byId = new LinkedHashMap<>();
            int jdkRules = 0;
            for (Object rule : rules) {
                String id = (String) iRule.getMethod("getId").invoke(rule);
                Bundle from = FrameworkUtil.getBundle(rule.getClass());
                if (id.startsWith("connwatch.")) {
                    assertEquals(plugin, from, rule.getClass().getName());
                    byId.put(id, rule);
                } else {
                    assertEquals("org.openjdk.jmc.flightrecorder.rules.jdk", from.getSymbolicName(), id);
                    jdkRules++;
                }
            }
            assertEquals(new TreeSet<>(RULES), new TreeSet<>(byId.keySet()));
            assertTrue(jdkRules > 10, "JMC's JDK rules found by the same bridge: " + jdkRules);

            // They run there: the demo's recording, loaded by JMC's flightrecorder bundle, evaluated by each rule.
            Bundle common = bundle(context, "org.openjdk.jmc.common");
            Class<?> items = common.loadClass("org.openjdk.jmc.common.item.IItemCollection");
            Class<?> preferences = common.loadClass("org.openjdk.jmc.common.util.IPreferenceValueProvider");
            Class<?> results = rulesBundle.loadClass("org.openjdk.jmc.flightrecorder.rules.IResultValueProvider");
            Class<?> iResult = rulesBundle.loadClass("org.openjdk.jmc.flightrecorder.rules.IResult");
            Object recording = bundle(context, "org.openjdk.jmc.flightrecorder")
                    .loadClass("org.openjdk.jmc.flightrecorder.JfrLoaderToolkit").getMethod("loadEvents", File.class)
                    .invoke(null, demo.toFile());
            Object defaults = preferences.getField("DEFAULT_VALUES").get(null);
            Map<String, String> severities = new TreeMap<>();
            for (Map.Entry<String, Object> rule : byId.entrySet()) {
                RunnableFuture<?> evaluation = (RunnableFuture<?>) iRule.getMethod("createEvaluation", items,
                        preferences, results).invoke(rule.getValue(), recording, defaults, null);
                evaluation.run();
                severities.put(rule.getKey(), iResult.getMethod("getSeverity").invoke(evaluation.get()).toString());
            }
            assertEquals("WARNING", severities.get("connwatch.StuckBackend"), severities.toString());
            assertEquals("WARNING", severities.get("connwatch.Accumulation"), severities.toString());
        } finally {
            framework.stop();
            framework.waitForStop(TestTimes.atMost(30_000).toMillis());
        }
    }

    private static Bundle bundle(BundleContext context, String symbolicName) {
        return Stream.of(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError("no bundle " + symbolicName));
    }

    /** Whether a plugin.xml contributes to JMC's ruleProvider extension point, as the extension registry reads it. */
    private static boolean contributesRules(byte[] pluginXml) throws Exception {
        Element plugin = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(pluginXml)).getDocumentElement();
        assertEquals("plugin", plugin.getTagName());
        for (Element extension : children(plugin, "extension")) {
            if ("org.openjdk.jmc.flightrecorder.rules.ruleProvider".equals(extension.getAttribute("point"))
                    && !children(extension, "ruleProvider").isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
