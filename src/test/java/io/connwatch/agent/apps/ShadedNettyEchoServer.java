package io.connwatch.agent.apps;

import io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.SocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * An echo server on a Netty relocated into another package, as applications bundle it: gRPC's
 * {@code io.grpc.netty.shaded.io.netty}. It writes back every message it reads, on the same connection.
 *
 * <p>Arguments: {@code LISTEN_PORT} (0 for any free one; it listens on 127.0.0.1). Prints {@link AppLines#LISTENING}
 * when ready; stops on {@code stop}, SIGTERM or SIGINT.
 */
public final class ShadedNettyEchoServer {
    private ShadedNettyEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw AppLifecycle.refuse("usage: ShadedNettyEchoServer LISTEN_PORT");
        }
        int port = AppLifecycle.number("LISTEN_PORT", args[0], 0, 65535);
        EventLoopGroup group = new NioEventLoopGroup(1);
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ctx.writeAndFlush(msg);
                            }
                        });
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        System.out.println("listening on 127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort());
        AppLifecycle.awaitStop(AppLifecycle::unknownCommand);
        server.close().await(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        AppLifecycle.exitStopped();
    }
}
