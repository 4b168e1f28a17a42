package io.connwatch.proxy;

import io.connwatch.netty.TrackingHandler;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * Relays one direction: what {@code from} reads is written to {@code to}. Back-pressure toggles the reading side's
 * auto-read on the writing side's writability; a half-close is passed on; when both directions have ended, both
 * channels close with reason {@code normal}.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
    private final RelayPair pair;
    private final Side side;

    RelayHandler(RelayPair pair, Side side) {
        this.pair = pair;
        this.side = side;
    }

    private Channel peer() {
        return side == Side.INCOMING ? pair.backend : pair.client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel to = peer();
        if (to == null || !to.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        TrackedConnection c = pair.connection;
        if (c != null && msg instanceof ByteBuf) {
            // Counted here rather than by a handler in each pipeline: one call, no extra pipeline hop.
            if (side == Side.INCOMING) {
                TrackingHandler.received(c, (ByteBuf) msg);
            } else {
                c.addBytesSent(((ByteBuf) msg).readableBytes());
            }
        }
        to.writeAndFlush(msg).addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        if (!to.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        // This channel drained: the peer that feeds it may read again.
        Channel from = peer();
        if (ctx.channel().isWritable() && from != null) {
            from.config().setAutoRead(true);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            Channel to = peer();
            if (to instanceof DuplexChannel && to.isActive()) {
                // Flush what is queued before the FIN.
                to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ((DuplexChannel) to).shutdownOutput());
            }
            if (pair.ended(side)) {
                TrackingHandler.closeReason(pair.client, side, TerminationReason.NORMAL);
                pair.closeBoth();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        TrackingHandler.closeReason(pair.client, side,
                side == Side.INCOMING ? TerminationReason.CLOSED_INCOMING : TerminationReason.CLOSED_OUTGOING);
        pair.closeBoth();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The tracking handlers already recorded the reason; close both sides.
        pair.closeBoth();
    }
}
