package io.connwatch.agent;

import io.connwatch.MonitorSettings;
import io.connwatch.cli.DurationConverter;
import io.connwatch.cli.OptionChecks;
import io.connwatch.cli.Printable;
import io.connwatch.jmx.JmxFiles;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The agent's options, from {@code -javaagent:connwatch.jar=OPTIONS} or {@code attach PID OPTIONS}: {@code key=value}
 * pairs separated by commas, the {@code proxy} command's names where they exist. {@code config=FILE} reads the same
 * keys from a properties file; a key given in the argument overrides the file's.
 *
 * <ul>
 *   <li>{@code name} (default {@value #DEFAULT_NAME}): the monitor's name, 1 to 200 printable characters;</li>
 *   <li>{@code threshold}, {@code spike}: whole numbers, at least 1;</li>
 *   <li>{@code interval} (at least 100ms), {@code stuckAfter}, {@code halfZombieGrace}, {@code connectTimeout},
 *       {@code idleTimeout}: durations like {@code 500ms}, {@code 30s}, {@code 5m}, {@code 4h};</li>
 *   <li>{@code dumpDir}: the dump folder, created when first needed;</li>
 *   <li>{@code cleanup} (default {@code false}: the agent reports, it closes nothing in someone else's server unless
 *       told to), {@code maskAddresses}: {@code true} or {@code false};</li>
 *   <li>{@code jmxPort}: a JMX connector on this port, 1 to 65535; {@code jmxPasswordFile} (open to its owner only)
 *       and {@code jmxAccessFile} (needs the password file), as the {@code proxy} command's;</li>
 *   <li>{@code metricsPort}: {@code PORT} or {@code HOST:PORT}, where Prometheus' {@code /metrics} is served for both
 *       monitors (loopback when only a port is given); {@code nettyPackages}: package prefixes of shaded copies of
 *       Netty, separated by {@code :}. Both are checked now and used when the agent starts; the host of
 *       {@code metricsPort} is resolved then.</li>
 * </ul>
 *
 * Nothing is started or created here. A bad option is refused with one line that names it and says why, ending with
 * what happens instead: the application runs without connwatch.
 */
final class AgentOptions {
    static final String DEFAULT_NAME = "agent";
    static final String PREFIX = "connwatch agent: ";
    static final String WITHOUT = "; the application runs without connwatch";

    static final List<String> KEYS = List.of("name", "threshold", "spike", "interval", "stuckAfter",
            "halfZombieGrace", "connectTimeout", "idleTimeout", "dumpDir", "cleanup", "jmxPort", "jmxPasswordFile",
            "jmxAccessFile", "metricsPort", "maskAddresses", "nettyPackages", "config");
    private static final Pattern PACKAGE = Pattern.compile("\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*"
            + "(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");

    final String name;
    final MonitorSettings settings;
    final Integer jmxPort;
    final Path jmxPasswordFile;
    final Path jmxAccessFile;
    /** The host of {@code metricsPort} (loopback when only a port was given); null when not given. */
    final String metricsHost;
    final Integer metricsPort;
    final List<String> nettyPackages;

    private AgentOptions(Values v) throws Refused {
        name = v.text("name", DEFAULT_NAME, n -> OptionChecks.nameProblem(n));
        Path dumpDir = v.path("dumpDir", d -> OptionChecks.folderProblem(d));
        jmxPort = v.port("jmxPort");
        jmxPasswordFile = v.path("jmxPasswordFile", f -> OptionChecks.readableProblem(f)
                .or(() -> JmxFiles.ownerOnlyProblem(f)));
        jmxAccessFile = v.path("jmxAccessFile", f -> OptionChecks.readableProblem(f));
        if (jmxPasswordFile != null && jmxPort == null) {
            throw v.bad("jmxPasswordFile", "is only used with jmxPort");
        }
        if (jmxAccessFile != null && jmxPasswordFile == null) {
            throw v.bad("jmxAccessFile", "needs jmxPasswordFile: roles need users");
        }
        String metrics = v.raw("metricsPort");
        if (metrics == null) {
            metricsHost = null;
            metricsPort = null;
        } else {
            int colon = metrics.lastIndexOf(':');
            String host = colon < 0 ? "127.0.0.1" : metrics.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            if (host.isBlank()) {
                throw v.bad("metricsPort", "has no host before ':': write PORT or HOST:PORT");
            }
            metricsHost = host;
            metricsPort = v.port("metricsPort", metrics.substring(colon + 1));
        }
        List<String> packages = new ArrayList<>();
        String netty = v.raw("nettyPackages");
        if (netty != null) {
            for (String p : netty.split(":", -1)) {
                if (!PACKAGE.matcher(p).matches()) {
                    throw v.bad("nettyPackages", "holds '" + Printable.of(p) + "', not a package name: write package"
                            + " prefixes like com.example.shaded.netty, separated by ':'");
                }
                packages.add(p);
            }
        }
        nettyPackages = List.copyOf(packages);
        MonitorSettings.Builder b = MonitorSettings.builder().cleanupEnabled(v.bool("cleanup", false))
                .maskAddresses(v.bool("maskAddresses", false)).outputDirectory(dumpDir);
        Long threshold = v.count("threshold");
        if (threshold != null) {
            b.accumulationThreshold(threshold);
        }
        Long spike = v.count("spike");
        if (spike != null) {
            b.spikeThreshold(spike);
        }
        Duration interval = v.duration("interval");
        if (interval != null) {
            if (interval.compareTo(MonitorSettings.MIN_INTERVAL) < 0) {
                throw v.bad("interval", "is too short: at least 100ms");
            }
            b.checkInterval(interval);
        }
        Duration d;
        if ((d = v.duration("stuckAfter")) != null) {
            b.stuckAfter(d);
        }
        if ((d = v.duration("halfZombieGrace")) != null) {
            b.halfZombieGrace(d);
        }
        if ((d = v.duration("connectTimeout")) != null) {
            b.connectTimeout(d);
        }
        if ((d = v.duration("idleTimeout")) != null) {
            b.inactivityTimeout(d);
        }
        try {
            settings = b.build();
        } catch (IllegalArgumentException e) {
            throw new Refused(PREFIX + "the options do not make settings: " + Printable.of(String.valueOf(
                    e.getMessage())) + WITHOUT);
        }
    }

    /**
     * Parses the agent's argument (null or blank: every default) and the {@code config} file it names, and checks
     * every value. Keys in the argument override the same keys in the file.
     *
     * @throws Refused with the one line to print, for the first bad option
     */
    static AgentOptions parse(String argument) throws Refused {
        Map<String, String> given = split(argument);
        Map<String, String> all = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        String config = given.get("config");
        if (config != null) {
            Path file = path("config", config, "");
            Optional<String> problem = OptionChecks.readableProblem(file);
            if (problem.isPresent()) {
                throw new Refused(PREFIX + "option 'config=" + Printable.of(config) + "' " + problem.get() + WITHOUT);
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new Refused(PREFIX + "option 'config=" + Printable.of(config) + "' cannot be read: "
                        + Printable.of(String.valueOf(e.getMessage())) + WITHOUT);
            }
            String where = " (in " + Printable.of(config) + ")";
            for (String key : new java.util.TreeSet<>(p.stringPropertyNames())) {
                if ("config".equals(key)) {
                    throw new Refused(PREFIX + "option 'config'" + where + " cannot name another file: one config"
                            + " file only" + WITHOUT);
                }
                known(key, where);
                String value = p.getProperty(key).trim();
                if (value.isEmpty()) {
                    throw new Refused(PREFIX + "option '" + Printable.of(key) + "'" + where + " has no value: write "
                            + Printable.of(key) + "=VALUE" + WITHOUT);
                }
                all.put(key, value);
                origin.put(key, where);
            }
        }
        given.forEach((k, v) -> {
            if (!"config".equals(k)) {
                all.put(k, v);
                origin.remove(k);
            }
        });
        return new AgentOptions(new Values(all, origin));
    }

    /** The argument's pairs, in order; refuses unknown keys, missing values, a value with '=', a key given twice. */
    static Map<String, String> split(String argument) throws Refused {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (argument == null || argument.isBlank()) {
            return pairs;
        }
        for (String item : argument.split(",", -1)) {
            String pair = item.trim();
            if (pair.isEmpty()) {
                throw new Refused(PREFIX + "an empty option in '" + Printable.of(argument) + "': write key=value"
                        + " pairs separated by single commas" + WITHOUT);
            }
            int eq = pair.indexOf('=');
            String key = (eq < 0 ? pair : pair.substring(0, eq)).trim();
            known(key, "");
            if (eq < 0 || pair.substring(eq + 1).isBlank()) {
                throw new Refused(PREFIX + "option '" + key + "' has no value: write " + key + "=VALUE" + WITHOUT);
            }
            String value = pair.substring(eq + 1).trim();
            if (value.indexOf('=') >= 0) {
                throw new Refused(PREFIX + "option '" + Printable.of(pair) + "' holds more than one '=': a value"
                        + " cannot hold '=' or ','; put it in a config=FILE" + WITHOUT);
            }
            if (pairs.putIfAbsent(key, value) != null) {
                throw new Refused(PREFIX + "option '" + key + "' is given twice: give it once" + WITHOUT);
            }
        }
        return pairs;
    }

    private static void known(String key, String where) throws Refused {
        if (!KEYS.contains(key)) {
            throw new Refused(PREFIX + "unknown option '" + Printable.of(key) + "'" + where + ": the options are "
                    + String.join(", ", KEYS) + WITHOUT);
        }
    }

    private static Path path(String key, String value, String where) throws Refused {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new Refused(PREFIX + "option '" + key + "=" + Printable.of(value) + "'" + where
                    + " is not a path: " + Printable.of(e.getReason()) + WITHOUT);
        }
    }

    /** The merged values, each read once as its type; every refusal names the pair and where it came from. */
    private static final class Values {
        private final Map<String, String> values;
        private final Map<String, String> origin;

        Values(Map<String, String> values, Map<String, String> origin) {
            this.values = values;
            this.origin = origin;
        }

        String raw(String key) {
            return values.get(key);
        }

        Refused bad(String key, String why) {
            return new Refused(PREFIX + "option '" + key + "=" + Printable.of(values.get(key)) + "'"
                    + origin.getOrDefault(key, "") + " " + why + WITHOUT);
        }

        String text(String key, String fallback, Function<String, Optional<String>> check) throws Refused {
            String v = values.getOrDefault(key, fallback);
            Optional<String> problem = check.apply(v);
            if (problem.isPresent()) {
                throw bad(key, problem.get());
            }
            return v;
        }

        Path path(String key, Function<Path, Optional<String>> check) throws Refused {
            String v = values.get(key);
            if (v == null) {
                return null;
            }
            Path p = AgentOptions.path(key, v, origin.getOrDefault(key, ""));
            Optional<String> problem = check.apply(p);
            if (problem.isPresent()) {
                throw bad(key, problem.get());
            }
            return p;
        }

        Long count(String key) throws Refused {
            String v = values.get(key);
            if (v == null) {
                return null;
            }
            long n;
            try {
                n = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw bad(key, "is not a whole number");
            }
            if (n < 1) {
                throw bad(key, "must be at least 1");
            }
            return n;
        }

        Duration duration(String key) throws Refused {
            String v = values.get(key);
            if (v == null) {
                return null;
            }
            Optional<String> problem = DurationConverter.problem(v);
            if (problem.isPresent()) {
                throw bad(key, problem.get());
            }
            Duration d = DurationConverter.parse(v);
            if (d.isZero()) {
                throw bad(key, "must be longer than 0, like 500ms, 30s, 5m or 4h");
            }
            return d;
        }

        boolean bool(String key, boolean fallback) throws Refused {
            String v = values.get(key);
            if (v == null) {
                return fallback;
            }
            if (!"true".equals(v) && !"false".equals(v)) {
                throw bad(key, "is not true or false");
            }
            return Boolean.parseBoolean(v);
        }

        Integer port(String key) throws Refused {
            String v = values.get(key);
            return v == null ? null : port(key, v);
        }

        int port(String key, String v) throws Refused {
            int port;
            try {
                port = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw bad(key, "must be a port from 1 to 65535");
            }
            if (port < 1 || port > 65535) {
                throw bad(key, "must be a port from 1 to 65535");
            }
            return port;
        }
    }

    /** A bad option: the message is the one line to print. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String line) {
            super(line, null, false, false);
        }
    }
}
