package io.connwatch.cli;

import java.util.Locale;

/** Text from users and files made safe to print on one terminal line. */
public final class Printable {
    private Printable() {
    }

    /**
     * Control characters shown as {@code \n}, {@code \r}, {@code \t} or {@code \u001b}, so that a message stays one
     * printable line and a value or file name stays recognisable (and cannot move the cursor or forge a log line).
     */
    public static String of(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (Character.isISOControl(c)) {
                b.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
