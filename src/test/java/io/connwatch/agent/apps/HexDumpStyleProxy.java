package io.connwatch.agent.apps;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.logging.LogLevel;
import io.netty.handler.logging.LoggingHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A plain Netty TCP proxy written the way Netty's own example {@code io.netty.example.proxy.HexDumpProxy} is, and so
 * the way many hand-written proxies in production are: the frontend handler's {@code channelActive} builds a
 * {@link Bootstrap} on the incoming channel's own event loop, connects to the remote host, reads from the client
 * only once connected (auto-read off), relays both ways reading one message at a time, and closes each side when
 * the other closes. Nothing pools, nothing is shared between clients: one incoming connection, one outgoing.
 *
 * <p>Arguments: {@code [--epoll] LISTEN_PORT REMOTE_HOST:REMOTE_PORT} (listen port 0 for any free one; it listens on
 * 127.0.0.1). Prints {@link AppLines#LISTENING} when ready; stops on {@code stop}, SIGTERM or SIGINT.
 */
public final class HexDumpStyleProxy {
    private HexDumpStyleProxy() {
    }

    public static void main(String[] args) throws Exception {
        boolean epoll = args.length > 0 && args[0].equals("--epoll");
        int first = epoll ? 1 : 0;
        if (args.length - first != 2) {
            throw AppLifecycle.refuse("usage: HexDumpStyleProxy [--epoll] LISTEN_PORT REMOTE_HOST:REMOTE_PORT");
        }
        int port = AppLifecycle.number("LISTEN_PORT", args[first], 0, 65535);
        String remote = args[first + 1];
        int colon = remote.lastIndexOf(':');
        if (colon <= 0) {
            throw AppLifecycle.refuse("REMOTE_HOST:REMOTE_PORT must be a host and a port, like 127.0.0.1:8080, not '"
                    + remote + "'");
        }
        String remoteHost = remote.substring(0, colon);
        int remotePort = AppLifecycle.number("REMOTE_PORT", remote.substring(colon + 1), 1, 65535);
        if (epoll && !Epoll.isAvailable()) {
            throw AppLifecycle.refuse("--epoll: the native epoll transport is not available here: "
                    + Epoll.unavailabilityCause());
        }

        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> serverChannel =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(io);
        Channel server = new ServerBootstrap().group(boss, workers).channel(serverChannel)
                // The example logs every event at INFO; DEBUG keeps the handlers where it has them, and quiet.
                .handler(new LoggingHandler(LogLevel.DEBUG))
                .childHandler(new Initializer(remoteHost, remotePort))
                .childOption(ChannelOption.AUTO_READ, false)
                .bind("127.0.0.1", port).sync().channel();
        System.out.println("listening on 127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort());
        AppLifecycle.awaitStop(AppLifecycle::unknownCommand);
        server.close().await(5, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        AppLifecycle.exitStopped();
    }

    /** As {@code HexDumpProxyInitializer}: a logging handler, then the frontend. */
    private static final class Initializer extends ChannelInitializer<SocketChannel> {
        private final String remoteHost;
        private final int remotePort;

        Initializer(String remoteHost, int remotePort) {
            this.remoteHost = remoteHost;
            this.remotePort = remotePort;
        }

        @Override
        protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new LoggingHandler(LogLevel.DEBUG), new Frontend(remoteHost, remotePort));
        }
    }

    /** As {@code HexDumpProxyFrontendHandler}: opens the outgoing connection when a client connects. */
    private static final class Frontend extends ChannelInboundHandlerAdapter {
        private final String remoteHost;
        private final int remotePort;
        // Only touched on the incoming channel's event loop, which the outgoing channel shares.
        private Channel outbound;

        Frontend(String remoteHost, int remotePort) {
            this.remoteHost = remoteHost;
            this.remotePort = remotePort;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel inbound = ctx.channel();
            ChannelFuture connect = new Bootstrap().group(inbound.eventLoop())
                    .channel(inbound.getClass())
                    .handler(new Backend(inbound))
                    .option(ChannelOption.AUTO_READ, false)
                    .connect(remoteHost, remotePort);
            outbound = connect.channel();
            connect.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    inbound.read(); // the first read from the client, now that there is somewhere to send it
                } else {
                    inbound.close();
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (outbound.isActive()) {
                outbound.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        ctx.channel().read(); // the next message only once this one is written: back-pressure
                    } else {
                        f.channel().close();
                    }
                });
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (outbound != null) {
                closeOnFlush(outbound);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeOnFlush(ctx.channel());
        }
    }

    /** As {@code HexDumpProxyBackendHandler}: relays the remote host's answers to the client. */
    private static final class Backend extends ChannelInboundHandlerAdapter {
        private final Channel inbound;

        Backend(Channel inbound) {
            this.inbound = inbound;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            inbound.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    ctx.channel().read();
                } else {
                    f.channel().close();
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closeOnFlush(inbound);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeOnFlush(ctx.channel());
        }
    }

    /** Closes {@code ch} once what is queued on it has been written. */
    static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
