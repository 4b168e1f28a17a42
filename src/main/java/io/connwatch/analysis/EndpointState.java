package io.connwatch.analysis;

import io.connwatch.tracking.Endpoint;

/**
 * What a probe of one {@link Endpoint} found, packed in an int so that a check allocates nothing. The
 * {@code readyState} names are Node's: {@code opening}, {@code open}, {@code readOnly}, {@code writeOnly},
 * {@code closed}.
 */
public final class EndpointState {
    static final int EXISTS = 1;
    static final int DESTROYED = 2;
    static final int READABLE = 4;
    static final int WRITABLE = 8;
    static final int CONNECTING = 16;

    private EndpointState() {
    }

    /**
     * Probes an endpoint. {@code endedByPeer} is the host's report that the peer half-closed, which makes the
     * side unreadable. May throw whatever the endpoint throws.
     */
    public static int probe(Endpoint e, boolean endedByPeer) {
        if (!e.exists()) {
            return 0;
        }
        int s = EXISTS;
        if (e.destroyed()) {
            return s | DESTROYED;
        }
        if (e.readable() && !endedByPeer) {
            s |= READABLE;
        }
        if (e.writable()) {
            s |= WRITABLE;
        }
        if (e.connecting()) {
            s |= CONNECTING;
        }
        return s;
    }

    /** Whether there is a socket. */
    public static boolean exists(int s) {
        return (s & EXISTS) != 0;
    }

    /** Whether the socket is closed. */
    public static boolean destroyed(int s) {
        return (s & DESTROYED) != 0;
    }

    /** Whether it can still be read. */
    public static boolean readable(int s) {
        return (s & READABLE) != 0;
    }

    /** Whether it can still be written. */
    public static boolean writable(int s) {
        return (s & WRITABLE) != 0;
    }

    /** Still connecting. */
    public static boolean connecting(int s) {
        return (s & CONNECTING) != 0;
    }

    /** Exists and not destroyed. */
    static boolean alive(int s) {
        return (s & (EXISTS | DESTROYED)) == EXISTS;
    }

    /** Exists and finished: destroyed, or no longer readable (its peer half-closed). */
    static boolean finished(int s) {
        return exists(s) && (destroyed(s) || !readable(s));
    }

    /** Node's readyState for a probed state. */
    public static String readyState(int s) {
        if (!exists(s) || destroyed(s)) {
            return "closed";
        }
        if ((s & CONNECTING) != 0) {
            return "opening";
        }
        boolean r = readable(s);
        boolean w = writable(s);
        if (r && w) {
            return "open";
        }
        if (r) {
            return "readOnly";
        }
        return w ? "writeOnly" : "closed";
    }
}
