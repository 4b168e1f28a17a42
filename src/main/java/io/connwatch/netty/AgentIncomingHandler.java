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
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The agent's handler on an accepted channel: tracks it as a connection the server answers itself
 * ({@link ConnectionRole#SERVED}) until a backend channel pairs with it, and, while the application handles one of
 * its events, makes it the thread's current incoming connection so that a channel opened meanwhile pairs with it.
 */
final class AgentIncomingHandler extends AgentHandler {
    // The incoming connection whose event this thread is handling; null between events. Set and reset on every
    // event without allocating: a FastThreadLocal on Netty's event loop threads is an array slot.
    private static final FastThreadLocal<AgentIncomingHandler> CURRENT = new FastThreadLocal<>();

    private final ConnectionTracker tracker;
    private TrackedConnection connection;
    private boolean closedHere;
    // What CURRENT held when this channel's read began, put back when it is done: the woven read has no local of
    // its own to keep it in. A read nested in another channel's (rare) restores that one's.
    private AgentIncomingHandler beforeRead;

    AgentIncomingHandler(ConnectionTracker tracker, Channel channel) {
        super(channel);
        this.tracker = tracker;
    }

    /** The incoming connection whose event this thread is handling, or null. */
    static AgentIncomingHandler current() {
        return CURRENT.getIfExists();
    }

    TrackedConnection connection() {
        return connection;
    }

    Channel channel() {
        return channel;
    }

    // Only the events where proxies open their backend (active, read, user events). The read is told by the woven
    // pipeline (reading, readDone), not overridden here: an override is one more hop on the per-message path.
    private AgentIncomingHandler enter() {
        AgentIncomingHandler previous = CURRENT.getIfExists();
        CURRENT.set(this);
        return previous;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) { // adopted after an attach: it will not go active again
            open(ctx.channel());
        }
    }

    private void open(Channel ch) {
        if (connection == null) {
            connection = TrackingHandler.open(tracker, ch, ConnectionRole.SERVED);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        open(ctx.channel());
        AgentIncomingHandler previous = enter();
        try {
            ctx.fireChannelActive();
        } finally {
            CURRENT.set(previous);
        }
    }

    @Override
    public void reading(Object msg) {
        if (!onLoop()) {
            return;
        }
        TrackedConnection c = connection;
        if (c != null && msg instanceof ByteBuf) {
            TrackingHandler.received(c, (ByteBuf) msg);
        }
        beforeRead = enter();
    }

    @Override
    public void readDone() {
        readDone(channel);
    }

    /** A channel's read is done: if it was this handler's, the thread's current connection goes back. */
    static void readDone(Object channel) {
        AgentIncomingHandler h = CURRENT.getIfExists();
        if (h != null && h.channel == channel) {
            CURRENT.set(h.beforeRead);
            h.beforeRead = null;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent && connection != null) {
            connection.endOfStream(Side.INCOMING);
        }
        AgentIncomingHandler previous = enter();
        try {
            ctx.fireUserEventTriggered(evt);
        } finally {
            CURRENT.set(previous);
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
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        closedHere = true;
        ctx.close(promise);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        TrackingHandler.closeReason(ctx.channel(), Side.INCOMING, AgentChannelTap.reason(cause));
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        TrackedConnection c = connection;
        if (c != null) {
            if (closedHere) {
                // The server closed it (a keep-alive timeout, the end of a response): nothing went wrong.
                TrackingHandler.closeReason(ctx.channel(), Side.OUTGOING, TerminationReason.NORMAL);
            }
            TrackingHandler.closed(ctx.channel(), c);
        }
        ctx.fireChannelInactive();
    }
}
