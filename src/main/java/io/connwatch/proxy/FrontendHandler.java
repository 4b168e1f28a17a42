package io.connwatch.proxy;

import io.connwatch.netty.CloseReasons;
import io.connwatch.netty.OutgoingTrackingHandler;
import io.connwatch.netty.TrackingHandler;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;

/**
 * A new client: connect to the target on the client's own event loop, then relay. The client is not read until the
 * backend is connected. A client that leaves while the connect is pending cancels it, leaving nothing behind.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private final ConnwatchProxy proxy;
    private RelayPair pair;

    FrontendHandler(ConnwatchProxy proxy) {
        this.proxy = proxy;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        pair = new RelayPair(client, proxy.faults());
        TrackedConnection c = TrackingHandler.connection(client);
        InetSocketAddress target = proxy.target();
        if (c != null) {
            c.target(target.getHostString(), target.getPort());
        }
        Bootstrap b = new Bootstrap()
                .group(client.eventLoop())
                .channel(proxy.transport().clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, proxy.connectTimeout().toMillis()))
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel backend) {
                        if (c != null) {
                            backend.pipeline().addLast(new OutgoingTrackingHandler(c, client));
                        }
                        backend.pipeline().addLast(new RelayHandler(pair, Side.OUTGOING));
                    }
                });
        ChannelFuture connect = b.connect(target);
        pair.backend = connect.channel();
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                TrackingHandler.closeReason(client, Side.OUTGOING, CloseReasons.of(f.cause()));
                client.close();
            } else if (!client.isActive()) {
                connect.channel().close();
            } else {
                client.pipeline().addLast(new RelayHandler(pair, Side.INCOMING));
                client.pipeline().remove(this);
                client.config().setAutoRead(true);
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        // The client left before the backend answered: cancel the connect.
        TrackingHandler.closeReason(ctx.channel(), Side.INCOMING, TerminationReason.CLOSED_INCOMING);
        if (pair != null && pair.backend != null) {
            pair.backend.close();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
