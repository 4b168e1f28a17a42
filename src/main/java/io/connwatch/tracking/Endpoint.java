package io.connwatch.tracking;

import java.io.IOException;
import java.util.Map;

/**
 * A live view of one socket, probed only when the monitor checks or captures, never on the I/O path.
 *
 * <p>Implementations answer from the socket's own state and may be called from the monitor's thread while
 * the host's threads use the socket. A probe that throws costs that connection's classification in that
 * check, nothing more. Adapters: {@link Endpoints#of(java.net.Socket)},
 * {@link Endpoints#of(java.nio.channels.SocketChannel)}, and the Netty adapter.
 */
public interface Endpoint {

    /** Whether there is a socket at all; {@link #ABSENT} says no. */
    default boolean exists() {
        return true;
    }

    /** Whether the socket is closed (Node's {@code destroyed}). */
    boolean destroyed();

    /** Whether input is still open: not shut down locally. A peer's half-close is reported by the host. */
    boolean readable();

    /** Whether output is still open: not shut down. */
    boolean writable();

    /** Whether the socket is still connecting. */
    default boolean connecting() {
        return false;
    }

    /**
     * Listener counts by name (Netty pipeline handlers, registered callbacks). Called for dumps; may allocate.
     */
    default Map<String, Integer> listenerCounts() {
        return Map.of();
    }

    /**
     * The largest of {@link #listenerCounts()}, called on every check: override it where building the map
     * allocates, so that a check allocates nothing per connection.
     */
    default int maxListenerCount() {
        Map<String, Integer> counts = listenerCounts();
        if (counts.isEmpty()) {
            return 0;
        }
        int max = 0;
        for (int n : counts.values()) {
            max = Math.max(max, n);
        }
        return max;
    }

    /** Closes the socket, for cleanup. Closing a closed socket does nothing. */
    void close() throws IOException;

    /** No socket: the outgoing side of a connection that was never routed. */
    Endpoint ABSENT = new Endpoint() {
        @Override
        public boolean exists() {
            return false;
        }

        @Override
        public boolean destroyed() {
            return false;
        }

        @Override
        public boolean readable() {
            return false;
        }

        @Override
        public boolean writable() {
            return false;
        }

        @Override
        public int maxListenerCount() {
            return 0;
        }

        @Override
        public void close() {
            // nothing to close
        }

        @Override
        public String toString() {
            return "Endpoint.ABSENT";
        }
    };
}
