package io.connwatch.analysis;

import java.time.Duration;
import java.util.Locale;

/** Durations in the words an operator reads: {@code 500 ms}, {@code 60 s}, {@code 5 min}, {@code 4 h}. */
public final class Durations {
    private Durations() {
    }

    /** Milliseconds under a second, seconds under two minutes, then whole hours or minutes. */
    public static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 120_000) {
            return trim(ms / 1000.0) + " s";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + " h";
        }
        return trim(ms / 60_000.0) + " min";
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
