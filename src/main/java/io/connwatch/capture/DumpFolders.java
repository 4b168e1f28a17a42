package io.connwatch.capture;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The one place that decides where a dump goes, afresh at each capture: the first preferred folder that answers
 * (the JFR integration offers the active recording's folder), else the configured folder, else
 * {@code -Dconnwatch.dump.dir}, else {@code ./connection-diagnostics}.
 */
public final class DumpFolders {
    /** The system property naming the dump folder. */
    public static final String PROPERTY = "connwatch.dump.dir";
    /** The folder used when nothing else is set. */
    public static final Path DEFAULT = Paths.get("connection-diagnostics");

    private DumpFolders() {
    }

    /** The folder for a capture now. */
    public static Path resolve(List<Supplier<Optional<Path>>> preferred, Path configured) {
        for (Supplier<Optional<Path>> s : preferred) {
            try {
                Optional<Path> p = s.get();
                if (p.isPresent()) {
                    return p.get();
                }
            } catch (RuntimeException ignored) {
                // a preferred source that fails (JFR going away) falls through to the configured folder
            }
        }
        return configuredOrDefault(configured);
    }

    /** The configured folder, else the system property, else the default. */
    public static Path configuredOrDefault(Path configured) {
        if (configured != null) {
            return configured;
        }
        String prop = System.getProperty(PROPERTY);
        return prop == null || prop.isBlank() ? DEFAULT : Paths.get(prop);
    }
}
