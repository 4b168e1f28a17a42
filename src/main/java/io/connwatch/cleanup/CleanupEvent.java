package io.connwatch.cleanup;

import io.connwatch.analysis.Pattern;
import io.connwatch.tracking.Target;
import io.connwatch.tracking.TerminationReason;
import io.connwatch.tracking.TrackedConnection;

/**
 * One connection cleaned up, by the sweep or by the host closing it with a cleanup reason.
 *
 * @param connectionId   {@code c-<serial>}
 * @param reason         the cleanup reason
 * @param pattern        the pattern the reason cleans
 * @param remoteAddress  the client's address
 * @param targetHost     the backend host, or "" when unrouted
 * @param targetPort     the backend port, or 0
 * @param ageMillis      age at the close
 * @param idleMillis     time since the last activity at the close
 * @param bytesReceived  bytes from the client
 * @param bytesSent      bytes to the client
 * @param bySweep        whether the sweep closed it (rather than the host)
 */
public record CleanupEvent(
        String connectionId,
        TerminationReason reason,
        Pattern pattern,
        String remoteAddress,
        String targetHost,
        int targetPort,
        long ageMillis,
        long idleMillis,
        long bytesReceived,
        long bytesSent,
        boolean bySweep) {

    /** The event for a connection just closed with a cleanup reason. */
    public static CleanupEvent of(TrackedConnection c, boolean bySweep) {
        Target t = c.target();
        long at = c.closedNanos();
        return new CleanupEvent(c.id(), c.terminationReason(), Pattern.cleanedBy(c.terminationReason()),
                c.remoteAddress(), t == null ? "" : t.host(), t == null ? 0 : t.port(),
                (at - c.incomingStartNanos()) / 1_000_000, Math.max(0, at - c.lastActivityNanos()) / 1_000_000,
                c.bytesReceived(), c.bytesSent(), bySweep);
    }
}
