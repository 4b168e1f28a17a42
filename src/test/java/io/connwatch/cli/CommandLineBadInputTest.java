package io.connwatch.cli;

import static io.connwatch.testing.Sockets.freePort;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.testing.TestFiles;
import io.connwatch.testing.TestKeyStores;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import javax.management.ObjectName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad command lines for {@code proxy}, {@code demo} and {@code analyze}, run in process: each exits 2 with exactly
 * one line on stderr naming the option and the value, prints nothing on stdout, and starts nothing: the port it was
 * given is still free, no MBean is registered, the folder it was given does not exist.
 */
class CommandLineBadInputTest {
    @TempDir
    Path tmp;
    @TempDir
    static Path keys;
    private static TestKeyStores stores;
    private static Path keyStorePassword;
    private static Path trustStorePassword;
    private static Path wrongPassword;

    private int port;
    private Path folder;
    private Path aFile;
    private Path ownerOnly;
    private Path worldReadable;
    private Path groupReadable;

    private static final String DURATION_FORMS = "like 500ms, 30s, 5m or 4h";

    @BeforeAll
    static void makeKeys() throws Exception {
        stores = TestKeyStores.create(keys);
        keyStorePassword = stores.passwordFile;
        trustStorePassword = TestFiles.ownerOnly(keys.resolve("trust.password"), TestKeyStores.TRUST_PASSWORD + "\n");
        wrongPassword = TestFiles.ownerOnly(keys.resolve("wrong.password"), "not-the-password\n");
    }

    @BeforeEach
    void setUp() throws IOException {
        port = freePort();
        folder = tmp.resolve("not-created");
        aFile = Files.writeString(tmp.resolve("a-file"), "x");
        ownerOnly = TestFiles.ownerOnly(tmp.resolve("owner-only"), "operator secret\n");
        worldReadable = TestFiles.withMode(tmp.resolve("world-readable"), "operator secret\n", "rw-r--r--");
        groupReadable = TestFiles.withMode(tmp.resolve("group-readable"), "operator secret\n", "rw-r-----");
    }

