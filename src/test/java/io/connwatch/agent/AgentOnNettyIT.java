package io.connwatch.agent;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.connwatch.agent.apps.AppJvms;
import io.connwatch.agent.apps.HangingBackend;
import io.connwatch.agent.apps.HexDumpStyleProxy;
import io.connwatch.agent.apps.KeepAliveLoad;
import io.connwatch.agent.apps.ReactorForwardingServer;
import io.connwatch.agent.apps.ReactorPlainServer;
import io.connwatch.agent.apps.ShadedNettyEchoServer;
import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.ChildJvms;
import io.connwatch.testing.Sockets;
import io.connwatch.testing.TestKeyStores;
import io.connwatch.testing.TestTimes;
import io.connwatch.testing.Tools;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent on servers that know nothing of connwatch, each in a JVM of its own started with
 * {@code -javaagent:connwatch.jar}: a plain Netty proxy written the way Netty's HexDumpProxy example is, and Reactor
 * Netty servers (the Spring Cloud Gateway shape, and one with no backend at all). The test reads the agent's monitors
 * over its JMX connector, as an operator's JConsole would.
 */
class AgentOnNettyIT {
    private static final Duration WAIT = TestTimes.atMost(30_000);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildJvms jvms = new ChildJvms();

    private static String agent(String options) {
        return "-javaagent:" + System.getProperty("connwatch.jar") + "=" + options;
    }

    @Test
    void aPlainNettyProxyShowsTheConnectionStuckOnItsHangingBackendAndKeepsRelayingForOthers() throws Exception {
        ChildJvm backend = jvms.start(AppJvms.app(HangingBackend.class, "http-hang-path"));
        int backendPort = AppJvms.awaitPort(backend);
        int jmxPort = Sockets.freePort();
        ChildJvm proxy = jvms.start(AppJvms.app(HexDumpStyleProxy.class, 0, "127.0.0.1:" + backendPort)
                .jvm(agent("name=edge,stuckAfter=1s,interval=200ms,jmxPort=" + jmxPort)));
        InetSocketAddress address = AppJvms.awaitAddress(proxy);
        Path recording = tmp.resolve("recordings").resolve("edge.jfr");
        Files.createDirectories(recording.getParent());
        Tools.jdk("jcmd", WAIT, String.valueOf(proxy.pid()), "JFR.start", "name=edge", "filename=" + recording)
                .assertOk();

        try (KeepAliveLoad.Connection stuck = KeepAliveLoad.Connection.open(address, Sockets.READ_TIMEOUT);
             MonitorOverJmx jmx = MonitorOverJmx.connect(jmxPort)) {
            stuck.send("/hang/1");
            backend.awaitLine("hung GET /hang/1 .*");
            await().atMost(WAIT).until(() -> jmx.number("edge", "StuckCount") >= 1);

            // Another client through the same proxy meanwhile: relayed byte for byte.
            try (KeepAliveLoad.Connection other = KeepAliveLoad.Connection.open(address, Sockets.READ_TIMEOUT)) {
                for (int i = 0; i < 3; i++) {
                    KeepAliveLoad.Response r = other.get("/ok/" + i);
                    assertEquals(200, r.status(), proxy.report());
                    assertEquals(HangingBackend.BODY, r.bodyText());
                }
            }

            Path dump = Path.of(jmx.forceCaptureNow("edge"));
            assertEquals(recording.getParent(), dump.getParent(), "the dump lands beside the JFR.start recording");
            JsonNode stuckOne = connectionWith(JSON.readTree(dump.toFile()), "stuck");
            assertEquals("127.0.0.1", stuckOne.path("targetHost").asText(), stuckOne.toString());
            assertEquals(backendPort, stuckOne.path("targetPort").asInt(), "paired with the proxy's backend");
            assertEquals(address.getPort(), stuckOne.path("localPort").asInt());
            assertTrue(stuckOne.path("bytesReceived").asLong() > 0, stuckOne.toString());
            assertEquals(0, stuckOne.path("bytesSent").asLong(), stuckOne.toString());
            assertEquals(0, jmx.number("edge-upstream", "ActiveConnections"),
                    "a backend opened for one client is that client's, not a pooled one");
        }
        assertEquals(List.of(), warnings(proxy, "edge-upstream"), "nothing flagged upstream");
    }

