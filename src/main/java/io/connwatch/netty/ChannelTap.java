package io.connwatch.netty;

/**
 * Told of every Netty channel as it is constructed: the agent's instrumentation of {@code AbstractChannel} calls it,
 * through one tap per copy of Netty in the application. Implementations never throw.
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
     * A channel read something. Told only when the agent was attached to a running JVM, so that channels made
     * before the attach are tracked from the moment they speak; a channel tracked already is left as it is.
     *
     * @param channel the channel (a {@code Channel} of this tap's copy of Netty)
     */
    default void speaking(Object channel) {
    }
}
