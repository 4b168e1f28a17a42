package io.connwatch.proxy;

import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.cli.DemoBackend;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The reference proxy relays, counts and closes, on both transports. */
class ConnwatchProxyTest {
    @Test
    void relaysBothWaysCountsBytesAndClosesNormallyOnHalfCloses() throws Exception {
        for (boolean preferNative : new boolean[] {true, false}) {
            ConnectionTracker tracker = new ConnectionTracker("smoke");
            try (DemoBackend echo = new DemoBackend(DemoBackend.Behaviour.ECHO);
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
}
