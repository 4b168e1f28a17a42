package io.connwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.ChildJvms;
import io.connwatch.testing.Sockets;
import io.connwatch.testing.TestTimes;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code target/connwatch.jar} is also an agent, and {@code -javaagent} appends it to someone else's class path:
 * nothing in it may carry a name outside {@code io.connwatch}, or it would meet the application's own copy of that
 * library.
 */
class ShadedJarIT {
    private static final String JAR = System.getProperty("connwatch.jar");
    private static final String LIBRARY = System.getProperty("connwatch.library") + ".jar";
    private static final String EPOLL_LIBRARY =
            "META-INF/native/libio_connwatch_shaded_netty_transport_native_epoll_x86_64.so";

    @RegisterExtension
    final ChildJvms jvms = new ChildJvms();

    @Test
    void everyClassIsConnwatchsOwnOrRelocatedUnderIt() throws IOException {
        try (JarFile jar = new JarFile(JAR)) {
            List<String> outside = jar.stream().map(JarEntry::getName).filter(n -> n.endsWith(".class"))
                    .filter(n -> !n.matches("(META-INF/versions/\\d+/)?io/connwatch/.*")).collect(Collectors.toList());
            assertEquals(0, outside.size(), outside.size() + " classes under their original names, such as "
                    + outside.subList(0, Math.min(10, outside.size())));
            for (String relocated : List.of("com/fasterxml/jackson/core/JsonFactory", "org/slf4j/LoggerFactory",
                    "org/slf4j/simple/SimpleServiceProvider", "picocli/CommandLine", "net/bytebuddy/ByteBuddy",
                    "io/netty/channel/epoll/Epoll", "io/micrometer/core/instrument/MeterRegistry",
                    "io/micrometer/prometheusmetrics/PrometheusMeterRegistry")) {
                assertNotNull(jar.getEntry("io/connwatch/shaded/" + relocated + ".class"), relocated);
            }
        }
    }

    /**
     * Shade rewrites every string constant that starts with a relocated package ("io.netty.channel.Channel" would
     * become "io.connwatch.shaded.io.netty.channel.Channel"): in connwatch's own classes no string may have changed,
     * or code that names the application's classes, or a property an operator sets, would silently miss. Build such a
     * name at run time, or exclude it from the relocation in pom.xml.
     */
    @Test
    void shadeRewroteNoneOfConnwatchsOwnStrings() throws IOException {
        try (JarFile shaded = new JarFile(JAR); JarFile library = new JarFile(LIBRARY)) {
            List<String> changed = new ArrayList<>();
            int classes = 0;
            for (JarEntry e : library.stream().filter(e -> e.getName().endsWith(".class")).toList()) {
                JarEntry same = shaded.getJarEntry(e.getName());
                assertNotNull(same, e.getName());
                Set<String> before = strings(library.getInputStream(e).readAllBytes());
                Set<String> after = strings(shaded.getInputStream(same).readAllBytes());
                for (String s : after) {
                    if (!before.contains(s)) {
                        changed.add(e.getName() + ": \"" + s + "\"");
                    }
                }
                classes++;
            }
            assertTrue(classes > 100, "compared " + classes + " classes");
            assertEquals(List.of(), changed);
        }
    }

