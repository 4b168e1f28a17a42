package io.connwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.ChildJvms;
import io.connwatch.testing.Sockets;
import io.connwatch.testing.TestFiles;
import io.connwatch.testing.TestKeyStores;
import io.connwatch.testing.TestTimes;
import io.connwatch.testing.TlsJmxClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar target/connwatch.jar proxy}, run the way a user runs it: HTTP through it, JMX on it, SIGTERM. */
class ProxyCommandIT {
    @TempDir
    Path tmp;

    @TempDir
    static Path keys;
    private static TestKeyStores stores;

    @RegisterExtension
    final ChildJvms jvms = new ChildJvms();
    private ChildJvm proxy;
    private HttpServer backend;

    @BeforeAll
    static void makeKeys() throws Exception {
        stores = TestKeyStores.create(keys);
    }

    @AfterEach
    void stopBackend() {
        if (backend != null) {
            backend.stop(0);
        }
    }

    /** Starts {@code command}, its error output read with its output. */
    private void start(ChildJvm.Command command) throws IOException {
        proxy = jvms.start(command.errorsInOutput());
    }

    /** {@code java -jar connwatch.jar proxy OPTIONS}. */
    private static ChildJvm.Command proxyCommand(Object... options) {
        return ChildJvm.jar().args("proxy").args(options);
    }

    /** SIGTERM as an init system sends it, then exit 0. */
    private void stopWithSigterm() throws Exception {
        proxy.sigterm();
        proxy.awaitLine("shutting down: .*");
        assertEquals(0, proxy.awaitExit(TestTimes.atMost(30_000)));
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
        int jmxPort = Sockets.freePort();
        start(proxyCommand("--listen", "127.0.0.1:0", "--target", "127.0.0.1:" + backend.getAddress().getPort(),
                "--name", "it-proxy", "--interval", "500ms", "--dump-dir", tmp.resolve("dumps"),
                "--jmx-port", jmxPort, "--jmx-password-file", passwords, "--jmx-access-file", access,
                "--max-dumps", "7", "--max-dump-bytes", "64m", "--mask-addresses"));

        Matcher m = java.util.regex.Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+),.*")
                .matcher(proxy.awaitLine("listening on .*"));
        assertTrue(m.matches());
        int port = Integer.parseInt(m.group(1));
        String jmxUrl = proxy.awaitLine("jmx: .*").substring("jmx: ".length());

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
        start(proxyCommand("--listen", "0.0.0.0:0", "--target", "127.0.0.1:9", "--name", "it-any",
                "--jmx-port", Sockets.freePort(), "--jmx-password-file", passwords));
        String url = proxy.awaitLine("jmx: .*").substring("jmx: ".length());
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
        start(proxyCommand("--listen", "127.0.0.1:0", "--target", "127.0.0.1:9", "--name", "it-tls",
                "--jmx-port", Sockets.freePort(), "--jmx-password-file", passwords, "--jmx-access-file", access,
                "--jmx-keystore", stores.keyStore, "--jmx-keystore-password-file", stores.passwordFile));
        JMXServiceURL url = tlsUrl(proxy.awaitLine("jmx: .*"));

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
        start(proxyCommand("--listen", "127.0.0.1:0", "--target", "127.0.0.1:9", "--name", "it-tls-props",
                "--jmx-port", Sockets.freePort(), "--jmx-tls")
                .property("javax.net.ssl.keyStore", stores.keyStore)
                .property("javax.net.ssl.keyStorePassword", TestKeyStores.PASSWORD));
        JMXServiceURL url = tlsUrl(proxy.awaitLine("jmx: .*"));

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
        ChildJvm p = proxyCommand("--listen", "127.0.0.1:0", "--target", "nowhere").run(TestTimes.atMost(30_000));
        String err = p.errorOutput();
        assertEquals(2, p.exitCode(), err);
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains("'nowhere' is not HOST:PORT"), err);
    }
}
