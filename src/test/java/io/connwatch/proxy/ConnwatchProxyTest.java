package io.connwatch.proxy;

import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.demo.TestBackend;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The reference proxy relays, counts and closes, on both transports. */
class ConnwatchProxyTest {
    @Test
    void relaysBothWaysCountsBytesAndClosesNormallyOnHalfCloses() throws Exception {
        for (boolean preferNative : new boolean[] {true, false}) {
            ConnectionTracker tracker = new ConnectionTracker("smoke");
            try (TestBackend echo = new TestBackend(TestBackend.Behaviour.ECHO);
                 ConnwatchProxy proxy = ConnwatchProxy.builder().target(echo.address()).tracker(tracker)
                         .preferNative(preferNative).build().start()) {
                if (!preferNative) {
                    assertTrue(!proxy.isNative());
                }
                byte[] request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.address().getPort())) {
                    client.getOutputStream().write(request);
                    InputStream in = client.getInputStream();
                    assertArrayEquals(request, in.readNBytes(request.length));
                    await().atMost(ms(3000)).until(() -> tracker.activeConnections() == 1);
                    TrackedConnection c = tracker.iterator().next();
                    assertEquals(request.length, c.bytesReceived());
                    await().atMost(ms(3000)).until(() -> c.bytesSent() == request.length);
                    assertTrue(c.hasKeepAlive());
                    assertTrue(c.outgoing().exists());
                    client.shutdownOutput();
                    assertEquals(-1, in.read(), "the backend's close came through as the end of stream");
                }
                await().atMost(ms(3000)).until(() -> tracker.activeConnections() == 0);
                assertEquals(1, tracker.terminationStats().count(Side.OUTGOING, TerminationReason.NORMAL)
                        + tracker.terminationStats().count(Side.INCOMING, TerminationReason.NORMAL),
                        tracker.terminationStats().snapshot().toString());
            }
        }
    }

    @Test
    void theClientPipelineHookRunsOncePerClientAtSetUpAndNothingIsAddedPerMessage() throws Exception {
        ConnectionTracker tracker = new ConnectionTracker("hook");
        AtomicInteger setUps = new AtomicInteger();
        AtomicInteger seen = new AtomicInteger();
        byte[] ping = "ping\n".getBytes(StandardCharsets.US_ASCII);
        try (TestBackend echo = new TestBackend(TestBackend.Behaviour.ECHO);
             ConnwatchProxy proxy = ConnwatchProxy.builder().target(echo.address()).tracker(tracker)
                     .onClientPipeline(pipeline -> {
                         setUps.incrementAndGet();
                         pipeline.addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
                             @Override
                             public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                                 seen.incrementAndGet();
                                 ctx.fireChannelRead(msg);
                             }
                         });
                     }).build().start();
             Socket a = new Socket(InetAddress.getLoopbackAddress(), proxy.address().getPort());
             Socket b = new Socket(InetAddress.getLoopbackAddress(), proxy.address().getPort())) {
            for (int i = 0; i < 3; i++) {
                for (Socket s : new Socket[] {a, b}) {
                    s.getOutputStream().write(ping);
                    assertArrayEquals(ping, s.getInputStream().readNBytes(ping.length),
                            "relayed past the hook's handler");
                }
            }
            assertEquals(2, setUps.get(), "once per client, not per message");
            assertThrows(NoSuchMethodException.class, () -> ConnwatchProxy.Builder.class
                    .getMethod("onClientPipeline", java.util.function.Consumer.class), "not in the public builder");
            assertTrue(seen.get() >= 4, "the hook's handler sits in the relayed path: " + seen.get());
            for (TrackedConnection c : tracker) {
                assertTrue(c.incoming().listenerCounts().values().stream().allMatch(n -> n == 1),
                        "nothing added per message: " + c.incoming().listenerCounts());
            }
        }
    }

    @Test
    void tlsIsSpottedByItsFirstByte() throws Exception {
        ConnectionTracker tracker = new ConnectionTracker("tls");
        try (TestBackend echo = new TestBackend(TestBackend.Behaviour.ECHO);
             ConnwatchProxy proxy = ConnwatchProxy.builder().target(echo.address()).tracker(tracker).build().start();
             Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.address().getPort())) {
            byte[] clientHello = {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5};
            client.getOutputStream().write(clientHello);
            client.getInputStream().readNBytes(clientHello.length);
            TrackedConnection c = tracker.iterator().next();
            assertTrue(c.isTLS());
            assertTrue(!c.hasKeepAlive());
        }
    }

    @Test
    void shutdownClosesEveryConnectionWithReasonShutdown() throws Exception {
        ConnectionTracker tracker = new ConnectionTracker("shutdown");
        try (TestBackend hang = new TestBackend(TestBackend.Behaviour.HANG)) {
            ConnwatchProxy proxy = ConnwatchProxy.builder().target(hang.address()).tracker(tracker).build().start();
            java.util.List<Socket> clients = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.address().getPort());
                s.getOutputStream().write('x');
                clients.add(s);
            }
            await().atMost(ms(3000)).until(() -> tracker.activeConnections() == 3);
            proxy.close();
            assertEquals(0, tracker.activeConnections());
            assertEquals(3, tracker.terminationStats().count(Side.INCOMING, TerminationReason.SHUTDOWN));
            for (Socket s : clients) {
                s.setSoTimeout((int) ms(3000).toMillis());
                assertEquals(-1, s.getInputStream().read());
                s.close();
            }
        }
    }

    @Test
    void aClientThatDoesNotReadStopsTheProxyReadingTheBackend() throws Exception {
        ConnectionTracker tracker = new ConnectionTracker("backpressure");
        int total = 64 << 20;
        try (java.net.ServerSocket flood = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread writer = new Thread(() -> {
                try (Socket s = flood.accept(); java.io.OutputStream out = s.getOutputStream()) {
                    byte[] chunk = new byte[64 * 1024];
                    for (int sent = 0; sent < total; sent += chunk.length) {
                        out.write(chunk);
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.setDaemon(true);
            writer.start();
            try (ConnwatchProxy proxy = ConnwatchProxy.builder()
                    .target(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), flood.getLocalPort()))
                    .tracker(tracker).build().start();
                 Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.address().getPort())) {
                client.setReceiveBufferSize(64 * 1024);
                await().atMost(ms(3000)).until(() -> tracker.activeConnections() == 1);
                TrackedConnection c = tracker.iterator().next();
                await().atMost(ms(3000)).until(() -> c.outgoing().exists());
                io.netty.channel.Channel backend = ((io.connwatch.netty.NettyEndpoint) c.outgoing()).channel();
                await().atMost(ms(5000)).until(() -> !backend.config().isAutoRead());
                assertTrue(c.bytesSent() < total / 2, "the proxy stopped well short of buffering it all: " + c.bytesSent());

                long read = 0;
                byte[] buf = new byte[64 * 1024];
                InputStream in = client.getInputStream();
                client.setSoTimeout((int) ms(10000).toMillis());
                int n;
                while (read < total && (n = in.read(buf)) >= 0) {
                    read += n;
                }
                assertEquals(total, read, "every byte arrived once the client read");
                assertEquals(total, c.bytesSent());
            }
        }
    }
}
