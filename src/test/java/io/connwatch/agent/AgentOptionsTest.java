package io.connwatch.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.MonitorSettings;
import io.connwatch.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent's option string and config file: good ones make the settings they say, bad ones are refused with one
 * line that names the option, its value and why, and that says the application runs without connwatch.
 */
class AgentOptionsTest {
    private static final String FORMS = "like 500ms, 30s, 5m or 4h";
    private static final String WITHOUT = "; the application runs without connwatch";
    private static final String KEYS = "name, threshold, spike, interval, stuckAfter, halfZombieGrace, connectTimeout,"
            + " idleTimeout, dumpDir, cleanup, jmxPort, jmxPasswordFile, jmxAccessFile, metricsPort, maskAddresses,"
            + " nettyPackages, config";

    @TempDir
    Path tmp;
    private Path aFile;
    private Path secret;
    private Path worldReadable;
    private Path folder;

    @BeforeEach
    void setUp() throws IOException {
        aFile = Files.writeString(tmp.resolve("a-file"), "x");
        secret = TestFiles.ownerOnly(tmp.resolve("secret"), "operator secret\n");
        worldReadable = TestFiles.withMode(tmp.resolve("world-readable"), "operator secret\n", "rw-r--r--");
        folder = tmp.resolve("not-created");
    }

    /** The expected line (after "connwatch agent: ", before the ending), then the argument; {file}, {secret}, {644}, {tmp}, {missing}, {dir} filled in. */
    static Stream<Arguments> badOptions() {
        List<Arguments> l = new ArrayList<>();
        // the form of the string
        l.add(args("unknown option 'treshold': the options are " + KEYS, "treshold=5"));
        l.add(args("unknown option 'Name': the options are " + KEYS, "Name=edge"));
        l.add(args("option 'name' has no value: write name=VALUE", "name"));
        l.add(args("option 'name' has no value: write name=VALUE", "name="));
        l.add(args("option 'name=a=b' holds more than one '=': a value cannot hold '=' or ','; put it in a config=FILE",
                "name=a=b"));
        l.add(args("an empty option in 'name=edge,,cleanup=true': write key=value pairs separated by single commas",
                "name=edge,,cleanup=true"));
        l.add(args("an empty option in 'name=edge,': write key=value pairs separated by single commas", "name=edge,"));
        l.add(args("option 'name' is given twice: give it once", "name=a,name=b"));
        // names
        l.add(args("option 'name=" + "n".repeat(201) + "' is 201 characters long, at most 200 are allowed",
                "name=" + "n".repeat(201)));
        l.add(args("option 'name=a\\u001b[31mb' holds a control character (line break, tab...): a name must be printable",
                "name=a\u001b[31mb"));
        // counts
        l.add(args("option 'threshold=0' must be at least 1", "threshold=0"));
        l.add(args("option 'threshold=-3' must be at least 1", "threshold=-3"));
        l.add(args("option 'threshold=lots' is not a whole number", "threshold=lots"));
        l.add(args("option 'spike=0' must be at least 1", "spike=0"));
        l.add(args("option 'spike=1.5' is not a whole number", "spike=1.5"));
        // durations
        l.add(args("option 'interval=5x' is not a duration: write a whole number and a unit, " + FORMS, "interval=5x"));
        l.add(args("option 'interval=5' is not a duration: write a whole number and a unit, " + FORMS, "interval=5"));
        l.add(args("option 'interval=-5s' is negative: a duration is longer than 0, " + FORMS, "interval=-5s"));
        l.add(args("option 'interval=50ms' is too short: at least 100ms", "interval=50ms"));
        for (String d : List.of("stuckAfter", "halfZombieGrace", "connectTimeout", "idleTimeout")) {
            l.add(args("option '" + d + "=0ms' must be longer than 0, " + FORMS, d + "=0ms"));
            l.add(args("option '" + d + "=soon' is not a duration: write a whole number and a unit, " + FORMS,
                    d + "=soon"));
        }
        // booleans
        l.add(args("option 'cleanup=yes' is not true or false", "cleanup=yes"));
        l.add(args("option 'cleanup=TRUE' is not true or false", "cleanup=TRUE"));
        l.add(args("option 'maskAddresses=1' is not true or false", "maskAddresses=1"));
        // folders
        l.add(args("option 'dumpDir={file}' is a file, not a folder", "dumpDir={file}"));
        l.add(args("option 'dumpDir={dir}/../x' must not contain '..': name the folder itself", "dumpDir={dir}/../x"));
        l.add(args("option 'dumpDir={file}/dumps' cannot be created: {file} is a file", "dumpDir={file}/dumps"));
        // JMX
        l.add(args("option 'jmxPort=0' must be a port from 1 to 65535", "jmxPort=0"));
        l.add(args("option 'jmxPort=65536' must be a port from 1 to 65535", "jmxPort=65536"));
        l.add(args("option 'jmxPort=jmx' must be a port from 1 to 65535", "jmxPort=jmx"));
        l.add(args("option 'jmxPasswordFile={secret}' is only used with jmxPort", "jmxPasswordFile={secret}"));
        l.add(args("option 'jmxPasswordFile={missing}' does not exist", "jmxPort=9999,jmxPasswordFile={missing}"));
        l.add(args("option 'jmxPasswordFile={tmp}' is not a regular file", "jmxPort=9999,jmxPasswordFile={tmp}"));
        l.add(args("option 'jmxPasswordFile={644}' is open to its group or others (rw-r--r--): restrict it to its"
                + " owner with chmod 600 {644}", "jmxPort=9999,jmxPasswordFile={644}"));
        l.add(args("option 'jmxAccessFile={file}' needs jmxPasswordFile: roles need users",
                "jmxPort=9999,jmxAccessFile={file}"));
        l.add(args("option 'jmxAccessFile={missing}' does not exist",
                "jmxPort=9999,jmxPasswordFile={secret},jmxAccessFile={missing}"));
        // metrics, Netty packages
        l.add(args("option 'metricsPort=0' must be a port from 1 to 65535", "metricsPort=0"));
        l.add(args("option 'metricsPort=127.0.0.1:http' must be a port from 1 to 65535", "metricsPort=127.0.0.1:http"));
        l.add(args("option 'metricsPort=:9404' has no host before ':': write PORT or HOST:PORT", "metricsPort=:9404"));
        l.add(args("option 'nettyPackages=com.example..netty' holds 'com.example..netty', not a package name: write"
                + " package prefixes like com.example.shaded.netty, separated by ':'", "nettyPackages=com.example..netty"));
        l.add(args("option 'nettyPackages=a.b:' holds '', not a package name: write package prefixes like"
                + " com.example.shaded.netty, separated by ':'", "nettyPackages=a.b:"));
        // config files
        l.add(args("option 'config={missing}' does not exist", "config={missing}"));
        l.add(args("option 'config={tmp}' is not a regular file", "config={tmp}"));
        return l.stream();
    }

