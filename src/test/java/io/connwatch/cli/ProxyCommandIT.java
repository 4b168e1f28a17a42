package io.connwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.connwatch.testing.TestFiles;
import io.connwatch.testing.TestKeyStores;
import io.connwatch.testing.TlsJmxClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar target/connwatch.jar proxy}, run the way a user runs it: HTTP through it, JMX on it, SIGTERM. */
class ProxyCommandIT {
    @TempDir
    Path tmp;

    @TempDir
    static Path keys;
    private static TestKeyStores stores;

    private Process process;
    private HttpServer backend;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    @BeforeAll
    static void makeKeys() throws Exception {
        stores = TestKeyStores.create(keys);
    }

    @AfterEach
    void tearDown() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
        if (backend != null) {
            backend.stop(0);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private String awaitLine(String regex) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<String> seen = new ArrayList<>();
        while (System.nanoTime() < end) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                seen.add(line);
                if (line.matches(regex)) {
                    return line;
                }
            }
        }
        throw new AssertionError("no line matching " + regex + " in " + seen);
    }

    /** Starts the command, its output lines read into {@link #lines}. */
    private void start(List<String> cmd) throws IOException {
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** SIGTERM as an init system sends it (Process.destroy would also close our end of its output), then exit 0. */
    private void stopWithSigterm() throws Exception {
        Process kill = new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        awaitLine("shutting down: .*");
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "stopped");
        assertEquals(0, process.exitValue());
    }

    @Test
    void relaysHttpAnswersOverJmxAndStopsCleanlyOnSigterm() throws Exception {
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        backend.createContext("/", exchange -> {
            byte[] body = "hello through connwatch".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.start();
        Path passwords = TestFiles.ownerOnly(tmp.resolve("jmx.password"), "operator secret\n");
        Path access = Files.writeString(tmp.resolve("jmx.access"), "operator readwrite\n");
        int jmxPort = freePort();
        List<String> cmd = List.of(java(), "-jar",
                System.getProperty("connwatch.jar"), "proxy", "--listen", "127.0.0.1:0",
                "--target", "127.0.0.1:" + backend.getAddress().getPort(), "--name", "it-proxy", "--interval", "500ms",
                "--dump-dir", tmp.resolve("dumps").toString(), "--jmx-port", String.valueOf(jmxPort),
                "--jmx-password-file", passwords.toString(), "--jmx-access-file", access.toString(),
                "--max-dumps", "7", "--max-dump-bytes", "64m", "--mask-addresses");
        start(cmd);

        Matcher m = java.util.regex.Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+),.*")
                .matcher(awaitLine("listening on .*"));
        assertTrue(m.matches());
        int port = Integer.parseInt(m.group(1));
        String jmxUrl = awaitLine("jmx: .*").substring("jmx: ".length());

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("hello through connwatch", response.body());
        }

        Map<String, Object> env = new HashMap<>();
        env.put(JMXConnector.CREDENTIALS, new String[] {"operator", "secret"});
        try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(jmxUrl), env)) {
            MBeanServerConnection conn = jmx.getMBeanServerConnection();
            ObjectName name = new ObjectName("io.connwatch:type=ConnectionMonitor,name=it-proxy");
            assertTrue((Long) conn.getAttribute(name, "TotalOpened") >= 1, "the proxy's connections were tracked");
            String dump = (String) conn.invoke(name, "forceCaptureNow", null, null);
            assertTrue(Files.isRegularFile(Path.of(dump)), dump);
            assertTrue(Path.of(dump).startsWith(tmp.resolve("dumps")));
            assertEquals(7, conn.getAttribute(name, "MaxDumpFiles"), "--max-dumps");
            assertEquals(64L << 20, conn.getAttribute(name, "MaxDumpBytes"), "--max-dump-bytes");
            assertEquals(true, conn.getAttribute(name, "MaskAddresses"), "--mask-addresses");
        }

        stopWithSigterm();
    }

    @Test
    void listeningOnEveryInterfaceTheJmxUrlNamesThisHostNotTheWildcard() throws Exception {
        Path passwords = TestFiles.ownerOnly(tmp.resolve("jmx.password"), "operator secret\n");
        start(List.of(java(), "-jar", System.getProperty("connwatch.jar"), "proxy", "--listen", "0.0.0.0:0",
                "--target", "127.0.0.1:9", "--name", "it-any", "--jmx-port", String.valueOf(freePort()),
                "--jmx-password-file", passwords.toString()));
        String url = awaitLine("jmx: .*").substring("jmx: ".length());
        // A client elsewhere told to connect to 0.0.0.0 reaches nothing: the stubs must name this host.
        assertFalse(url.contains("0.0.0.0"), url);
        String host = InetAddress.getLocalHost().getHostAddress();
        assertTrue(url.startsWith("service:jmx:rmi://" + host + ":"), url + " names " + host);
        Map<String, Object> env = new HashMap<>();
        env.put(JMXConnector.CREDENTIALS, new String[] {"operator", "secret"});
        try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(url), env)) {
            assertEquals("it-any", jmx.getMBeanServerConnection().getAttribute(
                    new ObjectName("io.connwatch:type=ConnectionMonitor,name=it-any"), "Name"));
        }
        stopWithSigterm();
    }

    @Test
    void servesJmxOverTlsOnlyWithAKeyStoreAndItsPasswordFile() throws Exception {
        Path passwords = TestFiles.ownerOnly(tmp.resolve("jmx.password"), "operator secret\n");
        Path access = Files.writeString(tmp.resolve("jmx.access"), "operator readonly\n");
        start(List.of(java(), "-jar", System.getProperty("connwatch.jar"), "proxy", "--listen", "127.0.0.1:0",
                "--target", "127.0.0.1:9", "--name", "it-tls", "--jmx-port", String.valueOf(freePort()),
                "--jmx-password-file", passwords.toString(), "--jmx-access-file", access.toString(),
                "--jmx-keystore", stores.keyStore.toString(),
                "--jmx-keystore-password-file", stores.passwordFile.toString()));
        JMXServiceURL url = tlsUrl(awaitLine("jmx: .*"));

        TlsJmxClient.Result read = TlsJmxClient.read(url, stores.trustStore, TestKeyStores.TRUST_PASSWORD, "operator",
                "secret", "io.connwatch:type=ConnectionMonitor,name=it-tls", "Name");
        assertEquals(0, read.exitCode(), read.output());
        assertTrue(read.output().endsWith("value=it-tls"), read.output());
        Map<String, Object> env = new HashMap<>();
        env.put(JMXConnector.CREDENTIALS, new String[] {"operator", "secret"});
        assertThrows(IOException.class, () -> JMXConnectorFactory.connect(url, env).close(), "a plain client is refused");
        stopWithSigterm();
    }

    @Test
    void servesJmxOverTlsWithTheKeyStoreOfTheJdkSystemProperties() throws Exception {
        start(List.of(java(), "-Djavax.net.ssl.keyStore=" + stores.keyStore,
                "-Djavax.net.ssl.keyStorePassword=" + TestKeyStores.PASSWORD, "-jar", System.getProperty("connwatch.jar"),
                "proxy", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:9", "--name", "it-tls-props",
                "--jmx-port", String.valueOf(freePort()), "--jmx-tls"));
        JMXServiceURL url = tlsUrl(awaitLine("jmx: .*"));

        TlsJmxClient.Result read = TlsJmxClient.read(url, stores.trustStore, TestKeyStores.TRUST_PASSWORD, "anyone",
                "none", "io.connwatch:type=ConnectionMonitor,name=it-tls-props", "Name");
        assertEquals(0, read.exitCode(), read.output());
        assertTrue(read.output().endsWith("value=it-tls-props"), read.output());
        stopWithSigterm();
    }

    /** The URL in the line {@code jmx: URL (TLS only)}. */
    private static JMXServiceURL tlsUrl(String line) throws IOException {
        Matcher m = java.util.regex.Pattern.compile("jmx: (service:jmx:rmi://127\\.0\\.0\\.1:\\d+/\\S+) \\(TLS only\\)")
                .matcher(line);
        assertTrue(m.matches(), line);
        return new JMXServiceURL(m.group(1));
    }

    @Test
    void badOptionsAreBadUsage() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                System.getProperty("connwatch.jar"), "proxy", "--listen", "127.0.0.1:0", "--target", "nowhere")
                .redirectErrorStream(false).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), err);
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains("'nowhere' is not HOST:PORT"), err);
    }
}
