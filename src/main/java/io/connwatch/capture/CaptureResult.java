package io.connwatch.capture;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A dump written, or one that failed.
 *
 * @param trigger       what made it
 * @param timestamp     when it was taken
 * @param file          the dump, or where it was meant to go when it failed
 * @param connections   connection details written
 * @param bytesWritten  the file's size, 0 when it failed
 * @param durationNanos how long the write took
 * @param error         null on success, else what went wrong
 */
public record CaptureResult(CaptureTrigger trigger, Instant timestamp, Path file, int connections,
                            long bytesWritten, long durationNanos, String error) {

    /** Whether the dump was written. */
    public boolean succeeded() {
        return error == null;
    }
}
