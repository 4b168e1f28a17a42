package io.connwatch.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code demo}: every pattern found, cleaned and written down, in one JVM on loopback, with nothing to install. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs backends that answer, hang, drip, refuse and never accept, a monitored relay in front of",
            "them, and clients that produce every pattern; prints a status line per check and a summary."})
final class DemoCommand implements Callable<Integer> {
    static final Duration MIN_DURATION = Duration.ofSeconds(15);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--duration", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long to run, at least 15s (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--out", defaultValue = "connwatch-demo",
            description = "Folder for the dumps (default: ./${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        OptionChecks check = new OptionChecks(spec);
        if (duration.compareTo(MIN_DURATION) < 0) {
            throw check.bad("--duration", "is too short: the demo needs at least 15s to show every pattern");
        }
        check.folder("--out", out);
        new DemoRun(out, duration, spec.commandLine().getOut()).run();
        return Main.OK;
    }
}
