package io.connwatch.netty;

/**
 * Told of every Netty socket channel as it is constructed, and of the messages it reads or writes when the
 * pipeline's first handler is not the agent's own {@link MessageTap} (which the woven code tells directly): the
 * agent's instrumentation of {@code AbstractChannel}, of the pipeline's {@code fireChannelRead} and of its head's
 * {@code write} calls it, through one tap per copy of Netty in the application. Counting there, at the two ends of
 * the pipeline, keeps the agent's handler off the per-message path. Implementations never throw.
 */
public interface ChannelTap {
    /** A tap that does nothing: the agent is off, or this copy of Netty could not be tapped. */
    ChannelTap NONE = (channel, parent) -> { };

    /**
     * A channel was just constructed: its pipeline exists, it is not registered yet.
     *
     * @param channel the new channel (a {@code Channel} of this tap's copy of Netty)
     * @param parent the server channel that accepted it, or null for a channel the application opened
     */
    void created(Object channel, Object parent);

    /**
     * A message read from the channel enters its pipeline, whose first handler is no {@link MessageTap}.
     * {@link #readDone} follows once the pipeline has handled it, however that ended.
     *
     * @param channel the channel (a {@code Channel} of this tap's copy of Netty)
     * @param msg the message, a {@code ByteBuf} for a socket channel
     */
    default void reading(Object channel, Object msg) {
    }

    /** The pipeline has handled the message {@link #reading} announced. */
    default void readDone(Object channel) {
    }

    /**
     * A message leaves the channel's pipeline, whose first handler is no {@link MessageTap}, to be written to the
     * socket.
     *
     * @param channel the channel (a {@code Channel} of this tap's copy of Netty)
     * @param msg the message, usually a {@code ByteBuf}
     */
    default void writing(Object channel, Object msg) {
    }
}
