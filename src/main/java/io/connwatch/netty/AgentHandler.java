package io.connwatch.netty;

import io.netty.channel.ChannelDuplexHandler;

/**
 * The agent's handler on one socket channel, told by the tap of each message the channel reads or writes: the woven
 * pipeline ends tell the tap, so the handler itself has no {@code channelRead} or {@code write} and Netty skips it
 * on the per-message path.
 */
abstract class AgentHandler extends ChannelDuplexHandler {
    /** A message read from the socket enters the pipeline. */
    void reading(Object msg) {
    }

    /** A message leaves the pipeline for the socket. */
    void writing(Object msg) {
    }
}