    private static Arguments args(String expected, String argument) {
        return Arguments.of(expected, argument);
    }

    private String fill(String s) {
        return s.replace("{file}", aFile.toString()).replace("{secret}", secret.toString())
                .replace("{644}", worldReadable.toString()).replace("{tmp}", tmp.toString())
                .replace("{missing}", tmp.resolve("missing.file").toString()).replace("{dir}", folder.toString());
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("badOptions")
    void aBadOptionIsRefusedWithOneLineNamingIt(String expected, String argument) {
        AgentOptions.Refused refused = assertThrows(AgentOptions.Refused.class,
                () -> AgentOptions.parse(fill(argument)));
        assertEquals("connwatch agent: " + fill(expected) + WITHOUT, refused.getMessage());
        assertEquals(1, refused.getMessage().lines().count());
        assertFalse(Files.exists(folder), "no folder created");
    }

    @Test
    void noArgumentMeansEveryDefaultAndReportOnly() throws Exception {
        for (String none : new String[] {null, "", "  "}) {
            AgentOptions o = AgentOptions.parse(none);
            assertEquals("agent", o.name);
            assertFalse(o.settings.cleanupEnabled(), "the agent closes nothing unless told to");
            MonitorSettings defaults = MonitorSettings.defaults();
            assertEquals(defaults.checkInterval(), o.settings.checkInterval());
            assertEquals(defaults.accumulationThreshold(), o.settings.accumulationThreshold());
            assertNull(o.jmxPort);
            assertNull(o.metricsPort);
            assertEquals(List.of(), o.nettyPackages);
        }
    }

    @Test
    void everyOptionReachesTheSettings() throws Exception {
        Path pw = secret;
        AgentOptions o = AgentOptions.parse("name=edge gateway, threshold=7,spike=3,interval=1s,stuckAfter=2m,"
                + "halfZombieGrace=45s,connectTimeout=500ms,idleTimeout=1h,dumpDir=" + folder + ",cleanup=true,"
                + "jmxPort=9999,jmxPasswordFile=" + pw + ",jmxAccessFile=" + aFile + ",metricsPort=9404,"
                + "maskAddresses=true,nettyPackages=com.example.shaded.netty:org.other.io.netty");
        assertEquals("edge gateway", o.name);
        assertEquals(7, o.settings.accumulationThreshold());
        assertEquals(3, o.settings.spikeThreshold());
        assertEquals(Duration.ofSeconds(1), o.settings.checkInterval());
        assertEquals(Duration.ofMinutes(2), o.settings.rules().stuckAfter());
        assertEquals(Duration.ofSeconds(45), o.settings.rules().halfZombieGrace());
        assertEquals(Duration.ofMillis(500), o.settings.rules().connectTimeout());
        assertEquals(Duration.ofHours(1), o.settings.rules().inactivityTimeout());
        assertEquals(folder, o.settings.outputDirectory());
        assertTrue(o.settings.cleanupEnabled());
        assertTrue(o.settings.maskAddresses());
        assertEquals(9999, o.jmxPort);
        assertEquals(pw, o.jmxPasswordFile);
        assertEquals(aFile, o.jmxAccessFile);
        assertEquals("127.0.0.1", o.metricsHost);
        assertEquals(9404, o.metricsPort);
        assertEquals(List.of("com.example.shaded.netty", "org.other.io.netty"), o.nettyPackages);
        assertFalse(Files.exists(folder), "the dump folder is created when first needed, not now");
    }

    @Test
    void metricsPortTakesAHost() throws Exception {
        AgentOptions o = AgentOptions.parse("metricsPort=0.0.0.0:9404");
        assertEquals("0.0.0.0", o.metricsHost);
        assertEquals(9404, o.metricsPort);
        AgentOptions v6 = AgentOptions.parse("metricsPort=[::1]:9404");
        assertEquals("::1", v6.metricsHost);
    }

    @Test
    void theConfigFileGivesTheSameKeysAndTheArgumentOverridesIt() throws Exception {
        Path config = Files.writeString(tmp.resolve("agent.properties"),
                "# connwatch agent\nname=from-file\nthreshold=9\ninterval=2s\ncleanup=true\n");
        AgentOptions fromFile = AgentOptions.parse("config=" + config);
        assertEquals("from-file", fromFile.name);
        assertEquals(9, fromFile.settings.accumulationThreshold());
        assertEquals(Duration.ofSeconds(2), fromFile.settings.checkInterval());
        assertTrue(fromFile.settings.cleanupEnabled());

        AgentOptions overridden = AgentOptions.parse("name=from-argument,config=" + config + ",cleanup=false");
        assertEquals("from-argument", overridden.name);
        assertFalse(overridden.settings.cleanupEnabled());
        assertEquals(9, overridden.settings.accumulationThreshold(), "what the argument does not give comes from the file");
    }

    @Test
    void aBadValueInTheConfigFileNamesTheFile() throws Exception {
        Path config = Files.writeString(tmp.resolve("agent.properties"), "interval=5x\n");
        AgentOptions.Refused refused = assertThrows(AgentOptions.Refused.class,
                () -> AgentOptions.parse("config=" + config));
        assertEquals("connwatch agent: option 'interval=5x' (in " + config + ") is not a duration: write a whole"
                + " number and a unit, " + FORMS + WITHOUT, refused.getMessage());
        // the argument's good value replaces the file's bad one
        assertEquals(Duration.ofSeconds(1), AgentOptions.parse("config=" + config + ",interval=1s").settings.checkInterval());
    }

    @Test
    void theConfigFileIsRefusedForUnknownKeysEmptyValuesAndNesting() throws Exception {
        Path unknown = Files.writeString(tmp.resolve("unknown.properties"), "treshold=5\n");
        assertEquals("connwatch agent: unknown option 'treshold' (in " + unknown + "): the options are " + KEYS + WITHOUT,
                assertThrows(AgentOptions.Refused.class, () -> AgentOptions.parse("config=" + unknown)).getMessage());
        Path empty = Files.writeString(tmp.resolve("empty.properties"), "name=\n");
        assertEquals("connwatch agent: option 'name' (in " + empty + ") has no value: write name=VALUE" + WITHOUT,
                assertThrows(AgentOptions.Refused.class, () -> AgentOptions.parse("config=" + empty)).getMessage());
        Path nested = Files.writeString(tmp.resolve("nested.properties"), "config=" + unknown + "\n");
        assertEquals("connwatch agent: option 'config' (in " + nested + ") cannot name another file: one config file"
                        + " only" + WITHOUT,
                assertThrows(AgentOptions.Refused.class, () -> AgentOptions.parse("config=" + nested)).getMessage());
    }
}
