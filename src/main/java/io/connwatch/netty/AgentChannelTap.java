package io.connwatch.netty;

import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.AttributeKey;
import java.util.Objects;

/**
 * The agent's tap on one copy of Netty: puts a tracking handler first in the pipeline of every new socket channel.
 *
 * <ul>
 *   <li>A channel accepted by a server channel is an incoming connection ({@link AgentIncomingHandler}), whichever
 *       acceptor made it: Netty's {@code ServerBootstrap} or Reactor Netty's own.</li>
 *   <li>A channel the application opens while one of its incoming connections' events is being handled, on that
 *       connection's thread, is that connection's backend ({@link AgentBackendHandler}): the one-to-one proxy.</li>
 *   <li>Any other channel the application opens, or one a connection pool opens, serves many clients in turn: it is
 *       tracked on its own under the upstream tracker ({@link AgentUpstreamHandler}).</li>
 * </ul>
 *
 * Other channels (server, datagram, local, HTTP/2 streams, embedded) are left alone. The agent compiles this class
 * against connwatch's Netty and defines it, renamed, next to each copy of Netty the application loads.
 */
public final class AgentChannelTap implements ChannelTap {
    /** The tracking handler's name in the pipeline. */
    static final String HANDLER_NAME = "connwatch.agent";
    /** Set on every channel the tap has seen, so that one speaking after an attach is adopted once. */
    private static final AttributeKey<Boolean> SEEN = AttributeKey.valueOf("connwatch.agent.seen");

    private final ConnectionTracker incoming;
    private final ConnectionTracker upstream;

    /** A tap feeding the application's incoming connections to one tracker and its pooled ones to another. */
    public AgentChannelTap(ConnectionTracker incoming, ConnectionTracker upstream) {
        this.incoming = Objects.requireNonNull(incoming, "incoming");
        this.upstream = Objects.requireNonNull(upstream, "upstream");
    }

    @Override
    public void created(Object channel, Object parent) {
        if (!(channel instanceof SocketChannel)) {
            return;
        }
        Channel ch = (Channel) channel;
        ch.attr(SEEN).set(Boolean.TRUE);
        ChannelHandler handler;
        if (parent instanceof ServerChannel) {
            handler = new AgentIncomingHandler(incoming);
        } else {
            AgentIncomingHandler current = AgentIncomingHandler.current();
            TrackedConnection owner = current == null ? null : current.connection();
            handler = owner != null && !ConnectionPools.onStack()
                    ? new AgentBackendHandler(owner, current.channel())
                    : new AgentUpstreamHandler(upstream);
        }
        ch.pipeline().addFirst(HANDLER_NAME, handler);
    }

    /**
     * A channel made before the attach, seen as it speaks: tracked from now on, on its own. Its pairing with a backend
     * happened before the agent, so an incoming one is judged alone and a client one as a connection of its own.
     */
    @Override
    public void speaking(Object channel) {
        if (!(channel instanceof SocketChannel)) {
            return;
        }
        Channel ch = (Channel) channel;
        if (ch.hasAttr(SEEN) || !ch.attr(SEEN).compareAndSet(null, Boolean.TRUE)) {
            return;
        }
        ch.pipeline().addFirst(HANDLER_NAME, ch.parent() instanceof ServerChannel
                ? new AgentIncomingHandler(incoming) : new AgentUpstreamHandler(upstream));
    }

    /** The close reason a failure gives, or ERROR when this copy of Netty lacks a class the lookup names. */
    static TerminationReason reason(Throwable cause) {
        try {
            return CloseReasons.of(cause);
        } catch (LinkageError e) { // an application without netty-handler has no timeout exceptions to tell
            return TerminationReason.ERROR;
        }
    }
}