    /**
     * The expected line (after "connwatch: "), then the arguments; {port}, {dir}, {file}, {missing}, {tmp}, and the
     * password files {secret} (0600), {644} and {640}, and {keystore} with {kspw}, {truststore} with {tspw} (a key
     * store without a private key) and {wrongpw} filled in.
     */
    static Stream<Arguments> badCommandLines() {
        List<Arguments> l = new ArrayList<>();
        String plain = "--listen\t127.0.0.1:{port}\t--target\t127.0.0.1:9";
        String listen = plain + "\t--dump-dir\t{dir}";
        // HOST:PORT
        l.add(args("Invalid value for option '--listen': 'localhost' is not HOST:PORT",
                "proxy\t--listen\tlocalhost\t--target\t127.0.0.1:9"));
        l.add(args("Invalid value for option '--listen': ':80' is not HOST:PORT",
                "proxy\t--listen\t:80\t--target\t127.0.0.1:9"));
        l.add(args("Invalid value for option '--listen': '127.0.0.1:' is not HOST:PORT",
                "proxy\t--listen\t127.0.0.1:\t--target\t127.0.0.1:9"));
        l.add(args("Invalid value for option '--listen': '127.0.0.1:-1': the port must be 0..65535",
                "proxy\t--listen\t127.0.0.1:-1\t--target\t127.0.0.1:9"));
        l.add(args("Invalid value for option '--listen': '127.0.0.1:http': the port is not a number",
                "proxy\t--listen\t127.0.0.1:http\t--target\t127.0.0.1:9"));
        l.add(args("Invalid value for option '--listen': 'no-such-host.invalid:8443': unknown host 'no-such-host.invalid'",
                "proxy\t--listen\tno-such-host.invalid:8443\t--target\t127.0.0.1:9"));
        l.add(args("Invalid value for option '--target': '127.0.0.1:65536': the port must be 0..65535",
                "proxy\t--listen\t127.0.0.1:{port}\t--target\t127.0.0.1:65536"));
        l.add(args("Invalid value for option '--target': '127.0.0.1:0' has port 0: give the backend's port, 1 to 65535",
                "proxy\t--listen\t127.0.0.1:{port}\t--target\t127.0.0.1:0"));
        l.add(args("Invalid value for option '--target': 'edge\\n:80' is not HOST:PORT",
                "proxy\t--listen\t127.0.0.1:{port}\t--target\tedge\n:80"));
        // durations
        l.add(args("Invalid value for option '--interval': '0s' is too short: at least 100ms", "proxy\t" + listen + "\t--interval\t0s"));
        l.add(args("Invalid value for option '--interval': '50ms' is too short: at least 100ms", "proxy\t" + listen + "\t--interval\t50ms"));
        l.add(args("Invalid value for option '--interval': '-5s' is negative: a duration is longer than 0, " + DURATION_FORMS,
                "proxy\t" + listen + "\t--interval\t-5s"));
        l.add(args("Invalid value for option '--interval': 'soon' is not a duration: write a whole number and a unit, " + DURATION_FORMS,
                "proxy\t" + listen + "\t--interval\tsoon"));
        l.add(args("Invalid value for option '--interval': '5' is not a duration: write a whole number and a unit, " + DURATION_FORMS,
                "proxy\t" + listen + "\t--interval\t5"));
        l.add(args("Invalid value for option '--interval': '99999999999h' is not a duration: write a whole number and a unit, " + DURATION_FORMS,
                "proxy\t" + listen + "\t--interval\t99999999999h"));
        for (String d : List.of("--stuck-after", "--half-zombie-grace", "--connect-timeout", "--idle-timeout")) {
            l.add(args("Invalid value for option '" + d + "': '0ms' must be longer than 0, " + DURATION_FORMS,
                    "proxy\t" + listen + "\t" + d + "\t0ms"));
        }
        // thresholds and counts
        l.add(args("Invalid value for option '--threshold': '0' must be at least 1", "proxy\t" + listen + "\t--threshold\t0"));
        l.add(args("Invalid value for option '--threshold': '-3' must be at least 1", "proxy\t" + listen + "\t--threshold\t-3"));
        l.add(args("Invalid value for option '--threshold': 'lots' is not a long", "proxy\t" + listen + "\t--threshold\tlots"));
        l.add(args("Invalid value for option '--spike': '0' must be at least 1", "proxy\t" + listen + "\t--spike\t0"));
        l.add(args("Invalid value for option '--max-dumps': '0' must be at least 1", "proxy\t" + listen + "\t--max-dumps\t0"));
        l.add(args("Invalid value for option '--max-dumps': 'ten' is not an int", "proxy\t" + listen + "\t--max-dumps\tten"));
        l.add(args("Invalid value for option '--max-dump-bytes': '12k' is too small: at least 1m (1048576 bytes)",
                "proxy\t" + listen + "\t--max-dump-bytes\t12k"));
        l.add(args("Invalid value for option '--max-dump-bytes': '-1g' is not a size: write bytes, or a whole number with k, m, g or t, like 512m or 1g",
                "proxy\t" + listen + "\t--max-dump-bytes\t-1g"));
        l.add(args("Invalid value for option '--max-dump-bytes': '99999999t' is too large a size",
                "proxy\t" + listen + "\t--max-dump-bytes\t99999999t"));
        // names
        l.add(args("Invalid value for option '--name': '' is empty: a monitor needs a name", "proxy\t" + listen + "\t--name\t"));
        l.add(args("Invalid value for option '--name': 'edge\\nINFO fake log line' holds a control character (line break, tab...): a name must be printable",
                "proxy\t" + listen + "\t--name\tedge\nINFO fake log line"));
        l.add(args("Invalid value for option '--name': 'a\\u001b[31mb' holds a control character (line break, tab...): a name must be printable",
                "proxy\t" + listen + "\t--name\ta\u001b[31mb"));
        l.add(args("Invalid value for option '--name': '" + "n".repeat(201) + "' is 201 characters long, at most 200 are allowed",
                "proxy\t" + listen + "\t--name\t" + "n".repeat(201)));
        // folders
        l.add(args("Invalid value for option '--dump-dir': '{dir}/../elsewhere' must not contain '..': name the folder itself",
                "proxy\t" + plain + "\t--dump-dir\t{dir}/../elsewhere"));
        l.add(args("Invalid value for option '--dump-dir': '{file}' is a file, not a folder", "proxy\t" + plain + "\t--dump-dir\t{file}"));
        l.add(args("Invalid value for option '--dump-dir': '{file}/dumps' cannot be created: {file} is a file",
                "proxy\t" + plain + "\t--dump-dir\t{file}/dumps"));
        // JMX
        l.add(args("Invalid value for option '--jmx-port': '0' must be a port from 1 to 65535", "proxy\t" + listen + "\t--jmx-port\t0"));
        l.add(args("Invalid value for option '--jmx-port': '65536' must be a port from 1 to 65535", "proxy\t" + listen + "\t--jmx-port\t65536"));
        l.add(args("Invalid value for option '--jmx-port': 'jmx' is not an int", "proxy\t" + listen + "\t--jmx-port\tjmx"));
        l.add(args("Invalid value for option '--jmx-password-file': '{missing}' does not exist",
                "proxy\t" + listen + "\t--jmx-port\t{port}\t--jmx-password-file\t{missing}"));
        l.add(args("Invalid value for option '--jmx-password-file': '{tmp}' is not a regular file",
                "proxy\t" + listen + "\t--jmx-port\t{port}\t--jmx-password-file\t{tmp}"));
        l.add(args("Invalid value for option '--jmx-password-file': '{file}' is only used with --jmx-port",
                "proxy\t" + listen + "\t--jmx-password-file\t{file}"));
        l.add(args("Invalid value for option '--jmx-access-file': '{file}' needs --jmx-password-file: roles need users",
                "proxy\t" + listen + "\t--jmx-port\t{port}\t--jmx-access-file\t{file}"));
        l.add(args("Invalid value for option '--jmx-access-file': '{missing}' does not exist",
                "proxy\t" + listen + "\t--jmx-port\t{port}\t--jmx-password-file\t{secret}\t--jmx-access-file\t{missing}"));
        l.add(args("Invalid value for option '--jmx-password-file': '{644}' is open to its group or others (rw-r--r--):"
                + " restrict it to its owner with chmod 600 {644}",
                "proxy\t" + listen + "\t--jmx-port\t{port}\t--jmx-password-file\t{644}\t--jmx-access-file\t{file}"));
        l.add(args("Invalid value for option '--jmx-password-file': '{640}' is open to its group or others (rw-r-----):"
                + " restrict it to its owner with chmod 600 {640}",
                "proxy\t" + listen + "\t--jmx-port\t{port}\t--jmx-password-file\t{640}"));
        // JMX over TLS
        String jmx = "proxy\t" + listen + "\t--jmx-port\t{port}";
        l.add(args("Invalid value for option '--jmx-tls': is only used with --jmx-port", "proxy\t" + listen + "\t--jmx-tls"));
        l.add(args("Invalid value for option '--jmx-tls': no key store: give --jmx-keystore FILE and"
                + " --jmx-keystore-password-file FILE, or run java with -Djavax.net.ssl.keyStore=FILE and"
                + " -Djavax.net.ssl.keyStorePassword=PASSWORD", jmx + "\t--jmx-tls"));
        l.add(args("Invalid value for option '--jmx-keystore': '{keystore}' is only used with --jmx-port",
                "proxy\t" + listen + "\t--jmx-keystore\t{keystore}\t--jmx-keystore-password-file\t{kspw}"));
        l.add(args("Invalid value for option '--jmx-keystore': '{missing}' does not exist",
                jmx + "\t--jmx-keystore\t{missing}\t--jmx-keystore-password-file\t{kspw}"));
        l.add(args("Invalid value for option '--jmx-keystore': '{keystore}' needs --jmx-keystore-password-file: a file"
                + " whose first line is the key store's password, open to its owner only", jmx + "\t--jmx-keystore\t{keystore}"));
        l.add(args("Invalid value for option '--jmx-keystore-password-file': '{kspw}' is only used with --jmx-keystore",
                jmx + "\t--jmx-tls\t--jmx-keystore-password-file\t{kspw}"));
        l.add(args("Invalid value for option '--jmx-keystore-password-file': '{644}' is open to its group or others"
                + " (rw-r--r--): restrict it to its owner with chmod 600 {644}",
                jmx + "\t--jmx-keystore\t{keystore}\t--jmx-keystore-password-file\t{644}"));
        l.add(args("Invalid value for option '--jmx-keystore': key store {keystore} cannot be opened with the password"
                + " in {wrongpw}: wrong password", jmx + "\t--jmx-keystore\t{keystore}\t--jmx-keystore-password-file\t{wrongpw}"));
        l.add(args("Invalid value for option '--jmx-keystore': key store {truststore} holds no private key, only"
                + " certificates: make a key pair in it with keytool -genkeypair",
                jmx + "\t--jmx-tls\t--jmx-keystore\t{truststore}\t--jmx-keystore-password-file\t{tspw}"));
        l.add(args("Invalid value for option '--jmx-keystore': key store {file} is not a key store (PKCS12 or JKS)",
                jmx + "\t--jmx-keystore\t{file}\t--jmx-keystore-password-file\t{kspw}"));
        // Prometheus metrics
        l.add(args("Invalid value for option '--metrics-port': '0' must be a port from 1 to 65535",
                "proxy\t" + listen + "\t--metrics-port\t0"));
        l.add(args("Invalid value for option '--metrics-port': '65536' must be a port from 1 to 65535",
                "proxy\t" + listen + "\t--metrics-port\t65536"));
        l.add(args("Invalid value for option '--metrics-port': '127.0.0.1:0' must be a port from 1 to 65535",
                "proxy\t" + listen + "\t--metrics-port\t127.0.0.1:0"));
        l.add(args("Invalid value for option '--metrics-port': 'prometheus' is not PORT or HOST:PORT",
                "proxy\t" + listen + "\t--metrics-port\tprometheus"));
        l.add(args("Invalid value for option '--metrics-port': '127.0.0.1:http': the port is not a number",
                "proxy\t" + listen + "\t--metrics-port\t127.0.0.1:http"));
        l.add(args("Invalid value for option '--metrics-port': 'no-such-host.invalid:9404': unknown host"
                + " 'no-such-host.invalid'", "proxy\t" + listen + "\t--metrics-port\tno-such-host.invalid:9404"));
        // unknown, missing, repeated
        l.add(args("Unknown options: '--treshold', '5'", "proxy\t" + listen + "\t--treshold\t5"));
        l.add(args("Missing required option: '--target=HOST:PORT'", "proxy\t--listen\t127.0.0.1:{port}"));
        l.add(args("Missing required option: '--listen=HOST:PORT'", "proxy\t--target\t127.0.0.1:9"));
        l.add(args("Missing required parameter for option '--name' (NAME)", "proxy\t" + listen + "\t--name"));
        l.add(args("option '--listen' (HOST:PORT) should be specified only once", "proxy\t" + listen + "\t--listen\t127.0.0.1:1"));
        l.add(args("Unknown option: '--jmx'", "proxy\t" + listen + "\t--jmx"));
        // demo
        l.add(args("Invalid value for option '--duration': '0s' is too short: the demo needs at least 15s to show every pattern",
                "demo\t--out\t{dir}\t--duration\t0s"));
        l.add(args("Invalid value for option '--duration': '-1s' is negative: a duration is longer than 0, " + DURATION_FORMS,
                "demo\t--out\t{dir}\t--duration\t-1s"));
        l.add(args("Invalid value for option '--duration': '1 minute' is not a duration: write a whole number and a unit, " + DURATION_FORMS,
                "demo\t--out\t{dir}\t--duration\t1 minute"));
        l.add(args("Invalid value for option '--out': '{file}' is a file, not a folder", "demo\t--out\t{file}"));
        l.add(args("Invalid value for option '--out': '{dir}/../x' must not contain '..': name the folder itself",
                "demo\t--out\t{dir}/../x"));
        l.add(args("Unknown option: '--fast'", "demo\t--out\t{dir}\t--fast"));
        l.add(args("Unmatched argument at index 1: 'extra'", "demo\textra"));
        // analyze
        l.add(args("Missing required parameter: 'PATH'", "analyze"));
        l.add(args("Missing required parameter: 'PATH'", "analyze\t--format\tjson"));
        l.add(args("Unknown option: '--fromat'", "analyze\t--fromat\tjson\t{file}"));
        l.add(args("--format pdf is not one of text, json, html", "analyze\t--format\tpdf\t{missing}"));
        l.add(args("Missing required parameter for option '--output' (FILE)", "analyze\t{missing}\t--output"));
        l.add(args("Unknown option: '--verbose'", "--verbose"));
        l.add(args("Unmatched argument at index 0: 'proxi'", "proxi"));
        return l.stream();
    }

