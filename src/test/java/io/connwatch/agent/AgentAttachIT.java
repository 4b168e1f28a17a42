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
import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.ChildJvms;
import io.connwatch.testing.Sockets;
import io.connwatch.testing.TestTimes;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code attach} into servers that started without connwatch and have served traffic, then {@code status} and
 * {@code capture} against them, all through the built {@code connwatch.jar}; and the agent with its instrumentation
 * forced to fail, which must leave the server serving.
 */
class AgentAttachIT {
    private static final Duration RUN = TestTimes.atMost(60_000);
    private static final Duration WAIT = TestTimes.atMost(30_000);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @RegisterExtension
    final ChildJvms jvms = new ChildJvms();

    private static ChildJvm connwatch(Object... args) throws Exception {
        return ChildJvm.jar().args(args).run(RUN);
    }

    private ChildJvm attach(ChildJvm target, String options) throws Exception {
        ChildJvm attach = connwatch("attach", target.pid(), options);
        assertEquals(0, attach.exitCode(), attach.report() + target.report());
        return attach;
    }

    /** {@code status PID} until the monitor shows {@code count} (a pattern, as status prints it) at 1 or more. */
    private static String awaitStatus(ChildJvm target, String monitor, String count) {
        return awaitStatus(target, monitor, count, 1);
    }

    /** {@code status PID} until the monitor shows {@code count} (a pattern, as status prints it) at {@code min}+. */
    private static String awaitStatus(ChildJvm target, String monitor, String count, int min) {
        List<String> last = new ArrayList<>();
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("\\n  " + count + " +(\\d+)\\n");
        await().atMost(WAIT).untilAsserted(() -> {
            ChildJvm status = connwatch("status", target.pid());
            last.add(status.output());
            java.util.regex.Matcher m = line.matcher(section(status.output(), monitor));
            assertTrue(status.exitCode() == 0 && m.find() && Long.parseLong(m.group(1)) >= min, monitor + " "
                    + count + " below " + min + ":\n" + status.output() + target.report());
        });
        return last.get(last.size() - 1);
    }

    /** One monitor's block of {@code status} output. */
    private static String section(String status, String monitor) {
        int start = status.indexOf("monitor '" + monitor + "'\n");
        if (start < 0) {
            return "";
        }
        int end = status.indexOf("\nmonitor '", start + 1);
        return status.substring(start, end < 0 ? status.length() : end + 1);
    }

    private JsonNode capture(ChildJvm target, String monitor) throws Exception {
        ChildJvm capture = connwatch("capture", target.pid(), "--name", monitor);
        assertEquals(0, capture.exitCode(), capture.report());
        Path dump = Path.of(capture.lines().get(0));
        assertTrue(dump.startsWith(tmp), capture.report());
        return JSON.readTree(dump.toFile());
    }

    private static JsonNode stuckConnection(JsonNode dump) {
        return stuckConnection(dump, c -> true);
    }

    private static JsonNode stuckConnection(JsonNode dump, Predicate<JsonNode> which) {
        for (JsonNode c : dump.path("connections")) {
            for (JsonNode p : c.path("patterns")) {
                if (p.asText().equals("STUCK") && which.test(c)) {
                    return c;
                }
            }
        }
        throw new AssertionError("no STUCK connection in " + dump.toPrettyString());
    }

