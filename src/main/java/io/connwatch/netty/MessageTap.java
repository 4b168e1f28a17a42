package io.connwatch.netty;

/**
 * The agent's handler on one socket channel, as the code woven into Netty's pipeline finds it when it is first in the
 * pipeline, where the agent puts it: told of each message with no lookup. Free of Netty types, like
 * {@link ChannelTap}, so that code in any copy of Netty can call it. Implementations never throw.
 */
public interface MessageTap {
    /** A message read from the socket enters the pipeline; {@link #readDone} follows however the read ends. */
    void reading(Object msg);

    /** The pipeline has handled the message {@link #reading} announced. */
    void readDone();

    /** A message leaves the pipeline for the socket. */
    void writing(Object msg);
}
