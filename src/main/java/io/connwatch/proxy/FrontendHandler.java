package io.connwatch.proxy;

import io.connwatch.netty.CloseReasons;
import io.connwatch.netty.OutgoingTrackingHandler;
import io.connwatch.netty.TrackingHandler;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A new client: connect to the target on the client's own event loop, then relay. While the connect is pending the
 * client is read only a little (up to {@link #MAX_EARLY_BYTES}), so that a request sent at once is kept and relayed,
 * and a client that leaves is noticed and its pending connect cancelled, leaving nothing behind.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    static final int MAX_EARLY_BYTES = 64 * 1024;

    private final ConnwatchProxy proxy;
    private RelayPair pair;
    private final List<Object> early = new ArrayList<>(2);
    private int earlyBytes;
    private boolean clientEnded;

    FrontendHandler(ConnwatchProxy proxy) {
        this.proxy = proxy;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        TrackedConnection c = TrackingHandler.connection(client);
        pair = new RelayPair(client, c);
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
        connect.addListener(f -> connected(ctx, connect));
        // One read while connecting: it keeps an early request and sees a client that leaves.
        ctx.read();
    }

    private void connected(ChannelHandlerContext ctx, ChannelFuture connect) {
        Channel client = ctx.channel();
        if (!connect.isSuccess()) {
            TrackingHandler.closeReason(client, Side.OUTGOING, CloseReasons.of(connect.cause()));
            client.close();
            return;
        }
        Channel backend = connect.channel();
        if (!client.isActive()) {
            backend.close();
            return;
        }
        for (Object msg : early) {
            backend.write(msg).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        }
        early.clear();
        backend.flush();
        if (clientEnded) {
            // The client already half-closed: pass it on, and relay only the other way.
            pair.ended(Side.INCOMING);
            backend.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ((DuplexChannel) backend).shutdownOutput());
            client.pipeline().addLast(new RelayHandler(pair, Side.INCOMING));
            client.pipeline().remove(this);
            return;
        }
        client.pipeline().addLast(new RelayHandler(pair, Side.INCOMING));
        client.pipeline().remove(this);
        client.config().setAutoRead(true);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (pair.connection != null && msg instanceof ByteBuf) {
            TrackingHandler.received(pair.connection, (ByteBuf) msg);
        }
        early.add(msg);
        if (msg instanceof ByteBuf) {
            earlyBytes += ((ByteBuf) msg).readableBytes();
        }
        if (earlyBytes < MAX_EARLY_BYTES) {
            ctx.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (early.isEmpty()) {
                // Gone before saying anything: the client left while the connect was pending.
                TrackingHandler.closeReason(ctx.channel(), Side.INCOMING, TerminationReason.CLOSED_INCOMING);
                ctx.close();
            } else {
                clientEnded = true;
            }
        }
        super.userEventTriggered(ctx, evt);
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
    public void handlerRemoved(ChannelHandlerContext ctx) {
        for (Object msg : early) {
            ReferenceCountUtil.release(msg);
        }
        early.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
