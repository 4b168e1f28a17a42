package io.connwatch.netty;

import io.connwatch.tracking.ConnectionRole;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The agent's handler on a channel the application opened to a backend for many clients in turn (a pooled
 * connection): tracked as a connection of its own ({@link ConnectionRole#UPSTREAM}) from the moment it connects, so
 * a connect that hangs shows too. Bytes written are requests, bytes read responses. Its sides: {@code INCOMING} is the
 * application's, {@code OUTGOING} the backend's; a close by the application (a pool evicting it) is {@code NORMAL}.
 */
final class AgentUpstreamHandler extends AgentHandler {
    private final ConnectionTracker tracker;
    private TrackedConnection connection;
    private boolean closedHere;
    private ChannelPromise connecting;
    // Closed by the application while its connect was pending: the connect fails then, but that is no failure.
    private boolean gaveUp;

    AgentUpstreamHandler(ConnectionTracker tracker, Channel channel) {
        super(channel);
        this.tracker = tracker;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) { // adopted after an attach: connected already
            open(ctx.channel(), ctx.channel().remoteAddress());
        }
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress local, ChannelPromise promise)
            throws Exception {
        if (connection == null) {
            TrackedConnection c = open(ctx.channel(), remote);
            connecting = promise;
            promise.addListener(f -> {
                if (!f.isSuccess() && !gaveUp) {
                    c.close(Side.OUTGOING, AgentChannelTap.reason(f.cause()));
                }
            });
        }
        ctx.connect(remote, local, promise);
    }

    private TrackedConnection open(Channel ch, SocketAddress remote) {
        TrackedConnection c = tracker.open(NettyEndpoint.of(ch), remote, 0, ConnectionRole.UPSTREAM);
        if (remote instanceof InetSocketAddress) {
            InetSocketAddress address = (InetSocketAddress) remote;
            c.target(address.getHostString(), address.getPort());
        }
        connection = c;
        return c;
    }

    @Override
    public void reading(Object msg) {
        TrackedConnection c = connection;
        if (c != null && msg instanceof ByteBuf && onLoop()) {
            c.addBytesReceived(((ByteBuf) msg).readableBytes());
        }
    }

    @Override
    public void writing(Object msg) {
        TrackedConnection c = connection;
        if (c != null && msg instanceof ByteBuf) {
            c.addBytesSent(((ByteBuf) msg).readableBytes());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent && connection != null) {
            connection.endOfStream(Side.INCOMING);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        closedHere = true;
        if (connecting != null && !connecting.isDone()) {
            gaveUp = true;
        }
        ctx.close(promise);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        TrackedConnection c = connection;
        if (c != null) {
            c.close(Side.OUTGOING, AgentChannelTap.reason(cause));
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closeRecord();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) throws Exception {
        closeRecord(); // a channel closed before it became active never goes inactive
        ctx.fireChannelUnregistered();
    }

    private void closeRecord() {
        TrackedConnection c = connection;
        if (c != null) {
            if (closedHere) {
                c.close(Side.INCOMING, TerminationReason.NORMAL);
            } else {
                c.close(Side.OUTGOING, TerminationReason.CLOSED_OUTGOING);
            }
        }
    }
}