    @Test
    void attachedToARunningNettyProxyItSeesTheNextClientStuckOnTheBackendAndAdoptsAnOldOneThatSpeaks()
            throws Exception {
        ChildJvm backend = jvms.start(AppJvms.app(HangingBackend.class, "http-hang-path"));
        int backendPort = AppJvms.awaitPort(backend);
        ChildJvm proxy = jvms.start(AppJvms.app(HexDumpStyleProxy.class, 0, "127.0.0.1:" + backendPort));
        InetSocketAddress address = AppJvms.awaitAddress(proxy);
        try (KeepAliveLoad.Connection before = KeepAliveLoad.Connection.open(address, Sockets.READ_TIMEOUT)) {
            assertEquals(200, before.get("/before").status(), proxy.report());

            attach(proxy, "name=late,stuckAfter=1s,interval=200ms,dumpDir=" + tmp);
            try (KeepAliveLoad.Connection stuck = KeepAliveLoad.Connection.open(address, Sockets.READ_TIMEOUT)) {
                stuck.send("/hang/1");
                before.send("/hang/0"); // made before the attach, it speaks again: adopted
                String status = awaitStatus(proxy, "late", "STUCK", 2);
                assertTrue(section(status, "late").contains("running"), status);

                JsonNode dump = capture(proxy, "late");
                JsonNode paired = stuckConnection(dump, c -> c.path("targetPort").isNumber());
                assertEquals(backendPort, paired.path("targetPort").asInt(), paired.toString());
                assertEquals(stuck.socket().getLocalPort(), paired.path("remotePort").asInt(), paired.toString());
                JsonNode adopted = stuckConnection(dump, c -> c.path("targetPort").isNull());
                assertEquals(before.socket().getLocalPort(), adopted.path("remotePort").asInt(),
                        "judged alone: its pairing happened before the agent came " + adopted);
                try (KeepAliveLoad.Connection after = KeepAliveLoad.Connection.open(address, Sockets.READ_TIMEOUT)) {
                    assertEquals(200, after.get("/after").status(), "still relays");
                }
            }
        }
    }

    @Test
    void attachedToARunningReactorGatewayItSeesNewPooledConnectionsStuckUpstream() throws Exception {
        ChildJvm backend = jvms.start(AppJvms.app(HangingBackend.class, "http-hang-path"));
        int backendPort = AppJvms.awaitPort(backend);
        ChildJvm gateway = jvms.start(AppJvms.app(ReactorForwardingServer.class, 0, AppJvms.baseUrl(backendPort)));
        InetSocketAddress address = AppJvms.awaitAddress(gateway);
        try (KeepAliveLoad.Connection before = KeepAliveLoad.Connection.open(address, Sockets.READ_TIMEOUT)) {
            assertEquals(200, before.get("/before").status(), gateway.report());
        }

        attach(gateway, "name=late,stuckAfter=1s,interval=200ms,dumpDir=" + tmp);
        // The pool's connection from before the attach is not seen; two hanging requests need a second one.
        try (KeepAliveLoad.Connection first = KeepAliveLoad.Connection.open(address, Sockets.READ_TIMEOUT);
             KeepAliveLoad.Connection second = KeepAliveLoad.Connection.open(address, Sockets.READ_TIMEOUT)) {
            first.send("/hang/1");
            second.send("/hang/2");
            awaitStatus(gateway, "late-upstream", "STUCK");
            awaitStatus(gateway, "late", "STUCK");
            JsonNode c = stuckConnection(capture(gateway, "late-upstream"));
            assertEquals(backendPort, c.path("targetPort").asInt(), c.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"transform", "tap"})
    void anInstrumentationThatFailsIsLoggedOnceAndTheProxyServesOn(String failure) throws Exception {
        ChildJvm backend = jvms.start(AppJvms.app(HangingBackend.class, "http"));
        int backendPort = AppJvms.awaitPort(backend);
        int jmxPort = Sockets.freePort();
        ChildJvm proxy = jvms.start(AppJvms.app(HexDumpStyleProxy.class, 0, "127.0.0.1:" + backendPort)
                .property(Instrument.TEST_FAILURE, failure)
                .jvm("-javaagent:" + System.getProperty("connwatch.jar") + "=name=broken,jmxPort=" + jmxPort));
        InetSocketAddress address = AppJvms.awaitAddress(proxy);
        for (int i = 0; i < 3; i++) {
            try (KeepAliveLoad.Connection c = KeepAliveLoad.Connection.open(address, Sockets.READ_TIMEOUT)) {
                assertEquals(200, c.get("/" + i).status(), proxy.report());
                assertEquals(HangingBackend.BODY, c.get("/again").bodyText());
            }
        }
        List<String> failures = new ArrayList<>();
        for (String line : proxy.errorLines()) {
            if (line.contains(" WARN ") && line.contains("[broken]") && line.contains("untracked")) {
                failures.add(line);
            }
        }
        assertEquals(1, failures.size(), "logged once: " + proxy.report());
        assertTrue(failures.get(0).contains("failure forced by the system property " + Instrument.TEST_FAILURE),
                failures.get(0));
        try (MonitorOverJmx jmx = MonitorOverJmx.connect(jmxPort)) {
            assertEquals(0, jmx.number("broken", "TotalOpened"), "the monitor runs, the channels go untracked");
        }
    }
}
