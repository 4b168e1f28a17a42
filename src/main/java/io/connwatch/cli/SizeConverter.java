package io.connwatch.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Sizes as operators write them: plain bytes ({@code 1073741824}) or a whole number with {@code k}, {@code m},
 * {@code g} or {@code t} (binary: 1k = 1024 bytes), optionally followed by {@code b} or {@code ib}: {@code 512m},
 * {@code 1g}, {@code 64KiB}.
 */
final class SizeConverter implements CommandLine.ITypeConverter<Long> {
    private static final Pattern FORM = Pattern.compile("(\\d{1,19})(?:([kmgt])(?:i?b)?|b)?");

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    static long parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        Matcher m = FORM.matcher(v);
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + Printable.of(String.valueOf(value))
                    + "' is not a size: write bytes, or a whole number with k, m, g or t, like 512m or 1g");
        }
        try {
            long n = Long.parseLong(m.group(1));
            int shift = m.group(2) == null ? 0 : 10 * (1 + "kmgt".indexOf(m.group(2)));
            if (shift > 0 && n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too large a size");
        }
    }
}
