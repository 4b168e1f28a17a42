package io.connwatch.tracking;

/**
 * What a tracked connection is to the host, which decides how its silence is judged. A proxy wired to connwatch
 * tracks {@link #RELAYED} connections; the agent, which watches a server it knows nothing about, also tracks the
 * other two.
 */
public enum ConnectionRole {
    /**
     * A client connection the host relays to a backend of its own (the reference proxy). No backend connection
     * within the connect timeout is {@code NO_OUTGOING}; {@code STUCK} is a request relayed and nothing sent back.
     */
    RELAYED,
    /**
     * A client connection a server answers itself, unless a backend connection is attached to it later. It is judged
     * alone: no backend is no fault, and {@code STUCK} is a request received and nothing sent back for the stuck
     * timeout. Once a backend is attached, it is judged as {@link #RELAYED}.
     */
    SERVED,
    /**
     * A connection the host opened to a backend and uses for many clients in turn (a connection pool). Sent bytes
     * are requests, received bytes responses: {@code STUCK} is a request written and nothing read back for the stuck
     * timeout, and a connect still pending after the connect timeout is {@code NO_OUTGOING}.
     */
    UPSTREAM
}
