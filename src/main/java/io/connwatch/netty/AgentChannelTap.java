package io.connwatch.netty;

import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.AttributeKey;
import java.util.Objects;

/**
 * The agent's tap on one copy of Netty: puts a tracking handler first in the pipeline of every new socket channel,
 * and tells it of each message the channel reads or writes.
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
    /**
     * The handler of every socket channel the tap has seen: how a message finds it without a walk of the pipeline,
     * and how a channel speaking after an attach is adopted once.
     */
    private static final AttributeKey<AgentHandler> HANDLER = AttributeKey.valueOf("connwatch.agent.handler");

    private final ConnectionTracker incoming;
    private final ConnectionTracker upstream;
    private final boolean adopt;

    /**
     * A tap feeding the application's incoming connections to one tracker and its pooled ones to another.
     *
     * @param adopt whether a socket channel the tap was not told of when it was made (it was made before an attach)
     *     is tracked from its next read
     */
    public AgentChannelTap(ConnectionTracker incoming, ConnectionTracker upstream, boolean adopt) {
        this.incoming = Objects.requireNonNull(incoming, "incoming");
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.adopt = adopt;
    }

    @Override
    public void created(Object channel, Object parent) {
        if (!(channel instanceof SocketChannel)) {
            return;
        }
        Channel ch = (Channel) channel;
        AgentHandler handler;
        if (parent instanceof ServerChannel) {
            handler = new AgentIncomingHandler(incoming, ch);
        } else {
            AgentIncomingHandler current = AgentIncomingHandler.current();
            TrackedConnection owner = current == null ? null : current.connection();
            handler = owner != null && !ConnectionPools.onStack()
                    ? new AgentBackendHandler(ch, owner, current.channel())
                    : new AgentUpstreamHandler(upstream, ch);
        }
        ch.attr(HANDLER).set(handler);
        ch.pipeline().addFirst(HANDLER_NAME, handler);
    }

    // Told only for a channel whose first handler is not the agent's (the application added one before it, or the
    // channel is not tracked): the woven code tells the handler itself when it is first.
    @Override
    public void reading(Object channel, Object msg) {
        AgentHandler h = handlerOf(channel);
        if (h != null) {
            h.reading(msg);
        }
    }

    @Override
    public void readDone(Object channel) {
        AgentIncomingHandler.readDone(channel);
    }

    @Override
    public void writing(Object channel, Object msg) {
        AgentHandler h = handlerOf(channel);
        if (h != null) {
            h.writing(msg);
        }
    }

    // attr() finds the attribute without allocating; only a socket channel the tap never
    // saw made (one from before an attach) gets an empty one added, once.
    private AgentHandler handlerOf(Object channel) {
        Channel ch = (Channel) channel;
        AgentHandler h = ch.attr(HANDLER).get();
        return h != null || !adopt || !(channel instanceof SocketChannel) ? h : adopted(ch);
    }

    /**
     * A channel made before the attach, seen as it speaks: tracked from now on, on its own. Its pairing with a backend
     * happened before the agent, so an incoming one is judged alone and a client one as a connection of its own.
     */
    private AgentHandler adopted(Channel ch) {
        AgentHandler handler = ch.parent() instanceof ServerChannel
                ? new AgentIncomingHandler(incoming, ch) : new AgentUpstreamHandler(upstream, ch);
        if (!ch.attr(HANDLER).compareAndSet(null, handler)) {
            return ch.attr(HANDLER).get();
        }
        ch.pipeline().addFirst(HANDLER_NAME, handler);
        return handler;
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
