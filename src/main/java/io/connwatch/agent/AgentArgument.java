package io.connwatch.agent;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The agent's option string ({@code key=value} pairs separated by commas, as {@code -javaagent:connwatch.jar=OPTIONS}
 * takes it) made ready to be loaded into another JVM by the {@code attach} command: checked here with the agent's own
 * rules, so that a bad option is refused before anything is loaded, and with the relative paths it names made
 * absolute, because the target JVM would resolve them against its own working directory, not the one the command was
 * typed in. Paths inside a {@code config=FILE} are left to the target, as with {@code -javaagent}.
 *
 * <p>Part of the command line, not of the library's API: public only because the {@code attach} command lives in
 * another package.
 */
public final class AgentArgument {
    /** The options whose values are paths. */
    private static final Set<String> PATHS = Set.of("config", "dumpDir", "jmxPasswordFile", "jmxAccessFile");

    private final String text;
    private final String monitorName;

    private AgentArgument(String text, String monitorName) {
        this.text = text;
        this.monitorName = monitorName;
    }

    /**
     * Checks {@code options} (null or blank: every default) as the agent would, relative paths resolved against
     * {@code workingDirectory}. Files named ({@code config}, the JMX files) are read and checked here, by this process.
     *
     * @throws BadOption for the first bad option, with one line naming it and why
     */
    public static AgentArgument check(String options, Path workingDirectory) throws BadOption {
        try {
            Map<String, String> pairs = AgentOptions.split(options);
            pairs.replaceAll((key, value) -> PATHS.contains(key) ? absolute(workingDirectory, value) : value);
            // values hold no ',' and no '=' (split refuses them), so joining again loses nothing
            String text = pairs.isEmpty() ? null : pairs.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(","));
            return new AgentArgument(text, AgentOptions.parse(text).name);
        } catch (AgentOptions.Refused refused) {
            throw new BadOption(refused.getMessage());
        }
    }

    /** The agent's option keys, in the order its refusals list them. */
    public static List<String> keys() {
        return AgentOptions.KEYS;
    }

    /** The string to hand to the agent, its paths absolute; null for every default. */
    public String text() {
        return text;
    }

    /** The name the monitor will run under ({@code name}, or the agent's default). */
    public String monitorName() {
        return monitorName;
    }

    private static String absolute(Path workingDirectory, String value) {
        try {
            return workingDirectory.resolve(value).toString();
        } catch (InvalidPathException e) {
            return value; // not a path at all: the check that follows says so
        }
    }

    /** A bad option: the message is one line that names it and says why. */
    public static final class BadOption extends Exception {
        private static final long serialVersionUID = 1L;

        BadOption(String agentLine) {
            super(bare(agentLine), null, false, false);
        }

        /** The agent's line without what only the agent says: its prefix and "the application runs without". */
        private static String bare(String line) {
            String s = line.startsWith(AgentOptions.PREFIX) ? line.substring(AgentOptions.PREFIX.length()) : line;
            return s.endsWith(AgentOptions.WITHOUT) ? s.substring(0, s.length() - AgentOptions.WITHOUT.length()) : s;
        }
    }
}