    @Test
    void aNettyProxyInAClassLoaderOfItsOwnAsInASpringBootFatJarIsTrackedToo() throws Exception {
        ChildJvm backend = jvms.start(AppJvms.app(HangingBackend.class, "hang"));
        int backendPort = AppJvms.awaitPort(backend);
        // The launcher alone on the class path; the proxy and its Netty in a child loader, as BOOT-INF/lib is.
        Path launcher = tmp.resolve("launcher");
        String launcherClass = ParentFirstLauncher.class.getName().replace('.', '/') + ".class";
        Files.createDirectories(launcher.resolve(launcherClass).getParent());
        try (var in = ParentFirstLauncher.class.getClassLoader().getResourceAsStream(launcherClass)) {
            Files.copy(in, launcher.resolve(launcherClass));
        }
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        Path testClasses = null;
        for (String entry : AppJvms.classPath().split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                testClasses = p;
            } else if (p.getFileName().toString().startsWith("netty-")) {
                Files.createSymbolicLink(lib.resolve(p.getFileName()), p.toAbsolutePath());
            }
        }
        int jmxPort = Sockets.freePort();
        ChildJvm proxy = jvms.start(ChildJvm.main(ParentFirstLauncher.class, launcher.toString())
                .jvm(agent("name=boot,stuckAfter=1s,interval=200ms,jmxPort=" + jmxPort))
                .args(testClasses, lib, HexDumpStyleProxy.class.getName(), 0, "127.0.0.1:" + backendPort));
        InetSocketAddress address = AppJvms.awaitAddress(proxy);
        try (java.net.Socket client = Sockets.connect(address); MonitorOverJmx jmx = MonitorOverJmx.connect(jmxPort)) {
            Sockets.send(client, Sockets.REQUEST);
            backend.awaitLine("hung .*");
            await().atMost(WAIT).until(() -> jmx.number("boot", "StuckCount") >= 1);
        }
        assertTrue(proxy.errorLines().stream().anyMatch(l -> l.contains("[boot] tracking the socket channels of Netty")
                && !l.contains("AppClassLoader")), "the glue went into the application's own loader" + proxy.report());
    }

    @Test
    void aNettyRelocatedIntoAnotherPackageIsTrackedOnceNettyPackagesNamesIt() throws Exception {
        String shaded = "io.grpc.netty.shaded.io.netty";
        for (boolean named : new boolean[] {true, false}) {
            int jmxPort = Sockets.freePort();
            ChildJvm server = jvms.start(AppJvms.app(ShadedNettyEchoServer.class, 0)
                    .jvm(agent("name=shaded,jmxPort=" + jmxPort + (named ? ",nettyPackages=" + shaded : ""))));
            InetSocketAddress address = AppJvms.awaitAddress(server);
            try (java.net.Socket client = Sockets.connect(address);
                 MonitorOverJmx jmx = MonitorOverJmx.connect(jmxPort)) {
                Sockets.send(client, Sockets.REQUEST);
                assertEquals(Sockets.REQUEST.length, client.getInputStream().readNBytes(Sockets.REQUEST.length).length,
                        "echoed" + server.report());
                if (named) {
                    await().atMost(WAIT).until(() -> jmx.number("shaded", "ActiveConnections") == 1);
                    assertTrue(server.errorLines().stream().anyMatch(l -> l.contains(
                            "[shaded] tracking the socket channels of Netty " + shaded + ".*")), server.report());
                } else {
                    // The connection above was accepted and answered before this: a tracked one would count.
                    assertEquals(0, jmx.number("shaded", "TotalOpened"), "a relocated Netty nobody named");
                }
            }
        }
    }

    @Test
    void aReactorNettyGatewayWithAPooledClientShowsTheUpstreamConnectionStuck() throws Exception {
        ChildJvm backend = jvms.start(AppJvms.app(HangingBackend.class, "http-hang-path"));
        int backendPort = AppJvms.awaitPort(backend);
        int jmxPort = Sockets.freePort();
        ChildJvm gateway = jvms.start(AppJvms.app(ReactorForwardingServer.class, 0, AppJvms.baseUrl(backendPort))
                .jvm(agent("name=gw,stuckAfter=1s,interval=200ms,jmxPort=" + jmxPort + ",dumpDir=" + tmp)));
        InetSocketAddress address = AppJvms.awaitAddress(gateway);

        try (KeepAliveLoad.Connection client = KeepAliveLoad.Connection.open(address, Sockets.READ_TIMEOUT);
             KeepAliveLoad.Connection hanging = KeepAliveLoad.Connection.open(address, Sockets.READ_TIMEOUT);
             MonitorOverJmx jmx = MonitorOverJmx.connect(jmxPort)) {
            assertEquals(200, client.get("/first").status(), gateway.report());
            await().atMost(WAIT).until(() -> jmx.number("gw-upstream", "ActiveConnections") >= 1
                    && jmx.number("gw", "ActiveConnections") >= 1);

            hanging.send("/hang/1");
            backend.awaitLine("hung GET /hang/1 .*");
            // The pooled connection waits on the backend; the client's connection waits on the gateway.
            await().atMost(WAIT).until(() -> jmx.number("gw-upstream", "StuckCount") >= 1);
            await().atMost(WAIT).until(() -> jmx.number("gw", "StuckCount") >= 1);
            assertEquals(0, jmx.number("gw", "NoOutgoingCount"), "a server's client connection needs no backend");

            JsonNode stuckUpstream = connectionWith(JSON.readTree(Path.of(jmx.forceCaptureNow("gw-upstream"))
                    .toFile()), "stuck");
            assertEquals(backendPort, stuckUpstream.path("targetPort").asInt(), stuckUpstream.toString());
            assertEquals(backendPort, stuckUpstream.path("remotePort").asInt(), stuckUpstream.toString());
            assertTrue(stuckUpstream.path("bytesSent").asLong() > 0, "the request went out: " + stuckUpstream);

            assertEquals(200, client.get("/second").status(), "the gateway still serves other clients");
        }
    }

    @Test
    void aReactorNettyGatewayServingHttpsIsTrackedBehindItsTlsHandler() throws Exception {
        TestKeyStores keys = TestKeyStores.create(tmp);
        ChildJvm backend = jvms.start(AppJvms.app(HangingBackend.class, "http-hang-path"));
        int backendPort = AppJvms.awaitPort(backend);
        int jmxPort = Sockets.freePort();
        ChildJvm gateway = jvms.start(AppJvms.app(ReactorForwardingServer.class, "--tls", keys.keyStore,
                        TestKeyStores.PASSWORD, 0, AppJvms.baseUrl(backendPort))
                .jvm(agent("name=gw,stuckAfter=1s,interval=200ms,jmxPort=" + jmxPort + ",dumpDir=" + tmp)));
        InetSocketAddress address = AppJvms.awaitAddress(gateway);
        SSLContext tls = trusting(keys);

        try (KeepAliveLoad.Connection client = KeepAliveLoad.Connection.openTls(address, Sockets.READ_TIMEOUT, tls);
             KeepAliveLoad.Connection hanging = KeepAliveLoad.Connection.openTls(address, Sockets.READ_TIMEOUT, tls);
             MonitorOverJmx jmx = MonitorOverJmx.connect(jmxPort)) {
            assertEquals(200, client.get("/first").status(), gateway.report());
            hanging.send("/hang/1");
            backend.awaitLine("hung GET /hang/1 .*");
            // Reactor Netty puts its TLS handler first in each client's pipeline, the agent's second: the bytes still
            // come to it, and the pooled connection behind is found stuck as without TLS.
            await().atMost(WAIT).until(() -> jmx.number("gw-upstream", "StuckCount") >= 1);

            JsonNode dump = JSON.readTree(Path.of(jmx.forceCaptureNow("gw")).toFile());
            List<JsonNode> clients = new ArrayList<>();
            dump.path("connections").forEach(clients::add);
            assertEquals(2, clients.size(), dump.toPrettyString());
            for (JsonNode c : clients) {
                assertTrue(c.path("isTLS").asBoolean(), "a TLS client, seen from its first bytes: " + c);
                assertTrue(c.path("bytesReceived").asLong() > 0 && c.path("bytesSent").asLong() > 0,
                        "the handshake's bytes went both ways: " + c);
            }
            // The answered client has had more back than the hanging one: its answer, encrypted.
            long[] sent = clients.stream().mapToLong(c -> c.path("bytesSent").asLong()).sorted().toArray();
            assertTrue(sent[1] > sent[0], dump.toPrettyString());
            // A TLS client is judged by the TLS deadlines (5 min), not stuckAfter: not stuck yet.
            assertEquals(0, jmx.number("gw", "StuckCount"));

            assertEquals(200, client.get("/second").status(), "the gateway still serves other clients");
        }
    }

    private static SSLContext trusting(TestKeyStores keys) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys.trustStore)) {
            trusted.load(in, TestKeyStores.TRUST_PASSWORD.toCharArray());
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    @Test
    void aReactorNettyServerWithNoBackendUnderKeepAliveLoadHasNothingFlagged() throws Exception {
        int jmxPort = Sockets.freePort();
        ChildJvm server = jvms.start(AppJvms.app(ReactorPlainServer.class, 0)
                .jvm(agent("name=plain,stuckAfter=2s,interval=200ms,jmxPort=" + jmxPort)));
        InetSocketAddress address = AppJvms.awaitAddress(server);
        try (MonitorOverJmx jmx = MonitorOverJmx.connect(jmxPort);
             KeepAliveLoad.Held held = KeepAliveLoad.hold(address, "/", 16, 300, Sockets.READ_TIMEOUT)) {
            assertEquals(new KeepAliveLoad.Result(16 * 300, 0), held.result());
            await().atMost(WAIT).until(() -> jmx.number("plain", "ActiveConnections") == 16);
            assertTrue(jmx.number("plain", "TotalOpened") >= 16);
            // Idle keep-alive connections past the stuck timeout: answered, so not stuck.
            long idleSince = System.nanoTime();
            await().atMost(WAIT).until(() -> System.nanoTime() - idleSince > Duration.ofMillis(2_500).toNanos());
            jmx.checkNow("plain");
            Map<String, Long> flagged = new TreeMap<>();
            for (String count : List.of("ZombieCount", "HalfZombieCount", "StuckCount", "IdleCount", "OldCount",
                    "NoOutgoingCount", "SlowBackendCount", "ListenerLeakCount")) {
                long n = jmx.number("plain", count);
                if (n != 0) {
                    flagged.put(count, n);
                }
            }
            assertEquals(Map.of(), flagged);
        }
        assertEquals(List.of(), warnings(server, "plain"), "no finding at any check during the load");
    }

    /** The first connection of a dump flagged with {@code pattern}. */
    private static JsonNode connectionWith(JsonNode dump, String pattern) {
        List<String> seen = new ArrayList<>();
        for (JsonNode c : dump.path("connections")) {
            for (JsonNode p : c.path("patterns")) {
                seen.add(p.asText());
                if (p.asText().equalsIgnoreCase(pattern)) {
                    return c;
                }
            }
        }
        throw new AssertionError("no connection flagged " + pattern + " in the dump; patterns seen: " + seen
                + "\n" + dump.toPrettyString());
    }

    /** The monitor's WARN lines in the application's error output: one per finding. */
    private static List<String> warnings(ChildJvm app, String monitor) {
        return app.errorLines().stream().filter(l -> l.contains(" WARN ") && l.contains("[" + monitor + "]"))
                .collect(Collectors.toList());
    }
}
