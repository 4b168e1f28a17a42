package io.connwatch.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Durations as operators write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 4h}. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** Parses a duration, or throws {@link CommandLine.TypeConversionException} saying what is wrong. */
    public static Duration parse(String value) {
        String v = value == null ? "" : value.trim();
        Matcher m = FORM.matcher(v);
        if (!m.matches()) {
            String shown = Printable.of(String.valueOf(value));
            if (v.startsWith("-") && FORM.matcher(v.substring(1)).matches()) {
                throw new CommandLine.TypeConversionException("'" + shown + "' is negative: a duration is longer "
                        + "than 0, like 500ms, 30s, 5m or 4h");
            }
            throw new CommandLine.TypeConversionException(
                    "'" + shown + "' is not a duration: write a whole number and a unit, like 500ms, 30s, 5m or 4h");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            default:
                return Duration.ofHours(n);
        }
    }
}
