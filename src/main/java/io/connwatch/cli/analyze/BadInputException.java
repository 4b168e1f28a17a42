package io.connwatch.cli.analyze;

import io.connwatch.cli.Printable;
import java.nio.file.Path;

/** An input that cannot be analyzed: which file and why, as one line. */
public final class BadInputException extends Exception {
    private final transient Path path;

    /** The file and why it cannot be read; line breaks in {@code why} are folded into spaces. */
    public BadInputException(Path path, String why) {
        super(Printable.of(String.valueOf(path)) + ": " + oneLine(why));
        this.path = path;
    }

    /** The file at fault. */
    public Path path() {
        return path;
    }

    /** Line breaks folded into spaces, other control characters escaped: one printable line. */
    static String oneLine(String s) {
        return s == null ? "" : Printable.of(s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim());
    }

}
