package io.connwatch.demo;

/** Decides which status lines to print: those that differ from the last one, and a heartbeat while idle. */
final class StatusThrottle {
    private final long heartbeatNanos;
    private String last;
    private long lastNanos;

    StatusThrottle(long heartbeatNanos) {
        this.heartbeatNanos = heartbeatNanos;
    }

    /** Whether to print {@code content} at {@code nanos}; if so, it becomes the last line printed. */
    boolean shouldPrint(String content, long nanos) {
        if (content.equals(last) && nanos - lastNanos < heartbeatNanos) {
            return false;
        }
        last = content;
        lastNanos = nanos;
        return true;
    }
}
