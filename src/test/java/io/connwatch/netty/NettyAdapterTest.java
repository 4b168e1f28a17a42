package io.connwatch.netty;

import static io.connwatch.testing.TestTimes.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.connwatch.ConnectionMonitor;
import io.connwatch.MonitorSettings;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.TerminationReason;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.ReadTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Netty endpoint, close reasons and the event-loop lag probe, on real channels over loopback. */
class NettyAdapterTest {
    @TempDir
    Path dumps;

    private EventLoopGroup group;
    private Channel server;
    private final BlockingQueue<Channel> accepted = new ArrayBlockingQueue<>(4);

    @BeforeEach
    void setUp() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("app", new ChannelInboundHandlerAdapter());
                        accepted.add(ch);
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    @AfterEach
    void tearDown() {
        server.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    private Channel acceptOne(Socket client) throws InterruptedException {
        Channel ch = accepted.poll(5, TimeUnit.SECONDS);
        assertTrue(ch != null, "accepted " + client);
        return ch;
    }

    @Test
    void endpointFollowsTheChannelThroughHalfCloseAndClose() throws Exception {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            Channel ch = acceptOne(client);
            NettyEndpoint e = NettyEndpoint.of(ch);
            await().atMost(ms(3000)).until(ch::isActive);
            assertTrue(e.exists() && e.readable() && e.writable() && !e.destroyed() && !e.connecting());

            client.shutdownOutput();
            await().atMost(ms(3000)).until(() -> !e.readable());
            assertTrue(e.writable(), "only the input is shut down");

            e.close();
            await().atMost(ms(3000)).until(e::destroyed);
            assertFalse(e.writable());
        }
    }

    @Test
    void handlersNettyNamesItselfCountUnderOneName() throws Exception {
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
            Channel ch = acceptOne(client);
            for (int i = 0; i < 4; i++) {
                ch.pipeline().addLast(new Leaky());
            }
            Map<String, Integer> counts = NettyEndpoint.of(ch).listenerCounts();
            assertEquals(4, counts.get("NettyAdapterTest$Leaky"), counts.toString());
            assertEquals(1, counts.get("app"), counts.toString());
            assertEquals(4, NettyEndpoint.of(ch).maxListenerCount());
        }
    }

    static final class Leaky extends ChannelInboundHandlerAdapter {
    }

    @Test
    void baseNameStripsOnlyNettysOwnCounters() {
        assertEquals("Foo", NettyEndpoint.baseName("Foo#12"));
        assertEquals("Foo#bar", NettyEndpoint.baseName("Foo#bar"));
        assertEquals("Foo#", NettyEndpoint.baseName("Foo#"));
        assertEquals("decoder", NettyEndpoint.baseName("decoder"));
    }

    @Test
    void failuresMapToTerminationReasons() {
        assertEquals(TerminationReason.ECONNREFUSED, CloseReasons.of(new ConnectException("Connection refused")));
        assertEquals(TerminationReason.ECONNRESET, CloseReasons.of(new IOException("Connection reset by peer")));
        assertEquals(TerminationReason.ECONNRESET,
                CloseReasons.of(new IOException("recvAddress(..) failed: Connection reset by peer")));
        assertEquals(TerminationReason.CONNECT_TIMEOUT, CloseReasons.of(new ConnectTimeoutException("timed out")));
        assertEquals(TerminationReason.ETIMEDOUT, CloseReasons.of(ReadTimeoutException.INSTANCE));
        assertEquals(TerminationReason.ERROR, CloseReasons.of(new IllegalStateException("bug")));
        assertEquals(TerminationReason.ECONNRESET,
                CloseReasons.of(new RuntimeException("wrapped", new IOException("Connection reset"))));
    }

    @Test
    void lagProbeSeesABlockedLoopAndShowsInDumps() throws Exception {
        ConnectionTracker tracker = new ConnectionTracker("lag");
        try (ConnectionMonitor monitor = new ConnectionMonitor(tracker,
                MonitorSettings.builder().outputDirectory(dumps).build());
             EventLoopLagProbe probe = EventLoopLagProbe.attach(monitor, "workers", group)) {
            await().atMost(ms(3000)).until(() -> probe.takeMaxLagMillis() >= 0);
            // Block the loop for 400 ms: the probe's next tick runs that late.
            group.next().submit(() -> {
                long end = System.nanoTime() + Duration.ofMillis(400).toNanos();
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            }).sync();
            long[] seen = new long[1];
            await().atMost(ms(3000)).until(() -> (seen[0] = Math.max(seen[0], probe.takeMaxLagMillis())) >= 250);
            group.next().submit(() -> {
                long end = System.nanoTime() + Duration.ofMillis(400).toNanos();
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            }).sync();
            await().atMost(ms(3000)).untilAsserted(() -> {
                Path dump = monitor.forceCaptureNow();
                long reported = new ObjectMapper().readTree(dump.toFile()).get("system").get("eventLoopLagMs")
                        .get("workers").asLong();
                assertTrue(reported >= 250, "reported " + reported);
            });
        }
    }
}
