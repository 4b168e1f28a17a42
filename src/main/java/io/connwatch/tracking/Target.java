package io.connwatch.tracking;

import java.util.Objects;

/**
 * A backend a connection is routed to. Interned by the tracker, so that a check can group connections by
 * target without building a string per connection.
 */
public final class Target {
    private final String host;
    private final int port;
    private final String label;

    Target(String host, int port) {
        this.host = Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("target port must be 0..65535, was " + port);
        }
        this.port = port;
        this.label = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** The host name or address as the host gave it. */
    public String host() {
        return host;
    }

    /** The port. */
    public int port() {
        return port;
    }

    /** {@code host:port}, as in dumps' {@code byTarget}. */
    @Override
    public String toString() {
        return label;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Target && ((Target) o).port == port && ((Target) o).host.equals(host);
    }

    @Override
    public int hashCode() {
        return host.hashCode() * 31 + port;
    }
}
