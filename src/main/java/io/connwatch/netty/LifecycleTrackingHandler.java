package io.connwatch.netty;

import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TrackedConnection;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.Objects;

/**
 * {@link TrackingHandler} without the byte counting: it opens and closes the record, marks the client's
 * half-close and takes the reason of a failure, but does not override {@code channelRead} or {@code write}, so
 * Netty skips it for every message. For hosts whose own handler sees each message anyway and counts it there with
 * {@link TrackingHandler#received} and {@link TrackedConnection#addBytesSent}: connwatch then adds nothing to the
 * per-message path (the reference proxy works this way). Put it first in the pipeline; one instance per channel.
 */
public final class LifecycleTrackingHandler extends ChannelInboundHandlerAdapter {
    private final ConnectionTracker tracker;
    private TrackedConnection connection;

    /** A handler feeding this tracker. */
    public LifecycleTrackingHandler(ConnectionTracker tracker) {
        this.tracker = Objects.requireNonNull(tracker, "tracker");
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        connection = TrackingHandler.open(tracker, ctx.channel());
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent && connection != null) {
            connection.endOfStream(Side.INCOMING);
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        TrackingHandler.closeReason(ctx.channel(), Side.INCOMING, CloseReasons.of(cause));
        super.exceptionCaught(ctx, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        TrackedConnection c = connection;
        if (c != null) {
            TrackingHandler.closed(ctx.channel(), c);
        }
        super.channelInactive(ctx);
    }
}
