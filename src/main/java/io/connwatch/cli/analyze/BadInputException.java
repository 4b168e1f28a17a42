package io.connwatch.cli.analyze;

import java.nio.file.Path;

/** An input that cannot be analyzed: which file and why, as one line. */
public final class BadInputException extends Exception {
    private final transient Path path;

    /** The file and why it cannot be read; line breaks in {@code why} are folded into spaces. */
    public BadInputException(Path path, String why) {
        super(escaped(String.valueOf(path)) + ": " + oneLine(why));
        this.path = path;
    }

    /** The file at fault. */
    public Path path() {
        return path;
    }

    /** Line breaks folded into spaces, other control characters escaped: one printable line. */
    static String oneLine(String s) {
        return s == null ? "" : escaped(s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim());
    }

    /** Control characters shown as {@code \n}, {@code \t} or {@code \u001b}: a file name stays recognisable. */
    static String escaped(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c == '\t') {
                b.append("\\t");
            } else if (Character.isISOControl(c)) {
                b.append(String.format(java.util.Locale.ROOT, "\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
