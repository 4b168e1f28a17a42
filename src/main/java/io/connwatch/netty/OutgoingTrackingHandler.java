package io.connwatch.netty;

import io.connwatch.tracking.Side;
import io.connwatch.tracking.TrackedConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.Objects;

/**
 * Feeds the backend side of a proxied connection: attaches the backend channel as the connection's outgoing
 * endpoint as soon as it is created (a connect still pending shows as {@code NO_OUTGOING} once too long), marks the
 * backend's half-close, and gives the client channel the reason of a backend failure. Put it first in the backend
 * channel's pipeline.
 */
public final class OutgoingTrackingHandler extends ChannelInboundHandlerAdapter {
    private final TrackedConnection connection;
    private final Channel clientChannel;

    /** A handler for the backend channel of {@code connection}, whose client channel is {@code clientChannel}. */
    public OutgoingTrackingHandler(TrackedConnection connection, Channel clientChannel) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.clientChannel = Objects.requireNonNull(clientChannel, "clientChannel");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        connection.attachOutgoing(NettyEndpoint.of(ctx.channel()));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            connection.endOfStream(Side.OUTGOING);
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        TrackingHandler.closeReason(clientChannel, Side.OUTGOING, CloseReasons.of(cause));
        super.exceptionCaught(ctx, cause);
    }
}
