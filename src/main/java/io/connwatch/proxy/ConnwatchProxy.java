package io.connwatch.proxy;

import io.connwatch.netty.LifecycleTrackingHandler;
import io.connwatch.netty.TrackingHandler;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The monitored reference TCP proxy: listens, connects each client to the target (with a connect timeout), relays
 * both ways with back-pressure and half-close, and feeds a {@link ConnectionTracker} through
 * {@link LifecycleTrackingHandler}, the relay handlers counting the bytes themselves (no connwatch handler on the
 * per-message path). Native epoll when available, NIO otherwise. {@link #close()} closes every connection with
 * reason {@code shutdown}.
 *
 * <pre>{@code
 * ConnectionTracker tracker = new ConnectionTracker("edge");
 * try (ConnwatchProxy proxy = ConnwatchProxy.builder()
 *         .listen(new InetSocketAddress("0.0.0.0", 8443))
 *         .target(new InetSocketAddress("10.0.0.5", 8080))
 *         .tracker(tracker)
 *         .build().start();
 *      ConnectionMonitor monitor = new ConnectionMonitor(tracker, MonitorSettings.defaults()).start()) {
 *     proxy.closeFuture().await();
 * }
 * }</pre>
 */
public final class ConnwatchProxy implements AutoCloseable {
    private final InetSocketAddress listen;
    private final InetSocketAddress target;
    private final Duration connectTimeout;
    private final ConnectionTracker tracker;
    private final Transport transport;
    private final int workerThreads;
    private final boolean tracking;
    private final Consumer<ChannelPipeline> clientPipelineHook;
    private final ChannelGroup clients = new DefaultChannelGroup("connwatch-proxy-clients", GlobalEventExecutor.INSTANCE);
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel server;

    private ConnwatchProxy(Builder b) {
        this.listen = b.listen;
        this.target = Objects.requireNonNull(b.target, "target");
        this.connectTimeout = b.connectTimeout;
        this.tracker = b.tracker != null ? b.tracker : new ConnectionTracker("proxy");
        this.transport = Transport.pick(b.preferNative);
        this.workerThreads = b.workerThreads;
        this.tracking = b.tracking;
        this.clientPipelineHook = b.clientPipelineHook;
    }

    /** A builder: {@code target} is required; the rest have defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Binds and starts accepting. */
    public synchronized ConnwatchProxy start() throws InterruptedException {
        if (server != null) {
            throw new IllegalStateException("proxy already started");
        }
        bossGroup = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        workerGroup = new MultiThreadIoEventLoopGroup(workerThreads, transport.ioHandlerFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        clients.add(ch);
                        if (tracking) {
                            ch.pipeline().addLast(new LifecycleTrackingHandler(tracker));
                        }
                        ch.pipeline().addLast(new FrontendHandler(ConnwatchProxy.this));
                        clientPipelineHook.accept(ch.pipeline());
                    }
                });
        try {
            server = b.bind(listen).sync().channel();
        } catch (Exception e) { // also the bind's IOException, which Netty rethrows undeclared
            shutdownGroups();
            throw e;
        }
        return this;
    }

    /** Where it listens (the actual port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Where it connects. */
    public InetSocketAddress target() {
        return target;
    }

    /** The tracker it feeds. */
    public ConnectionTracker tracker() {
        return tracker;
    }

    /** The event loops that serve connections, e.g. for an {@code EventLoopLagProbe}. */
    public EventLoopGroup workerGroup() {
        return workerGroup;
    }

    /** Whether it runs on native epoll. */
    public boolean isNative() {
        return transport == Transport.EPOLL;
    }

    /** Completes when the listening channel closes. */
    public ChannelFuture closeFuture() {
        return server.closeFuture();
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    Transport transport() {
        return transport;
    }

    /**
     * Stops accepting, closes every connection with reason {@code shutdown} (pending writes flushed), and stops the
     * event loops.
     */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        for (Channel ch : clients) {
            TrackingHandler.closeReason(ch, Side.INCOMING, TerminationReason.SHUTDOWN);
        }
        clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        shutdownGroups();
        server = null;
    }

    private void shutdownGroups() {
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Builds a {@link ConnwatchProxy}. */
    public static final class Builder {
        private InetSocketAddress listen = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        private InetSocketAddress target;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private ConnectionTracker tracker;
        private boolean preferNative = true;
        private int workerThreads;
        private boolean tracking = true;
        private Consumer<ChannelPipeline> clientPipelineHook = pipeline -> { };

        private Builder() {
        }

        /**
         * For tests: adds handlers to each client's pipeline once, when the channel is set up, after the proxy's own
         * (the tracking handler first, then the one that connects to the target; the relay handler is added last once
         * connected). The fault scenarios reproduce a host's bugs this way, so the relay itself holds no switch for
         * them and nothing is read per message. Not public: a proxy built through the API has none.
         */
        Builder onClientPipeline(Consumer<ChannelPipeline> hook) {
            this.clientPipelineHook = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /**
         * Whether to feed the tracker (default true). Off, the proxy relays without connwatch in its pipelines: the
         * baseline for overhead measurements, and {@code proxy --no-monitor}.
         */
        public Builder tracking(boolean tracking) {
            this.tracking = tracking;
            return this;
        }

        /** Where to listen (default loopback, an ephemeral port). */
        public Builder listen(InetSocketAddress address) {
            this.listen = Objects.requireNonNull(address, "listen");
            return this;
        }

        /** Where to connect each client. */
        public Builder target(InetSocketAddress address) {
            this.target = Objects.requireNonNull(address, "target");
            return this;
        }

        /** The backend connect timeout (default 10 s); a connect that takes longer closes as {@code connect_timeout}. */
        public Builder connectTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive, was " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /** The tracker to feed (default a new one named {@code proxy}). */
        public Builder tracker(ConnectionTracker tracker) {
            this.tracker = Objects.requireNonNull(tracker, "tracker");
            return this;
        }

        /** Whether to use native epoll where available (default true). */
        public Builder preferNative(boolean preferNative) {
            this.preferNative = preferNative;
            return this;
        }

        /** Event loop threads (default Netty's: twice the cores). */
        public Builder workerThreads(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("workerThreads must be 0 (Netty's default) or more, was " + n);
            }
            this.workerThreads = n;
            return this;
        }

        /** The proxy, not started. */
        public ConnwatchProxy build() {
            if (target == null) {
                throw new IllegalStateException("target is required");
            }
            return new ConnwatchProxy(this);
        }
    }
}
