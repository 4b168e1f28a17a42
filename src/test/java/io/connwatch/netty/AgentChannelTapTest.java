package io.connwatch.netty;

import static io.connwatch.testing.TestTimes.ms;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.connwatch.analysis.ConnectionCheck;
import io.connwatch.analysis.Pattern;
import io.connwatch.agent.WovenNetty;
import io.connwatch.analysis.PatternRules;
import io.connwatch.demo.TestBackend;
import io.connwatch.testing.Sockets;
import io.connwatch.tracking.ConnectionRole;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import io.connwatch.tracking.TrackerListener;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.SimpleChannelPool;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's tap on real Netty channels over loopback. Told of each new channel as the woven constructor tells it:
 * for every accepted channel with its server channel as parent, for every channel the application opens with none
 * (here through the bootstraps' channel factories, on the thread that opens it). Told of every read and write by
 * this JVM's Netty, woven as the agent weaves it. Decides served, paired backend or pooled upstream, and the records
 * it feeds are judged by a real check with short thresholds.
 */
class AgentChannelTapTest {
    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(US_ASCII);
    private static final Duration SHORT = ms(200);
    private static final PatternRules RULES = PatternRules.builder().stuckAfter(SHORT).halfZombieGrace(SHORT)
            .connectTimeout(SHORT).build();
    private static final Duration WAIT = ms(10_000);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final ConnectionTracker incoming = new ConnectionTracker("tap");
    private final ConnectionTracker upstream = new ConnectionTracker("tap-upstream");
    private final AgentChannelTap tap = new AgentChannelTap(incoming, upstream, false);
    private final BlockingQueue<TrackedConnection> incomingOpened = new LinkedBlockingQueue<>();
    private final BlockingQueue<TrackedConnection> upstreamOpened = new LinkedBlockingQueue<>();
    private final BlockingQueue<Channel> backendAccepted = new LinkedBlockingQueue<>();
    // For each channel the application opened: whether an incoming connection's event was being handled then.
    private final Map<Channel, Boolean> openedDuringAnEvent = new ConcurrentHashMap<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private WovenNetty woven;

    @BeforeEach
    void listen() throws Exception {
        incoming.addListener(opened(incomingOpened));
        upstream.addListener(opened(upstreamOpened));
        woven = WovenNetty.install(readsAndWritesTo(tap));
    }

    @AfterEach
    void tearDown() throws Exception {
        Collections.reverse(resources);
        for (AutoCloseable r : resources) {
            r.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        woven.close();
    }

    /** The woven reads and writes go to the tap; new channels are told to it by the test, which picks their parent. */
    private static ChannelTap readsAndWritesTo(ChannelTap tap) {
        return new ChannelTap() {
            @Override
            public void created(Object channel, Object parent) {
            }

            @Override
            public void reading(Object channel, Object msg) {
                tap.reading(channel, msg);
            }

            @Override
            public void readDone(Object channel) {
                tap.readDone(channel);
            }

            @Override
            public void writing(Object channel, Object msg) {
                tap.writing(channel, msg);
            }
        };
    }

    private static TrackerListener opened(BlockingQueue<TrackedConnection> into) {
        return new TrackerListener() {
            @Override
            public void opened(TrackedConnection connection) {
                into.add(connection);
            }
        };
    }

    // ---- served: an accepted connection the server answers itself ----

    @Test
    void aRequestTheServerNeverAnswersIsStuckWhileAnAnsweredOneWaitingForItsNextRequestIsNot() throws Exception {
        InetSocketAddress server = served(false);
        Socket answered = client(server);
        Sockets.send(answered, request("/"));
        assertArrayEquals(RESPONSE, answered.getInputStream().readNBytes(RESPONSE.length));
        TrackedConnection a = next(incomingOpened);
        assertEquals(ConnectionRole.SERVED, a.role());
        await().atMost(WAIT).until(() -> a.bytesSent() == RESPONSE.length);
        assertEquals(request("/").length, a.bytesReceived());

        // Asked after the first one's answer went back, so by the time it is STUCK the first has been quiet longer.
        Socket unanswered = client(server);
        Sockets.send(unanswered, request("/hang"));
        TrackedConnection u = next(incomingOpened);
        awaitPattern(incoming, u, Pattern.STUCK);

        assertEquals(Set.of(Pattern.STUCK), patterns(u), "no backend is no fault (connectTimeout is as short)");
        assertEquals(Set.of(), patterns(a), "a keep-alive connection between requests owes nothing");
        assertNull(a.target());
        assertFalse(a.outgoing().exists());
        assertEquals(0, upstream.totalOpened());
    }

    @Test
    void aHandlerTheServerPutsBeforeTheAgentsLeavesItCountingAndJudging() throws Exception {
        // As Reactor Netty puts its TLS handler first, after the agent's was added: then the tap finds the agent's.
        InetSocketAddress server = bind(new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(accepting(ch -> ch.pipeline().addFirst("first", new PassingOn())
                        .addLast("app", new Answering()))));
        Socket answered = client(server);
        Sockets.send(answered, request("/"));
        assertArrayEquals(RESPONSE, answered.getInputStream().readNBytes(RESPONSE.length));
        TrackedConnection a = next(incomingOpened);
        Socket unanswered = client(server);
        Sockets.send(unanswered, request("/hang"));
        TrackedConnection u = next(incomingOpened);

        await().atMost(WAIT).until(() -> a.bytesSent() == RESPONSE.length);
        assertEquals(request("/").length, a.bytesReceived());
        awaitPattern(incoming, u, Pattern.STUCK);
        assertEquals(Set.of(), patterns(a));
    }

    /** A handler on every message, passing each on: one the agent's handler cannot be first before. */
    private static final class PassingOn extends io.netty.channel.ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
            ctx.write(msg, promise);
        }
    }

    @Test
    void theServerClosingIsNormalAndTheClientClosingIsClosedIncoming() throws Exception {
        InetSocketAddress server = served(false);
        Socket closedByServer = client(server);
        Sockets.send(closedByServer, request("/close"));
        TrackedConnection byServer = next(incomingOpened);
        Sockets.assertEndOfStream(closedByServer);
        await().atMost(WAIT).until(byServer::connectionClosed);
        assertEquals(TerminationReason.NORMAL, byServer.terminationReason());
        assertEquals(Side.OUTGOING, byServer.closedBy());

        Socket leaving = client(server);
        Sockets.send(leaving, request("/"));
        assertArrayEquals(RESPONSE, leaving.getInputStream().readNBytes(RESPONSE.length));
        TrackedConnection byClient = next(incomingOpened);
        leaving.close();
        await().atMost(WAIT).until(byClient::connectionClosed);
        assertEquals(TerminationReason.CLOSED_INCOMING, byClient.terminationReason());
        assertEquals(Side.INCOMING, byClient.closedBy());
        assertEquals(0, incoming.activeConnections());
    }

    @Test
    void aClientHalfCloseTheServerIgnoresIsAHalfZombie() throws Exception {
        InetSocketAddress server = served(true);
        Socket client = client(server);
        Sockets.send(client, request("/"));
        assertArrayEquals(RESPONSE, client.getInputStream().readNBytes(RESPONSE.length));
        TrackedConnection c = next(incomingOpened);
        client.shutdownOutput();
        await().atMost(WAIT).until(() -> c.ended(Side.INCOMING));
        awaitPattern(incoming, c, Pattern.HALF_ZOMBIE);
        assertEquals(Set.of(Pattern.HALF_ZOMBIE), patterns(c));
    }

    // ---- paired: a backend opened while the client's event is handled ----

    @Test
    void aBackendOpenedWhileTheClientConnectsIsItsBackendAndOneThatNeverAnswersIsStuck() throws Exception {
        InetSocketAddress backend = backend();
        Socket client = client(proxy(backend));
        Sockets.send(client, request("/hang"));
        TrackedConnection c = next(incomingOpened);
        Channel backendChannel = awaitPaired(c, backend);
        assertEquals(Boolean.TRUE, openedDuringAnEvent.get(backendChannel), "the premise: opened during the event");
        await().atMost(WAIT).until(() -> c.bytesReceived() == request("/hang").length);

        awaitPattern(incoming, c, Pattern.STUCK);
        assertEquals(Set.of(Pattern.STUCK), patterns(c));
        assertEquals(0, upstream.totalOpened(), "a client's own backend is no pooled connection");
    }

    @Test
    void aPairedBackendRelaysAndItsCloseIsClosedOutgoingOnTheClientsRecord() throws Exception {
        InetSocketAddress backend = backend();
        Socket client = client(proxy(backend));
        Sockets.send(client, request("/"));
        assertArrayEquals(RESPONSE, client.getInputStream().readNBytes(RESPONSE.length));
        TrackedConnection c = next(incomingOpened);
        awaitPaired(c, backend);
        await().atMost(WAIT).until(() -> c.bytesSent() == RESPONSE.length);
        assertEquals(request("/").length, c.bytesReceived());

        Channel backendSide = backendAccepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(backendSide);
        backendSide.close();
        Sockets.assertEndOfStream(client);
        await().atMost(WAIT).until(c::connectionClosed);
        assertEquals(TerminationReason.CLOSED_OUTGOING, c.terminationReason(), "the backend left first");
        assertEquals(Side.OUTGOING, c.closedBy());
        assertEquals(0, upstream.totalOpened());
    }

    @Test
    void aBackendTheServerOpensForEachRequestAndClosesItselfLeavesItsKeepAliveClientJudgedAlone() throws Exception {
        InetSocketAddress backend = backend();
        InetSocketAddress server = bind(new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(accepting(ch -> ch.pipeline().addLast("app", new BackendPerRequest(backend)))));
        Socket client = client(server);
        Sockets.send(client, request("/"));
        assertArrayEquals(RESPONSE, client.getInputStream().readNBytes(RESPONSE.length));
        TrackedConnection c = next(incomingOpened);
        assertEquals(backend.getHostString() + ":" + backend.getPort(), c.target().toString(),
                "the premise: the backend opened during the client's read was its backend");
        await().atMost(WAIT).until(() -> !c.outgoing().exists());

        // Idle on keep-alive past the half-zombie grace, with its backend gone: the server's own business.
        await().atMost(WAIT).until(() -> System.nanoTime() - c.lastActivityNanos() > 2 * SHORT.toNanos());
        ConnectionCheck.run(incoming, RULES, e -> {
            throw new AssertionError("no probe fails here", e);
        });
        assertEquals(Set.of(), patterns(c));

        Sockets.send(client, request("/"));
        assertArrayEquals(RESPONSE, client.getInputStream().readNBytes(RESPONSE.length), "the next request");
        await().atMost(WAIT).until(() -> c.bytesSent() == 2L * RESPONSE.length && !c.outgoing().exists());
        client.close();
        await().atMost(WAIT).until(c::connectionClosed);
        assertEquals(TerminationReason.CLOSED_INCOMING, c.terminationReason(), "the client left, no backend did");
        assertEquals(1, incoming.totalOpened());
        assertEquals(0, upstream.totalOpened(), "a backend of one client's request is no pooled connection");
    }

    /** A server that opens a backend for each request, relays its answer and closes it: no pool, client kept. */
    private final class BackendPerRequest extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress backend;

        BackendPerRequest(InetSocketAddress backend) {
            this.backend = backend;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel in = ctx.channel();
            new Bootstrap().group(in.eventLoop()).channelFactory(opening())
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext backendCtx, Object answer) {
                            in.writeAndFlush(answer);
                            backendCtx.close(); // one answer is all this server wants from it
                        }
                    })
                    .connect(backend).addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            f.channel().writeAndFlush(msg);
                        } else {
                            ReferenceCountUtil.release(msg);
                            in.close();
                        }
                    });
        }
    }

    @Test
    void aPairedBackendStillConnectingPastTheConnectTimeoutIsNoOutgoingAndGivingItUpIsNoFailure() throws Exception {
        TestBackend neverAccepts = use(new TestBackend(TestBackend.Behaviour.NEVER_ACCEPT));
        InetSocketAddress backend = neverAccepts.address();
        Socket client = client(proxy(backend));
        TrackedConnection c = next(incomingOpened);
        await().atMost(WAIT).until(() -> c.outgoing().exists());
        assertEquals(backend.getHostString() + ":" + backend.getPort(), c.target().toString());
        awaitPattern(incoming, c, Pattern.NO_OUTGOING);
        assertEquals(Set.of(Pattern.NO_OUTGOING), patterns(c));

        // The application gives the connect up (its own timeout), and then closes its client: the server's close.
        ((NettyEndpoint) c.outgoing()).channel().close();
        Sockets.assertEndOfStream(client);
        await().atMost(WAIT).until(c::connectionClosed);
        assertEquals(TerminationReason.NORMAL, c.terminationReason());
    }

    @Test
    void aChannelOpenedOnTheClientsThreadAfterItsEventIsNoBackendOfIt() throws Exception {
        InetSocketAddress backend = backend();
        InetSocketAddress server = bind(new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(accepting(ch -> ch.pipeline().addLast("app", new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        // Later on the same thread, once this event is over: a lazy connect, not a relay's.
                        ctx.executor().execute(() -> new Bootstrap().group(ctx.channel().eventLoop())
                                .channelFactory(opening()).handler(new ChannelInboundHandlerAdapter())
                                .connect(backend));
                        ctx.fireChannelActive();
                    }
                }))));
        client(server);
        TrackedConnection c = next(incomingOpened);
        TrackedConnection u = next(upstreamOpened);
        assertEquals(ConnectionRole.UPSTREAM, u.role());
        assertEquals(List.of(false), List.copyOf(openedDuringAnEvent.values()));
        assertNull(c.target());
        assertFalse(c.outgoing().exists());
    }

    @Test
    void aChannelAPoolOpensDuringAClientsEventIsUpstreamNotItsBackend() throws Exception {
        InetSocketAddress backend = backend();
        SimpleChannelPool pool = new SimpleChannelPool(new Bootstrap().group(group).channelFactory(opening())
                .remoteAddress(backend), new AbstractChannelPoolHandler() {
                    @Override
                    public void channelCreated(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter());
                    }
                });
        use(pool::close);
        InetSocketAddress server = bind(new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(accepting(ch -> ch.pipeline().addLast("app", new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ((ByteBuf) msg).release();
                        // The Reactor Netty shape: the client's request borrows a pooled connection upstream.
                        pool.acquire().addListener((Future<Channel> f) -> {
                            if (f.isSuccess()) {
                                f.getNow().writeAndFlush(Unpooled.wrappedBuffer(request("/")));
                            }
                        });
                    }
                }))));
        Socket client = client(server);
        Sockets.send(client, request("/"));
        TrackedConnection c = next(incomingOpened);
        TrackedConnection u = next(upstreamOpened);
        assertEquals(List.of(true), List.copyOf(openedDuringAnEvent.values()), "the premise: opened during the event");
        assertEquals(ConnectionRole.UPSTREAM, u.role());
        await().atMost(WAIT).until(() -> u.bytesReceived() == RESPONSE.length);
        assertEquals(backend.getHostString() + ":" + backend.getPort(), u.target().toString());
        assertEquals(request("/").length, u.bytesSent());
        assertNull(c.target(), "a pooled connection is no one client's backend");
        assertFalse(c.outgoing().exists());
        assertEquals(1, incoming.totalOpened());
    }

    // ---- upstream: a channel the application opens on its own ----

    @Test
    void aChannelOpenedOutsideAnyClientsEventIsUpstreamCountingRequestsOutAndAnswersIn() throws Exception {
        InetSocketAddress backend = backend();
        AtomicInteger answered = new AtomicInteger();
        Channel ch = connect(backend, answered);
        TrackedConnection u = next(upstreamOpened);
        assertEquals(ConnectionRole.UPSTREAM, u.role());
        assertEquals(backend.getHostString() + ":" + backend.getPort(), u.target().toString());
        ch.writeAndFlush(Unpooled.wrappedBuffer(request("/"))).sync();
        await().atMost(WAIT).until(() -> answered.get() == RESPONSE.length);
        assertEquals(request("/").length, u.bytesSent(), "written: the request");
        assertEquals(RESPONSE.length, u.bytesReceived(), "read: the answer");

        // Asked after the first one's answer came back: by the time it is STUCK the first has idled longer.
        Channel silent = connect(backend, new AtomicInteger());
        TrackedConnection s = next(upstreamOpened);
        silent.writeAndFlush(Unpooled.wrappedBuffer(request("/hang"))).sync();
        awaitPattern(upstream, s, Pattern.STUCK);
        assertEquals(Set.of(Pattern.STUCK), patterns(s));
        assertEquals(Set.of(), patterns(u), "idle in the pool after a full exchange");

        ch.close().sync();
        await().atMost(WAIT).until(u::connectionClosed);
        assertEquals(TerminationReason.NORMAL, u.terminationReason(), "the application closed it");
        assertEquals(Side.INCOMING, u.closedBy());
        assertEquals(0, incoming.totalOpened());
    }

    @Test
    void aBackendClosingAPooledChannelIsClosedOutgoing() throws Exception {
        InetSocketAddress backend = backend();
        Channel ch = connect(backend, new AtomicInteger());
        TrackedConnection u = next(upstreamOpened);
        Channel backendSide = backendAccepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(backendSide);
        backendSide.close();
        await().atMost(WAIT).until(u::connectionClosed);
        assertEquals(TerminationReason.CLOSED_OUTGOING, u.terminationReason());
        assertEquals(Side.OUTGOING, u.closedBy());
        await().atMost(WAIT).until(() -> !ch.isOpen());
    }

    @Test
    void aConnectThatHangsIsNoOutgoingNamingItsBackendAndClosesNormallyWhenGivenUp() throws Exception {
        TestBackend neverAccepts = use(new TestBackend(TestBackend.Behaviour.NEVER_ACCEPT));
        InetSocketAddress backend = neverAccepts.address();
        ChannelFuture connecting = new Bootstrap().group(group).channelFactory(opening())
                .handler(new ChannelInboundHandlerAdapter()).connect(backend);
        TrackedConnection u = next(upstreamOpened);
        await().atMost(WAIT).until(() -> u.target() != null);
        assertEquals(backend.getHostString() + ":" + backend.getPort(), u.target().toString());
        awaitPattern(upstream, u, Pattern.NO_OUTGOING);
        assertEquals(Set.of(Pattern.NO_OUTGOING), patterns(u));

        // Never active, so never inactive: the record still closes.
        connecting.channel().close().sync();
        await().atMost(WAIT).until(u::connectionClosed);
        assertEquals(TerminationReason.NORMAL, u.terminationReason());
        assertEquals(0, upstream.activeConnections());
    }

    @Test
    void aRefusedConnectIsClosedAsRefused() throws Exception {
        InetSocketAddress nobody = TestBackend.refusingAddress();
        ChannelFuture refused = new Bootstrap().group(group).channelFactory(opening())
                .handler(new ChannelInboundHandlerAdapter()).connect(nobody).await();
        assertFalse(refused.isSuccess());
        TrackedConnection u = next(upstreamOpened);
        await().atMost(WAIT).until(u::connectionClosed);
        assertEquals(TerminationReason.ECONNREFUSED, u.terminationReason());
        assertEquals(Side.OUTGOING, u.closedBy());
    }

    // ---- channels that are no sockets ----

    @Test
    void channelsThatAreNoSocketsAreLeftAlone() throws Exception {
        EmbeddedChannel embedded = new EmbeddedChannel();
        tap.created(embedded, null);
        assertNull(embedded.pipeline().get(AgentChannelTap.HANDLER_NAME));
        embedded.writeInbound(Unpooled.wrappedBuffer(request("/")));
        embedded.writeOutbound(Unpooled.wrappedBuffer(RESPONSE));
        embedded.finishAndReleaseAll();

        for (Channel unregistered : List.of(new NioServerSocketChannel(), new NioDatagramChannel())) {
            tap.created(unregistered, null);
            assertNull(unregistered.pipeline().get(AgentChannelTap.HANDLER_NAME), unregistered.toString());
            unregistered.unsafe().closeForcibly();
        }

        EventLoopGroup local = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        try {
            LocalAddress address = new LocalAddress(AgentChannelTapTest.class);
            BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
            Channel server = new ServerBootstrap().group(local).channel(LocalServerChannel.class)
                    .childHandler(new ChannelInitializer<LocalChannel>() {
                        @Override
                        protected void initChannel(LocalChannel ch) {
                            tap.created(ch, ch.parent());
                            ch.pipeline().addLast(new Answering());
                            accepted.add(ch);
                        }
                    }).bind(address).sync().channel();
            AtomicInteger answered = new AtomicInteger();
            ChannelFactory<LocalChannel> factory = () -> {
                LocalChannel ch = new LocalChannel();
                tap.created(ch, null);
                return ch;
            };
            Channel client = new Bootstrap().group(local).channelFactory(factory).handler(counting(answered))
                    .connect(address).sync().channel();
            client.writeAndFlush(Unpooled.wrappedBuffer(request("/"))).sync();
            await().atMost(WAIT).until(() -> answered.get() == RESPONSE.length);
            Channel child = accepted.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(child);
            assertNull(client.pipeline().get(AgentChannelTap.HANDLER_NAME));
            assertNull(child.pipeline().get(AgentChannelTap.HANDLER_NAME));
            client.close().sync();
            server.close().sync();
        } finally {
            local.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
        assertEquals(0, incoming.totalOpened());
        assertEquals(0, upstream.totalOpened());
    }

    // ---- the application, as the agent finds it ----

    /** What the agent does to every accepted channel, then the application's own initialisation. */
    private ChannelInitializer<NioSocketChannel> accepting(Consumer<NioSocketChannel> app) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(NioSocketChannel ch) {
                tap.created(ch, ch.parent());
                app.accept(ch);
            }
        };
    }

    /** What the agent does to every channel the application opens: called where its constructor runs. */
    private ChannelFactory<NioSocketChannel> opening() {
        return () -> {
            NioSocketChannel ch = new NioSocketChannel();
            openedDuringAnEvent.put(ch, AgentIncomingHandler.current() != null);
            tap.created(ch, null);
            return ch;
        };
    }

    /** A server that answers its clients itself (see {@link Answering}). */
    private InetSocketAddress served(boolean allowHalfClosure) throws InterruptedException {
        return bind(new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, allowHalfClosure)
                .childHandler(accepting(ch -> ch.pipeline().addLast("app", new Answering()))));
    }

    /** Netty's HexDumpProxy example: opens the backend when the client connects, then relays both ways. */
    private InetSocketAddress proxy(InetSocketAddress backend) throws InterruptedException {
        return bind(new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(accepting(ch -> ch.pipeline().addLast("app", new Frontend(backend)))));
    }

    private final class Frontend extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress backend;
        private Channel outbound;

        Frontend(InetSocketAddress backend) {
            this.backend = backend;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel in = ctx.channel();
            ChannelFuture f = new Bootstrap().group(in.eventLoop()).channelFactory(opening())
                    .handler(new Relay(in)).connect(backend);
            outbound = f.channel();
            f.addListener((ChannelFutureListener) done -> {
                if (done.isSuccess()) {
                    in.read();
                } else {
                    in.close();
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            outbound.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    ctx.channel().read();
                } else {
                    f.channel().close();
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (outbound != null) {
                closeOnFlush(outbound);
            }
        }
    }

    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel inbound;

        Relay(Channel inbound) {
            this.inbound = inbound;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            inbound.writeAndFlush(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeOnFlush(inbound);
        }
    }

    private static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A backend the agent does not see (its channels are not given to the tap), answering as {@link Answering}. */
    private InetSocketAddress backend() throws InterruptedException {
        InetSocketAddress bound = bind(new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<NioSocketChannel>() {
                    @Override
                    protected void initChannel(NioSocketChannel ch) {
                        backendAccepted.add(ch);
                        ch.pipeline().addLast(new Answering());
                    }
                }));
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort());
    }

    /** Answers each whole request with {@link #RESPONSE}; never {@code /hang}; answers {@code /close} and closes. */
    private static final class Answering extends ChannelInboundHandlerAdapter {
        private final StringBuilder pending = new StringBuilder();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                pending.append(buf.toString(US_ASCII));
            } finally {
                buf.release();
            }
            for (int end; (end = pending.indexOf("\r\n\r\n")) >= 0; ) {
                String head = pending.substring(0, end);
                pending.delete(0, end + 4);
                if (head.startsWith("GET /hang ")) {
                    continue;
                }
                ChannelFuture f = ctx.writeAndFlush(Unpooled.wrappedBuffer(RESPONSE));
                if (head.startsWith("GET /close ")) {
                    f.addListener(ChannelFutureListener.CLOSE);
                }
            }
        }
    }

    private Channel connect(InetSocketAddress backend, AtomicInteger answered) throws InterruptedException {
        return new Bootstrap().group(group).channelFactory(opening()).handler(counting(answered))
                .connect(backend).sync().channel();
    }

    private static ChannelInboundHandlerAdapter counting(AtomicInteger bytes) {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf buf = (ByteBuf) msg;
                bytes.addAndGet(buf.readableBytes());
                buf.release();
            }
        };
    }

    // ---- plumbing ----

    private InetSocketAddress bind(ServerBootstrap b) throws InterruptedException {
        Channel server = b.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        use(() -> server.close().awaitUninterruptibly());
        return (InetSocketAddress) server.localAddress();
    }

    private Socket client(InetSocketAddress server) throws IOException {
        return use(Sockets.connect(server));
    }

    private <T extends AutoCloseable> T use(T resource) {
        resources.add(resource);
        return resource;
    }

    private static byte[] request(String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(US_ASCII);
    }

    private static TrackedConnection next(BlockingQueue<TrackedConnection> opened) throws InterruptedException {
        TrackedConnection c = opened.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(c, "no connection tracked");
        return c;
    }

    /** Awaits the client's record naming the backend and holding the backend channel; returns that channel. */
    private Channel awaitPaired(TrackedConnection c, InetSocketAddress backend) {
        await().atMost(WAIT).until(() -> c.outgoing().exists() && !c.outgoing().connecting());
        assertEquals(ConnectionRole.SERVED, c.role());
        assertEquals(backend.getHostString() + ":" + backend.getPort(), c.target().toString());
        Channel out = ((NettyEndpoint) c.outgoing()).channel();
        assertEquals(backend.getPort(), ((InetSocketAddress) out.remoteAddress()).getPort());
        return out;
    }

    /** Runs checks, as the agent's monitor does, until {@code c} shows {@code p}; patterns stay on each record. */
    private static void awaitPattern(ConnectionTracker tracker, TrackedConnection c, Pattern p) {
        await().atMost(WAIT).until(() -> {
            ConnectionCheck.run(tracker, RULES, e -> {
                throw new AssertionError("no probe fails here", e);
            });
            return patterns(c).contains(p);
        });
    }

    private static Set<Pattern> patterns(TrackedConnection c) {
        Set<Pattern> out = EnumSet.noneOf(Pattern.class);
        out.addAll(Pattern.of(c.patternBits()));
        return out;
    }
}
