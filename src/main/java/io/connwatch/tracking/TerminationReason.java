package io.connwatch.tracking;

import java.util.Locale;

/**
 * Why a tracked connection ended. The first reason given to a connection wins; later ones are ignored.
 * The wire names are the {@code terminationStats} keys of the dumps (docs/FORMATS.md).
 */
public enum TerminationReason {
    /** Both sides finished as expected. */
    NORMAL(false),
    /** The client closed first. */
    CLOSED_INCOMING(false),
    /** The backend closed first. */
    CLOSED_OUTGOING(false),
    /** A peer reset the connection. */
    ECONNRESET(false),
    /** A read, write or connect timed out at the socket level. */
    ETIMEDOUT(false),
    /** The backend refused the connection. */
    ECONNREFUSED(false),
    /** Any other I/O error. */
    ERROR(false),
    /** The host is shutting down. */
    SHUTDOWN(false),
    /** An operator closed it. */
    FORCED(false),
    /** Cleanup: both sockets were gone but the record was still tracked. */
    ZOMBIE_CLEANUP(true),
    /** Cleanup: one side finished, the other stayed open and silent. */
    HALF_ZOMBIE_CLEANUP(true),
    /** Cleanup: a request was received and nothing was sent back. */
    STUCK_NO_RESPONSE(true),
    /** Cleanup, or the host's own connect timeout: no backend connection in time. */
    CONNECT_TIMEOUT(true),
    /** Cleanup: no activity for the inactivity timeout. */
    INACTIVITY(true),
    /** Cleanup: older than the maximum lifetime. */
    MAX_LIFETIME(true);

    private final String wireName;
    private final boolean cleanup;

    TerminationReason(boolean cleanup) {
        this.wireName = name().toLowerCase(Locale.ROOT);
        this.cleanup = cleanup;
    }

    /** The name used in dumps, events and termination stats, e.g. {@code stuck_no_response}. */
    public String wireName() {
        return wireName;
    }

    /** Whether this reason is one of the cleanup rules'. */
    public boolean isCleanup() {
        return cleanup;
    }

    /** The reason with the given wire name. */
    public static TerminationReason fromWireName(String wireName) {
        for (TerminationReason r : values()) {
            if (r.wireName.equals(wireName)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown termination reason '" + wireName + "'");
    }
}
