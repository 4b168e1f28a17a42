package io.connwatch.cli;

import io.connwatch.jmx.JmxFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Checks of option values that picocli's types alone cannot make, done before a command starts anything (no socket
 * bound, no folder created, no MBean registered). Each refusal is one line in picocli's own form,
 * {@code Invalid value for option '--threshold': '0' must be at least 1}, so every bad-usage line reads alike.
 *
 * <p>Part of the command line, not of the library's API: public only for the commands that live in packages of their
 * own ({@code demo}); the rest stays package-private.
 */
public final class OptionChecks {
    /** The longest monitor name: it appears in the ObjectName, every JFR event and every dump. */
    static final int MAX_NAME = 200;

    private final CommandSpec spec;

    /** Checks for the options of this command. */
    public OptionChecks(CommandSpec spec) {
        this.spec = spec;
    }

    /** The refusal: the option, the value as given (control characters escaped), and why. */
    public CommandLine.ParameterException bad(String option, String why) {
        return new CommandLine.ParameterException(spec.commandLine(),
                "Invalid value for option '" + option + "': '" + Printable.of(raw(option)) + "' " + why);
    }

    /** The refusal for an option whose value is no help (a flag), or that the reason already names: the option and why. */
    CommandLine.ParameterException refused(String option, String why) {
        return new CommandLine.ParameterException(spec.commandLine(), "Invalid value for option '" + option + "': "
                + Printable.of(why));
    }

    /** The value as the user wrote it (the last one given), or the default. */
    String raw(String option) {
        OptionSpec o = spec.findOption(option);
        if (o == null) {
            return "";
        }
        List<String> given = o.originalStringValues();
        if (!given.isEmpty()) {
            return given.get(given.size() - 1);
        }
        return o.defaultValue() == null ? "" : o.defaultValue();
    }

    /** Whether the user gave the option. */
    boolean given(String option) {
        OptionSpec o = spec.findOption(option);
        return o != null && !o.originalStringValues().isEmpty();
    }

    void atLeastOne(String option, long n) {
        if (n < 1) {
            throw bad(option, "must be at least 1");
        }
    }

    void positive(String option, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw bad(option, "must be longer than 0, like 500ms, 30s, 5m or 4h");
        }
    }

    void atLeast(String option, Duration d, Duration min, String minText) {
        if (d.compareTo(min) < 0) {
            throw bad(option, "is too short: at least " + minText);
        }
    }

    void port(String option, int port) {
        if (port < 1 || port > 65535) {
            throw bad(option, "must be a port from 1 to 65535");
        }
    }

    /**
     * A monitor name: 1 to {@value #MAX_NAME} characters, no control characters (no line breaks). Characters the
     * ObjectName treats specially ({@code , = : " * ?}) are fine: the name is quoted there.
     */
    void name(String option, String name) {
        nameProblem(name).ifPresent(problem -> {
            throw bad(option, problem);
        });
    }

    /**
     * Why {@code name} cannot name a monitor, as the end of a sentence that starts with the name, or empty if it can.
     * Shared with the agent's {@code name} option.
     */
    public static Optional<String> nameProblem(String name) {
        if (name == null || name.isBlank()) {
            return Optional.of("is empty: a monitor needs a name");
        }
        if (name.length() > MAX_NAME) {
            return Optional.of("is " + name.length() + " characters long, at most " + MAX_NAME + " are allowed");
        }
        if (name.codePoints().anyMatch(Character::isISOControl)) {
            return Optional.of("holds a control character (line break, tab...): a name must be printable");
        }
        return Optional.empty();
    }

    /**
     * A folder for files: it may not exist yet (it is created when first needed, not now), but it must not hold
     * {@code ..}, must not be a file, must not lie below a file, and must be writable when it exists.
     */
    public void folder(String option, Path dir) {
        folderProblem(dir).ifPresent(problem -> {
            throw bad(option, problem);
        });
    }

    /**
     * Why {@code dir} cannot be a folder for files (see {@link #folder}), as the end of a sentence that starts with
     * the folder, or empty if it can. Shared with the agent's {@code dumpDir} option.
     */
    public static Optional<String> folderProblem(Path dir) {
        if (dir == null) {
            return Optional.empty();
        }
        for (Path part : dir) {
            if ("..".equals(part.toString())) {
                return Optional.of("must not contain '..': name the folder itself");
            }
        }
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                return Optional.of("is a file, not a folder");
            }
            if (!Files.isWritable(dir)) {
                return Optional.of("is not a writable folder");
            }
            return Optional.empty();
        }
        for (Path up = dir.toAbsolutePath().getParent(); up != null; up = up.getParent()) {
            if (Files.exists(up)) {
                if (!Files.isDirectory(up)) {
                    return Optional.of("cannot be created: " + Printable.of(up.toString()) + " is a file");
                }
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** A file that must exist and be readable now. */
    void readableFile(String option, Path file) {
        readableProblem(file).ifPresent(problem -> {
            throw bad(option, problem);
        });
    }

    /**
     * Why {@code file} is not a readable regular file, as the end of a sentence that starts with the file, or empty
     * if it is one. Shared with the agent's file options.
     */
    public static Optional<String> readableProblem(Path file) {
        if (!Files.exists(file)) {
            return Optional.of("does not exist");
        }
        if (!Files.isRegularFile(file)) {
            return Optional.of("is not a regular file");
        }
        if (!Files.isReadable(file)) {
            return Optional.of("is not readable");
        }
        return Optional.empty();
    }

    /**
     * A file holding secrets (passwords): readable now, and open to its owner only, or anyone on the host could read
     * what it holds.
     */
    void ownerOnlyFile(String option, Path file) {
        readableFile(option, file);
        JmxFiles.ownerOnlyProblem(file).ifPresent(problem -> {
            throw bad(option, problem);
        });
    }
}