    /** The string constants (CONSTANT_String) of a class file. */
    private static Set<String> strings(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        in.skipBytes(8); // magic, minor, major
        int count = in.readUnsignedShort();
        Map<Integer, String> utf8 = new HashMap<>();
        List<Integer> stringRefs = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8.put(i, in.readUTF());
                case 8 -> stringRefs.add(in.readUnsignedShort());
                case 7, 16, 19, 20 -> in.skipBytes(2);
                case 15 -> in.skipBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
                case 5, 6 -> {
                    in.skipBytes(8);
                    i++; // takes two entries
                }
                default -> throw new IOException("constant pool tag " + tag);
            }
        }
        Set<String> strings = new HashSet<>();
        for (int ref : stringRefs) {
            strings.add(utf8.get(ref));
        }
        return strings;
    }

    /** A service file names a provider the jar holds: SLF4J finds its relocated slf4j-simple this way. */
    @Test
    void everyServiceFileNamesClassesTheJarHolds() throws IOException {
        try (JarFile jar = new JarFile(JAR)) {
            List<String> missing = new ArrayList<>();
            for (JarEntry e : jar.stream().filter(e -> e.getName().startsWith("META-INF/services/") && !e.isDirectory())
                    .toList()) {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(jar.getInputStream(e),
                        StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        String provider = line.replaceAll("#.*", "").strip();
                        if (!provider.isEmpty() && jar.getEntry(provider.replace('.', '/') + ".class") == null) {
                            missing.add(e.getName() + ": " + provider);
                        }
                    }
                }
            }
            assertEquals(List.of(), missing);
            assertNotNull(jar.getEntry("META-INF/services/io.connwatch.shaded.org.slf4j.spi.SLF4JServiceProvider"));
            assertEquals(null, jar.getEntry("META-INF/services/org.slf4j.spi.SLF4JServiceProvider"),
                    "the application's SLF4J 2 would find our provider");
            // analyze finds connwatch's rules and JMC's JDK rules through JMC's relocated RuleRegistry; an
            // application's own JMC must not be offered ours.
            String rules = new String(jar.getInputStream(jar.getEntry(
                    "META-INF/services/io.connwatch.shaded.org.openjdk.jmc.flightrecorder.rules.IRule")).readAllBytes(),
                    StandardCharsets.UTF_8);
            assertTrue(rules.contains("io.connwatch.jmc.StuckBackendRule"), rules);
            assertTrue(rules.contains("io.connwatch.shaded.org.openjdk.jmc.flightrecorder.rules.jdk."), rules);
            assertEquals(null, jar.getEntry("META-INF/services/org.openjdk.jmc.flightrecorder.rules.IRule"));
        }
    }

    /**
     * Netty loads its native library under the name its relocated package gives, and the application's Netty must not
     * find ours under Netty's own name; Netty's metadata that names unrelocated classes is left out.
     */
    @Test
    void theNativeLibraryCarriesTheRelocatedPrefixAndNettyMetadataIsLeftOut() throws IOException {
        try (JarFile jar = new JarFile(JAR)) {
            List<String> natives = jar.stream().map(JarEntry::getName)
                    .filter(n -> n.startsWith("META-INF/native/") && !n.endsWith("/")).collect(Collectors.toList());
            assertEquals(List.of(EPOLL_LIBRARY), natives);
            assertTrue(jar.stream().noneMatch(e -> e.getName().startsWith("META-INF/native-image/")),
                    "GraalVM metadata naming io.netty classes");
            assertEquals(null, jar.getEntry("META-INF/io.netty.versions.properties"));
        }
    }

    @Test
    void theManifestStillMakesItAnExecutableAndAnAgent() throws IOException {
        try (JarFile jar = new JarFile(JAR)) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("io.connwatch.cli.Main", main.getValue("Main-Class"));
            assertEquals("io.connwatch.agent.ConnwatchAgent", main.getValue("Premain-Class"));
            assertEquals("io.connwatch.agent.ConnwatchAgent", main.getValue("Agent-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertEquals("ALL-UNNAMED", main.getValue("Enable-Native-Access"));
            assertEquals("true", main.getValue("Multi-Release"));
        }
    }

    /** slf4j-simple's own property names still set the executable's log level (shade leaves them as they are). */
    @Test
    void theUsualSlf4jSimplePropertySetsTheExecutablesLogLevel() throws Exception {
        ChildJvm proxy = jvms.start(proxy().property("org.slf4j.simpleLogger.defaultLogLevel", "info"));
        proxy.awaitLine("INFO ConnectionMonitor - \\[proxy] monitor started: .*"); // the default is warn
        proxy.awaitLine("listening on .*");
        proxy.sigterm();
        assertEquals(0, proxy.awaitExit(TestTimes.atMost(30_000)), proxy.report());
    }

    /** The bundled Netty reads its tuning properties under its relocated name, apart from an application's Netty. */
    @Test
    void theBundledNettyReadsItsPropertiesUnderTheRelocatedPrefix() throws Exception {
        ChildJvm proxy = jvms.start(proxy().property("io.connwatch.shaded.io.netty.transport.noNative", "true"));
        String listening = proxy.awaitLine("listening on .*");
        assertTrue(listening.endsWith("(nio)"), listening);
        proxy.sigterm();
        assertEquals(0, proxy.awaitExit(TestTimes.atMost(30_000)), proxy.report());
    }

    private static ChildJvm.Command proxy() throws IOException {
        return ChildJvm.jar().args("proxy", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:" + Sockets.freePort(),
                "--dump-dir", System.getProperty("java.io.tmpdir")).errorsInOutput();
    }
}
