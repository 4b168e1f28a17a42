package io.connwatch.cli;

import io.connwatch.demo.DemoCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar connwatch.jar}: the command line. Exit codes: 0 done, 1 failed while running, 2 bad usage or bad
 * input, with one line on stderr saying which and why.
 */
@Command(name = "connwatch", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Watches a proxy's connections: accumulation, spikes, broken patterns, cleanup.",
        subcommands = {
            DemoCommand.class,
            ProxyCommand.class,
            AnalyzeCommand.class,
            AttachCommand.class,
            StatusCommand.class,
            CaptureCommand.class,
        })
public final class Main implements Runnable {
    /** Done. */
    public static final int OK = 0;
    /** Failed while running. */
    public static final int FAILED = 1;
    /** Bad usage or bad input. */
    public static final int BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with these streams and returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
        System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((e, a) -> {
            err.println("connwatch: " + oneLine(e.getMessage()));
            return BAD_INPUT;
        });
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            err.println("connwatch: " + oneLine(String.valueOf(e)));
            return FAILED;
        });
        return cl.execute(args);
    }

    /** A message as one printable line: line breaks and other control characters escaped. */
    static String oneLine(String message) {
        return Printable.of(message == null ? "" : message.strip());
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version filtered into the jar at build time. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"connwatch " + version()};
        }

        static String version() {
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                Properties p = new Properties();
                if (in != null) {
                    p.load(in);
                }
                return p.getProperty("version", "unknown");
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}
