package io.connwatch.proxy;

import io.connwatch.tracking.Side;
import io.connwatch.tracking.TrackedConnection;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;

/** The two channels of one proxied connection and their half-close state; touched on one event loop only. */
final class RelayPair {
    final Channel client;
    // The client's record, or null when the proxy does not track: the relay handlers count its bytes.
    final TrackedConnection connection;
    volatile Channel backend;
    private boolean clientEnded;
    private boolean backendEnded;

    RelayPair(Channel client, TrackedConnection connection) {
        this.client = client;
        this.connection = connection;
    }

    /** Records that {@code side}'s input ended; true when both have. */
    boolean ended(Side side) {
        if (side == Side.INCOMING) {
            clientEnded = true;
        } else {
            backendEnded = true;
        }
        return clientEnded && backendEnded;
    }

    /** Flushes what is pending and closes both channels. */
    void closeBoth() {
        closeOnFlush(client);
        Channel b = backend;
        if (b != null) {
            closeOnFlush(b);
        }
    }

    static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }
}
