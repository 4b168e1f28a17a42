package io.connwatch.netty;

import io.connwatch.tracking.Endpoint;
import io.connwatch.tracking.Side;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * The agent's handler on a backend channel paired with one incoming connection: names the connection's target and
 * attaches the channel as its outgoing side when it connects, marks the backend's half-close, and gives the incoming
 * channel the reason when the backend fails or closes first. A backend the application closes itself is detached
 * again, so a server that opens one per request leaves its keep-alive client judged on its own between requests.
 */
final class AgentBackendHandler extends AgentHandler {
    private final TrackedConnection owner;
    private final Channel ownerChannel;
    private ChannelPromise connecting;
    // Closed by the application while its connect was pending: the connect fails then, but that is no failure.
    private boolean gaveUp;
    // Closed by the application: done with this backend, which did not leave first.
    private boolean closedHere;
    private Endpoint attached;

    AgentBackendHandler(Channel channel, TrackedConnection owner, Channel ownerChannel) {
        super(channel);
        this.owner = owner;
        this.ownerChannel = ownerChannel;
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress local, ChannelPromise promise)
            throws Exception {
        if (remote instanceof InetSocketAddress) {
            InetSocketAddress address = (InetSocketAddress) remote;
            owner.target(address.getHostString(), address.getPort());
        }
        attached = NettyEndpoint.of(ctx.channel());
        owner.attachOutgoing(attached);
        connecting = promise;
        promise.addListener(f -> {
            if (!f.isSuccess() && !gaveUp) {
                TrackingHandler.closeReason(ownerChannel, Side.OUTGOING, AgentChannelTap.reason(f.cause()));
            }
        });
        ctx.connect(remote, local, promise);
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
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            owner.endOfStream(Side.OUTGOING);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        TrackingHandler.closeReason(ownerChannel, Side.OUTGOING, AgentChannelTap.reason(cause));
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (closedHere) {
            // The application is done with this backend and may keep its client for the next request (a backend
            // per request): the client is no half-closed relay, and nobody left first.
            if (attached != null && !owner.connectionClosed()) {
                owner.detachOutgoing(attached);
            }
        } else {
            // Kept only if the client's side is still open: then the backend closed first.
            TrackingHandler.closeReason(ownerChannel, Side.OUTGOING, TerminationReason.CLOSED_OUTGOING);
        }
        ctx.fireChannelInactive();
    }
}
