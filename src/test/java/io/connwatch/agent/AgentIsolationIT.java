package io.connwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.TestTimes;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -javaagent:connwatch.jar} puts the whole jar on the application's class path. An application that brings its
 * own Jackson and SLF4J ({@link IsolatedAppMain}) keeps getting its own versions, working, while connwatch's monitor
 * runs beside it, writes its dumps with its own Jackson and logs through its own slf4j-simple to stderr.
 *
 * <p>Two class path shapes: the application's jars on the JVM's class path, where they come before the agent's jar;
 * and a Spring Boot fat jar's, where the application sits in a class loader that asks the JVM's class path first
 * ({@link ParentFirstLauncher}), so any library the agent bundled under its own name would shadow the application's.
 * Two sets of libraries (copied by the build into {@code connwatch.isolationLibs}): an old one (Jackson 2.13, SLF4J 1.7
 * with slf4j-simple) and the current one, which nothing on Maven Central is newer than, with another SLF4J provider
 * (slf4j-jdk14) chosen by {@code -Dslf4j.provider} as applications with several providers do.
 */
class AgentIsolationIT {
    private static final Path LIBS = Path.of(System.getProperty("connwatch.isolationLibs", "target/isolation-libs"));
    private static final String APP_LINE = "the application logs through its own binding";

    @TempDir
    Path tmp;

    /** What one set of libraries makes the application print and log. */
    private record Libraries(Path folder, String slf4jBinding, String appLogLine, List<String> jvmOptions) {
        String version(String artifact) throws IOException {
            Pattern name = Pattern.compile(Pattern.quote(artifact) + "-(\\d.*)\\.jar");
            for (Path jar : jars()) {
                Matcher m = name.matcher(jar.getFileName().toString());
                if (m.matches()) {
                    return m.group(1);
                }
            }
            throw new AssertionError("no " + artifact + " in " + folder);
        }

        List<Path> jars() throws IOException {
            try (Stream<Path> files = Files.list(folder)) {
                return files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
            }
        }
    }

    private static Libraries old() {
        return new Libraries(LIBS.resolve("old"), "org.slf4j.impl.SimpleLoggerFactory",
                "[main] INFO isolated.app - " + APP_LINE, List.of());
    }

    private static Libraries current() {
        return new Libraries(LIBS.resolve("current"), "org.slf4j.jul.JDK14LoggerFactory",
                "jul isolated.app: " + APP_LINE, List.of("-Dslf4j.provider=org.slf4j.jul.JULServiceProvider",
                        "-Djava.util.logging.SimpleFormatter.format=jul %3$s: %5$s%n"));
    }

    @Test
    void oldJacksonAndSlf4jOnTheClassPath() throws Exception {
        assertIsolated(old(), plain(old()));
    }

    @Test
    void oldJacksonAndSlf4jBehindAParentFirstLoader() throws Exception {
        assertIsolated(old(), parentFirst(old()));
    }

    @Test
    void currentJacksonAndAnotherSlf4jProviderOnTheClassPath() throws Exception {
        assertIsolated(current(), plain(current()));
    }

    @Test
    void currentJacksonAndAnotherSlf4jProviderBehindAParentFirstLoader() throws Exception {
        assertIsolated(current(), parentFirst(current()));
    }

    /** slf4j-simple's usual property names still set connwatch's level, here for its loggers alone. */
    @Test
    void theOperatorSetsConnwatchsLogLevelWithSlf4jSimplesProperties() throws Exception {
        ChildJvm child = plain(old()).jvm("-Dorg.slf4j.simpleLogger.log.io.connwatch=warn")
                .run(TestTimes.atMost(60_000));
        assertEquals(0, child.exitCode(), child.report());
        assertTrue(child.lines().contains("running=true"), child.report());
        assertTrue(child.errorLines().contains("connwatch agent: monitor 'iso' started: MBean"
                + " io.connwatch:type=ConnectionMonitor,name=iso, pooled connections under 'iso-upstream', report-only"),
                child.report());
        assertTrue(child.errorLines().contains(old().appLogLine()), "the application's INFO line stays"
                + child.report());
        assertTrue(child.errorLines().stream().noneMatch(l -> l.contains("io.connwatch.ConnectionMonitor")),
                "connwatch's INFO lines are off" + child.report());
    }

