package io.connwatch.netty;

import io.connwatch.tracking.ConnectionRole;
import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.ProtocolSniffer;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Feeds a tracker from a client channel's pipeline: opens the record when the channel becomes active, counts bytes
 * read and written, marks the first data (spotting TLS and HTTP keep-alive), the client's half-close, and closes the
 * record when the channel closes, with the reason the host gave through {@link #closeReason} or, failing that, one
 * read from what happened. Put it first in the pipeline; one instance per channel.
 *
 * <p>The backend side of a proxied connection is fed by {@link OutgoingTrackingHandler}. A host that already sees
 * every message in a handler of its own can count there instead ({@link #received}, {@code addBytesSent}) and put a
 * {@link LifecycleTrackingHandler} in the pipeline: then no connwatch handler is on the per-message path at all.
 */
public final class TrackingHandler extends ChannelDuplexHandler {
    private static final AttributeKey<TrackedConnection> CONNECTION = AttributeKey.valueOf("connwatch.connection");
    private static final AttributeKey<CloseHint> HINT = AttributeKey.valueOf("connwatch.closeReason");

    private final ConnectionTracker tracker;
    private TrackedConnection connection;

    /** A handler feeding this tracker. */
    public TrackingHandler(ConnectionTracker tracker) {
        this.tracker = Objects.requireNonNull(tracker, "tracker");
    }

    /** The tracked connection of a client channel, or null before it is active or without this handler. */
    public static TrackedConnection connection(Channel clientChannel) {
        return clientChannel.attr(CONNECTION).get();
    }

    /**
     * Says why a client channel is about to close, seen from {@code side}. The first reason given wins; it is
     * recorded when the channel closes.
     */
    public static void closeReason(Channel clientChannel, Side side, TerminationReason reason) {
        clientChannel.attr(HINT).compareAndSet(null, new CloseHint(side, reason));
    }

    /**
     * Counts bytes read from the client, spotting TLS and HTTP keep-alive on the first data: for hosts that count in
     * their own handler, with a {@link LifecycleTrackingHandler} in the pipeline instead of this one.
     */
    public static void received(TrackedConnection c, ByteBuf buf) {
        int n = buf.readableBytes();
        if (!c.hasReceivedInitialData()) {
            int base = buf.readerIndex();
            ProtocolSniffer.sniff(c, i -> buf.getByte(base + i), n);
        }
        c.addBytesReceived(n);
    }

    // Shared with LifecycleTrackingHandler: open the record for a channel that became active.
    static TrackedConnection open(ConnectionTracker tracker, Channel ch) {
        return open(tracker, ch, ConnectionRole.RELAYED);
    }

    // Shared with the agent's handlers, which track connections in other roles.
    static TrackedConnection open(ConnectionTracker tracker, Channel ch, ConnectionRole role) {
        int localPort = ch.localAddress() instanceof InetSocketAddress
                ? ((InetSocketAddress) ch.localAddress()).getPort() : 0;
        TrackedConnection c = tracker.open(NettyEndpoint.of(ch), ch.remoteAddress(), localPort, role);
        ch.attr(CONNECTION).set(c);
        return c;
    }

    // Shared with LifecycleTrackingHandler: close the record with the reason given, or the client's close.
    static void closed(Channel ch, TrackedConnection c) {
        CloseHint hint = ch.attr(HINT).get();
        if (hint == null) {
            c.close(Side.INCOMING, TerminationReason.CLOSED_INCOMING);
        } else {
            c.close(hint.side, hint.reason);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        connection = open(tracker, ctx.channel());
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        TrackedConnection c = connection;
        if (c != null && msg instanceof ByteBuf) {
            received(c, (ByteBuf) msg);
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        TrackedConnection c = connection;
        if (c != null && msg instanceof ByteBuf) {
            c.addBytesSent(((ByteBuf) msg).readableBytes());
        }
        super.write(ctx, msg, promise);
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
        closeReason(ctx.channel(), Side.INCOMING, CloseReasons.of(cause));
        super.exceptionCaught(ctx, cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        TrackedConnection c = connection;
        if (c != null) {
            closed(ctx.channel(), c);
        }
        super.channelInactive(ctx);
    }

    private static final class CloseHint {
        final Side side;
        final TerminationReason reason;

        CloseHint(Side side, TerminationReason reason) {
            this.side = side;
            this.reason = reason;
        }
    }
}
