package io.connwatch.testing;

import java.time.Duration;

/** Test thresholds, scaled by {@code -Dconnwatch.test.timeScale} for slow machines. */
public final class TestTimes {
    private static final double SCALE = Double.parseDouble(System.getProperty("connwatch.test.timeScale", "1"));

    private TestTimes() {
    }

    /** {@code millis}, scaled. */
    public static Duration ms(long millis) {
        return Duration.ofMillis(Math.max(1, Math.round(millis * SCALE)));
    }

    /** A bound for Awaitility: generous, scaled. */
    public static Duration atMost(long millis) {
        return ms(millis);
    }
}
