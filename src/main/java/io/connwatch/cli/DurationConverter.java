package io.connwatch.cli;

import java.time.Duration;
import java.util.Optional;
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
        Optional<String> problem = problem(value);
        if (problem.isPresent()) {
            throw new CommandLine.TypeConversionException("'" + Printable.of(String.valueOf(value)) + "' "
                    + problem.get());
        }
        Matcher m = FORM.matcher(value.trim());
        m.matches();
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

    /**
     * Why {@code value} is not a duration, as the end of a sentence that starts with the value
     * ({@code "is not a duration: ..."}), or empty if it is one. Shared with the agent's options, so both say it alike.
     */
    public static Optional<String> problem(String value) {
        String v = value == null ? "" : value.trim();
        if (FORM.matcher(v).matches()) {
            return Optional.empty();
        }
        if (v.startsWith("-") && FORM.matcher(v.substring(1)).matches()) {
            return Optional.of("is negative: a duration is longer than 0, like 500ms, 30s, 5m or 4h");
        }
        return Optional.of("is not a duration: write a whole number and a unit, like 500ms, 30s, 5m or 4h");
    }
}
