package io.connwatch.netty;

import io.connwatch.tracking.TerminationReason;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.WriteTimeoutException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Locale;

/** The termination reason a failure stands for. */
public final class CloseReasons {
    private CloseReasons() {
    }

    /**
     * {@code econnrefused} for a refused connect, {@code connect_timeout} for the host's own connect timeout,
     * {@code etimedout} for a socket-level timeout, {@code econnreset} for a reset (NIO's and epoll's messages alike),
     * else {@code error}.
     */
    public static TerminationReason of(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ConnectTimeoutException) {
                return TerminationReason.CONNECT_TIMEOUT;
            }
            if (t instanceof ReadTimeoutException || t instanceof WriteTimeoutException
                    || t instanceof SocketTimeoutException) {
                return TerminationReason.ETIMEDOUT;
            }
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (t instanceof ConnectException || m.contains("connection refused")) {
                return TerminationReason.ECONNREFUSED;
            }
            if (m.contains("connection reset") || m.contains("broken pipe")) {
                return TerminationReason.ECONNRESET;
            }
            if (m.contains("timed out")) {
                return TerminationReason.ETIMEDOUT;
            }
        }
        return TerminationReason.ERROR;
    }
}
