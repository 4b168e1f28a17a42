package io.connwatch.tracking;

/**
 * Told of each connection the tracker opens and closes, on the host's thread that did it. Keep it cheap; a
 * listener that throws is logged and skipped, never propagated to the host.
 */
public interface TrackerListener {
    /** A connection was opened. */
    default void opened(TrackedConnection connection) {
    }

    /** A connection was closed; its reason and side are set. */
    default void closed(TrackedConnection connection) {
    }
}
