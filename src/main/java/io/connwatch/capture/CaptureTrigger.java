package io.connwatch.capture;

import java.util.Locale;

/** What made a capture: the last part of a dump's file name and its {@code trigger} field. */
public enum CaptureTrigger {
    /** An accumulation episode began. */
    ACCUMULATION,
    /** The count rose by the spike threshold or more since the last check. */
    SPIKE,
    /** Someone asked: {@code forceCaptureNow}. */
    FORCE_CAPTURE;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** {@code accumulation}, {@code spike} or {@code force_capture}. */
    public String wireName() {
        return wireName;
    }
}