    private static Arguments args(String expected, String tabbed) {
        return Arguments.of(expected, tabbed);
    }

    private String fill(String s) {
        return s.replace("{port}", String.valueOf(port)).replace("{dir}", folder.toString())
                .replace("{file}", aFile.toString()).replace("{tmp}", tmp.toString()).replace("{missing}", tmp.resolve("missing.file").toString())
                .replace("{secret}", ownerOnly.toString()).replace("{644}", worldReadable.toString())
                .replace("{640}", groupReadable.toString()).replace("{keystore}", stores.keyStore.toString())
                .replace("{kspw}", keyStorePassword.toString()).replace("{truststore}", stores.trustStore.toString())
                .replace("{tspw}", trustStorePassword.toString()).replace("{wrongpw}", wrongPassword.toString());
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("badCommandLines")
    @Timeout(value = 30, unit = TimeUnit.SECONDS) // a check that let a bad line through would run the proxy forever
    void aBadCommandLineIsOneLineExitTwoAndStartsNothing(String expected, String tabbed) throws Exception {
        String[] args = Stream.of(tabbed.split("\t", -1)).map(this::fill).toArray(String[]::new);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));

        assertEquals(2, code, err.toString());
        assertEquals(List.of("connwatch: " + fill(expected)), err.toString().lines().toList());
        assertEquals("", out.toString(), "nothing on stdout");
        assertFalse(Files.exists(folder), "no folder created");
        assertDoesNotThrow(() -> new ServerSocket(port, 1, InetAddress.getLoopbackAddress()).close(),
                "no listening socket left on the port");
        Set<ObjectName> beans = ManagementFactory.getPlatformMBeanServer()
                .queryNames(new ObjectName("io.connwatch:type=ConnectionMonitor,*"), null);
        assertEquals(Set.of(), beans, "no monitor registered");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aPortInUseIsOneLineExitOneAndLeavesNothingBehind() throws Exception {
        Refused refused = runWithPortTaken(busy -> new String[] {"proxy", "--listen", "127.0.0.1:" + busy,
            "--target", "127.0.0.1:9", "--dump-dir", folder.toString(), "--name", "busy"});
        assertTrue(refused.line().startsWith("connwatch: cannot listen on 127.0.0.1:" + refused.busy() + ": "),
                refused.line());
        assertTrue(refused.line().contains("in use"), refused.line());
        assertEquals("", refused.out());
        assertFalse(Files.exists(folder), "no folder created");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aMetricsPortInUseIsOneLineExitOneAndLeavesNothingBehind() throws Exception {
        Refused refused = runWithPortTaken(busy -> new String[] {"proxy", "--listen", "127.0.0.1:" + port,
            "--target", "127.0.0.1:9", "--dump-dir", folder.toString(), "--name", "busy-metrics",
            "--metrics-port", String.valueOf(busy)});
        assertTrue(refused.line().startsWith("connwatch: cannot serve metrics on 127.0.0.1:" + refused.busy() + ": "),
                refused.line());
        assertDoesNotThrow(() -> new ServerSocket(port, 1, InetAddress.getLoopbackAddress()).close(),
                "the proxy's port is free again");
    }

    /** What a command line refused for a port in use printed: its one line on stderr, and stdout. */
    private record Refused(int busy, String line, String out) {
    }

    /**
     * Runs the command line made for a port another socket holds, and asserts what every such refusal must do: exit
     * 1 with one line, and leave no monitor registered and no thread running.
     */
    private static Refused runWithPortTaken(IntFunction<String[]> commandLine) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int busy = taken.getLocalPort();
            Set<Thread> before = liveThreads();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(commandLine.apply(busy), new PrintWriter(out, true), new PrintWriter(err, true));
            assertEquals(1, code, err.toString());
            List<String> lines = err.toString().lines().toList();
            assertEquals(1, lines.size(), err.toString());
            assertEquals(Set.of(), ManagementFactory.getPlatformMBeanServer()
                    .queryNames(new ObjectName("io.connwatch:type=ConnectionMonitor,*"), null), "no monitor registered");
            // An event loop's termination is announced a moment before its thread ends: wait for the end, bounded.
            await().pollInSameThread().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Set<Thread> left = liveThreads();
                left.removeAll(before);
                assertEquals(Set.of(), left, "no event loop or other thread left running");
            });
            return new Refused(busy, lines.get(0), out.toString());
        }
    }

    private static Set<Thread> liveThreads() {
        Set<Thread> s = new java.util.HashSet<>(Thread.getAllStackTraces().keySet());
        // Threads that would keep the JVM from exiting; Netty's shared globalEventExecutor quits by itself when idle.
        s.removeIf(t -> !t.isAlive() || t.isDaemon() || t.getName().startsWith("globalEventExecutor"));
        return s;
    }

    @Test
    void sizesReadAsOperatorsWriteThem() {
        assertEquals(1048576L, SizeConverter.parse("1048576"));
        assertEquals(512L << 20, SizeConverter.parse("512m"));
        assertEquals(1L << 30, SizeConverter.parse("1g"));
        assertEquals(1L << 30, SizeConverter.parse("1G"));
        assertEquals(64L << 10, SizeConverter.parse("64KiB"));
        assertEquals(2L << 40, SizeConverter.parse("2tb"));
        assertEquals(100L, SizeConverter.parse("100b"));
    }

    @Test
    void specialCharactersTheObjectNameQuotesAreAValidName() {
        new OptionChecksProbe().accepts("edge,zone=eu:1 \"main\" *?");
        new OptionChecksProbe().accepts("n".repeat(200));
        new OptionChecksProbe().accepts("é-边缘");
    }

    /** The name check alone, without running a command. */
    private static final class OptionChecksProbe {
        void accepts(String name) {
            picocli.CommandLine cl = new picocli.CommandLine(new ProxyCommand());
            assertDoesNotThrow(() -> new OptionChecks(cl.getCommandSpec()).name("--name", name));
        }
    }
}