    private void assertIsolated(Libraries libs, ChildJvm.Command command) throws Exception {
        ChildJvm child = command.run(TestTimes.atMost(60_000));
        assertEquals(0, child.exitCode(), child.report());

        // the application got its own libraries, and they work
        List<String> out = child.lines();
        assertTrue(out.contains("jackson-databind=" + libs.version("jackson-databind")), child.report());
        assertTrue(out.contains("jackson-core=" + libs.version("jackson-core")), child.report());
        assertTrue(out.contains("json={\"app\":\"isolated\",\"n\":1}"), child.report());
        assertTrue(out.contains("slf4j-api=slf4j-api-" + libs.version("slf4j-api") + ".jar"), child.report());
        assertTrue(out.contains("slf4j-binding=" + libs.slf4jBinding()), child.report());
        List<String> err = child.errorLines();
        assertTrue(err.contains(libs.appLogLine()), "the application's line, through its binding" + child.report());
        List<String> slf4jReports = err.stream().filter(l -> l.startsWith("SLF4J")).collect(Collectors.toList());
        assertEquals(libs.jvmOptions().isEmpty() ? List.of() : List.of("SLF4J(I): Attempting to load provider"
                + " \"org.slf4j.jul.JULServiceProvider\" specified via \"slf4j.provider\" system property"),
                slf4jReports, "SLF4J reports only the application's own choice" + child.report());

        // connwatch runs beside it: its MBean, its dump written with its own Jackson, its log lines on stderr
        assertTrue(out.contains("registered=true") && out.contains("running=true"), child.report());
        assertTrue(err.contains("connwatch agent: monitor 'iso' started: MBean io.connwatch:type=ConnectionMonitor,"
                + "name=iso, pooled connections under 'iso-upstream', report-only"), child.report());
        assertTrue(err.stream().anyMatch(l -> l.matches("\\[main] INFO io\\.connwatch\\.ConnectionMonitor - \\[iso]"
                + " monitor started: check every .*")), "connwatch's own slf4j-simple line" + child.report());
        String capture = out.stream().filter(l -> l.startsWith("capture=")).findFirst()
                .orElseThrow(() -> new AssertionError("no capture" + child.report())).substring("capture=".length());
        Path dump = Path.of(capture);
        assertEquals(tmp.resolve("dumps"), dump.getParent(), child.report());
        JsonNode json = new ObjectMapper().readTree(dump.toFile());
        assertEquals("iso", json.path("monitor").path("name").asText(), json.toString());
        assertEquals("force_capture", json.path("trigger").asText(), json.toString());
        assertTrue(err.stream().anyMatch(l -> l.matches(".* INFO io\\.connwatch\\.ConnectionMonitor - \\[iso]"
                + " force_capture dump written: " + Pattern.quote(capture) + " .*")), child.report());
        assertFalse(err.stream().anyMatch(l -> l.contains("Exception")), child.report());
    }

    /** {@code java -javaagent:connwatch.jar=... -cp <app>:<its jars> IsolatedAppMain iso}. */
    private ChildJvm.Command plain(Libraries libs) throws IOException {
        StringBuilder classPath = new StringBuilder(copy(IsolatedAppMain.class, "app").toString());
        for (Path jar : libs.jars()) {
            classPath.append(File.pathSeparator).append(jar);
        }
        return withAgent(ChildJvm.main(IsolatedAppMain.class, classPath.toString()), libs).args("iso");
    }

    /** {@code java -javaagent:connwatch.jar=... -cp <launcher> ParentFirstLauncher <app> <jars> IsolatedAppMain iso}. */
    private ChildJvm.Command parentFirst(Libraries libs) throws IOException {
        Path launcher = copy(ParentFirstLauncher.class, "launcher");
        return withAgent(ChildJvm.main(ParentFirstLauncher.class, launcher.toString()), libs)
                .args(copy(IsolatedAppMain.class, "app"), libs.folder(), IsolatedAppMain.class.getName(), "iso");
    }

    private ChildJvm.Command withAgent(ChildJvm.Command command, Libraries libs) {
        assertTrue(Files.isDirectory(libs.folder()), "the build copies the libraries to " + libs.folder());
        String agent = "-javaagent:" + System.getProperty("connwatch.jar") + "=name=iso,dumpDir=" + tmp.resolve("dumps");
        return command.jvm(agent).jvm(libs.jvmOptions().toArray(new String[0]));
    }

    /**
     * A folder of its own holding just {@code type}'s class file: the child gets neither the test class path nor
     * connwatch's classes, which come from the agent jar alone.
     */
    private Path copy(Class<?> type, String folder) throws IOException {
        Path root = tmp.resolve(folder);
        String file = type.getName().replace('.', '/') + ".class";
        Path target = root.resolve(file);
        if (!Files.exists(target)) {
            Files.createDirectories(target.getParent());
            try (var in = type.getClassLoader().getResourceAsStream(file)) {
                Files.copy(in, target);
            }
        }
        return root;
    }
}
