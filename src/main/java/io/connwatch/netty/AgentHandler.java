package io.connwatch.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;

/**
 * The agent's handler on one socket channel, told of each message the channel reads or writes by the woven pipeline
 * ends: directly when it is first in the pipeline, through the tap when the application put a handler before it (a
 * TLS handler, say). So it has no {@code channelRead} or {@code write} of its own, and Netty skips it on the
 * per-message path.
 */
abstract class AgentHandler extends ChannelDuplexHandler implements MessageTap {
    final Channel channel;

    AgentHandler(Channel channel) {
        this.channel = channel;
    }

    /**
     * Whether this thread is the channel's event loop. A read fired into the pipeline from another thread is handed to
     * the loop: Netty 4.2 hands it to {@code fireChannelRead} again, so counting it off the loop would count it
     * twice; Netty 4.1 hands it past it, so such a read (no socket's own, and rare) goes uncounted there.
     */
    final boolean onLoop() {
        return channel.eventLoop().inEventLoop();
    }

    @Override
    public void reading(Object msg) {
    }

    @Override
    public void readDone() {
    }

    @Override
    public void writing(Object msg) {
    }
}
