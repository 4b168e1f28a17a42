package io.connwatch.demo;

import io.connwatch.cli.DurationConverter;
import io.connwatch.cli.OptionChecks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code demo}: every pattern found, cleaned and written down, in one JVM on loopback, with nothing to install.
 *
 * <p>Part of the command line ({@code java -jar connwatch.jar demo}), not of the library's API: it is public only so
 * that the command line can list it among its commands, and picocli creates it.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs backends that answer, hang, drip, refuse and never accept, a monitored relay in front of"
            + " them, and clients that produce every pattern. Without --duration it ends once every pattern has been"
            + " found and cleaned (about 15 s); with it, the clients come again in waves until the time is up, for"
            + " JConsole, VisualVM or JMC to watch. A status line when something changes, then a summary. Exits 1"
            + " if something was never seen (a wave gets at most " + DemoRun.WAVE_CAP_SECONDS + " s).")
public final class DemoCommand implements Callable<Integer> {
    static final Duration MIN_DURATION = Duration.ofSeconds(15);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--duration", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Keep going this long, repeating every scenario in waves; at least 15s, like 2m or 10m."
                + " The first wave always completes. Default: one wave, until everything has been seen.")
    Duration duration;

    @Option(names = "--out", defaultValue = "connwatch-demo", paramLabel = "DIR",
            description = "Folder for the recording and the dumps (default: ./${DEFAULT-VALUE}).")
    Path out;

    DemoCommand() {
    }

    /** Checks the options, then runs the demo; returns the exit code. */
    @Override
    public Integer call() throws Exception {
        OptionChecks check = new OptionChecks(spec);
        if (duration != null && duration.compareTo(MIN_DURATION) < 0) {
            throw check.bad("--duration", "is too short: the demo needs at least 15s to show every pattern");
        }
        check.folder("--out", out);
        return new DemoRun(out, duration, spec.commandLine().getOut(), spec.commandLine().getErr()).run();
    }
}
