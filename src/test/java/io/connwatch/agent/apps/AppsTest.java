package io.connwatch.agent.apps;

import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.agent.apps.KeepAliveLoad.Connection;
import io.connwatch.agent.apps.KeepAliveLoad.Response;
import io.connwatch.agent.apps.KeepAliveLoad.Result;
import io.connwatch.testing.ChildJvm;
import io.connwatch.testing.ChildJvms;
import io.connwatch.testing.Sockets;
import io.connwatch.testing.TestTimes;
import io.netty.channel.epoll.Epoll;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The applications the agent's tests and benchmark run against do what those rely on, without any agent: each in a
 * JVM of its own with no connwatch class on its class path ({@link AppJvms}), driven over loopback.
 */
class AppsTest {
    private static final Duration READ = Sockets.READ_TIMEOUT;
    /** How long a hanging server is given to answer anyway before the test closes the connection. */
    private static final Duration NO_ANSWER = ms(1000);

    @RegisterExtension
    final ChildJvms jvms = new ChildJvms();

    @Test
    void theHexDumpStyleProxyRelaysBothWaysAndClosesTheBackendSideWhenTheClientLeaves() throws Exception {
        ChildJvm backend = jvms.start(AppJvms.app(HangingBackend.class, "echo"));
        String target = "127.0.0.1:" + AppJvms.awaitPort(backend);
        List<ChildJvm> proxies = new ArrayList<>();
        proxies.add(jvms.start(AppJvms.app(HexDumpStyleProxy.class, 0, target)));
        if (Epoll.isAvailable()) {
            proxies.add(jvms.start(AppJvms.app(HexDumpStyleProxy.class, "--epoll", 0, target)));
        }
        for (ChildJvm proxy : proxies) {
            try (Socket client = Sockets.connect(AppJvms.awaitAddress(proxy))) {
                byte[] ping = ("ping through " + proxy.pid() + "\n").getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 2; i++) {
                    Sockets.send(client, ping);
                    assertArrayEquals(ping, client.getInputStream().readNBytes(ping.length), proxy.report());
                }
            }
        }
        await().atMost(TestTimes.atMost(10_000)).untilAsserted(() -> {
            Matcher counts = AppJvms.counts(backend);
            assertEquals("0", counts.group(1), "every backend connection closed after its client: " + counts.group());
            assertEquals(String.valueOf(proxies.size()), counts.group(2), "one backend connection per client");
        });
        proxies.get(0).send("stop");
        proxies.get(0).awaitLine(AppLines.STOPPED);
        assertStoppedCleanly(proxies.get(0));
        for (ChildJvm other : proxies.subList(1, proxies.size())) {
            other.sigterm();
            assertStoppedCleanly(other);
        }
    }

    @Test
    void theForwardingServerStreamsTheBackendsAnswersOverKeepAliveAndAHangingBackendHangsItsRequest()
            throws Exception {
        ChildJvm backend = jvms.start(AppJvms.app(HangingBackend.class, "http-hang-path"));
        String backendUrl = AppJvms.baseUrl(AppJvms.awaitPort(backend));
        ChildJvm gateway = jvms.start(AppJvms.app(ReactorForwardingServer.class, 0, backendUrl, 4));
        ChildJvm impatient = jvms.start(AppJvms.app(ReactorForwardingServer.class, "--response-timeout-ms", 200, 0,
                backendUrl));
        InetSocketAddress address = AppJvms.awaitAddress(gateway);
        try (Connection client = Connection.open(address, READ)) {
            Response first = client.get("/");
            assertEquals(200, first.status(), gateway.report());
            assertEquals(HangingBackend.BODY, first.bodyText());
            assertTrue(first.keepAlive(), first.headers().toString());
            Response second = client.get("/status/404");
            assertEquals(404, second.status(), "the backend's status comes through");
            assertEquals(HangingBackend.BODY, second.bodyText(), "and its body");

            try (Connection hanging = Connection.open(address, READ)) {
                hanging.send("/hang/1");
                backend.awaitLine("hung GET /hang/1 from .*");
                hanging.readTimeout(NO_ANSWER);
                assertThrows(SocketTimeoutException.class, hanging::read, "no answer before we closed it");
            }
            assertEquals(200, client.get("/").status(), "the other clients are still served");
        }
        assertEquals(new Result(40, 0), KeepAliveLoad.run(address, "/", 4, 10, READ));
        gateway.sigterm();
        assertStoppedCleanly(gateway);

        try (Connection client = Connection.open(AppJvms.awaitAddress(impatient), READ)) {
            assertEquals(504, client.get("/hang/2").status(), "with a response timeout, the gateway gives up");
        }
        impatient.sigterm();
        assertStoppedCleanly(impatient);
    }

    @Test
    void thePlainReactorServerAnswersKeepAliveLoadOnBothTransports() throws Exception {
        ChildJvm nativeTransport = jvms.start(AppJvms.app(ReactorPlainServer.class, 0));
        ChildJvm nio = jvms.start(AppJvms.app(ReactorPlainServer.class, "--nio", 0));
        InetSocketAddress nativeAddress = AppJvms.awaitAddress(nativeTransport);
        InetSocketAddress address = AppJvms.awaitAddress(nio);
        for (InetSocketAddress server : List.of(nativeAddress, address)) {
            try (Connection client = Connection.open(server, READ)) {
                Response ok = client.get("/");
                assertEquals(200, ok.status());
                assertEquals(ReactorPlainServer.BODY, ok.bodyText());
                assertEquals(404, client.get("/elsewhere").status());
                assertEquals(200, client.get("/").status(), "the same connection, kept alive");
            }
            assertEquals(new Result(100, 0), KeepAliveLoad.run(server, "/", 4, 25, READ));
        }
        try (KeepAliveLoad.Held held = KeepAliveLoad.hold(address, "/", 20, 1, READ)) {
            assertEquals(new Result(20, 0), held.result());
            assertEquals(20, held.size(), "every connection still open after its request");
        }
        ChildJvm holder = jvms.start(AppJvms.app(KeepAliveLoad.class, "127.0.0.1:" + address.getPort(),
                "--connections", 5, "--requests", 2, "--hold"));
        holder.awaitLine("done ok=10 failed=0");
        holder.awaitLine("holding 5 connections");
        holder.send("stop");
        assertStoppedCleanly(holder);

        nativeTransport.send("stop");
        assertStoppedCleanly(nativeTransport);
        nio.sigterm();
        assertStoppedCleanly(nio);
    }

    @Test
    void theHangModeReadsAndNeverAnswers() throws Exception {
        ChildJvm backend = jvms.start(AppJvms.app(HangingBackend.class, "hang"));
        try (Socket client = Sockets.connect(AppJvms.awaitAddress(backend))) {
            Sockets.send(client, Sockets.REQUEST);
            backend.awaitLine("hung connection from .* after \\d+ bytes");
            client.setSoTimeout((int) NO_ANSWER.toMillis());
            InputStream in = client.getInputStream();
            assertThrows(SocketTimeoutException.class, in::read, "no answer, and no close, before we closed it");
            Matcher counts = AppJvms.counts(backend);
            assertEquals(List.of("1", "1", "0", "1"), List.of(counts.group(1), counts.group(2), counts.group(3),
                    counts.group(4)), counts.group());
        }
        backend.sigterm();
        assertStoppedCleanly(backend);
    }

    @Test
    void badArgumentsAreOneLineAndExit2() throws Exception {
        ChildJvm mode = AppJvms.app(HangingBackend.class, "sideways").run(TestTimes.atMost(30_000));
        assertEquals(2, mode.exitCode(), mode.report());
        assertEquals(List.of("unknown mode 'sideways': the modes are hang, echo, http, http-hang-path"),
                mode.errorLines());
        ChildJvm url = AppJvms.app(ReactorForwardingServer.class, 0, "ftp://127.0.0.1:21").run(TestTimes.atMost(30_000));
        assertEquals(2, url.exitCode(), url.report());
        assertEquals(List.of("BACKEND_BASE_URL must be an http:// URL, like http://127.0.0.1:8080, not"
                + " 'ftp://127.0.0.1:21'"), url.errorLines());
    }

    private static void assertStoppedCleanly(ChildJvm app) throws InterruptedException {
        assertEquals(0, app.awaitExit(TestTimes.atMost(30_000)), app.report());
        assertEquals(AppLines.STOPPED, app.lines().get(app.lines().size() - 1), app.report());
    }
}
