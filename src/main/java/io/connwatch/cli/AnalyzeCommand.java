package io.connwatch.cli;

import io.connwatch.cli.analyze.Analysis;
import io.connwatch.cli.analyze.BadInputException;
import io.connwatch.cli.analyze.HtmlReport;
import io.connwatch.cli.analyze.JsonReport;
import io.connwatch.cli.analyze.TextReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code analyze PATH... [--format text|json|html] [--output FILE]}: reads diagnostic dumps and JFR recordings and
 * reports pattern tallies, top targets, recommendations, the timeline of accumulations, spikes, cleanups and
 * captures, and active connections over time. A file that cannot be read is bad input (exit 2, one line on stderr
 * naming it); a report that cannot be written is a failure (exit 1, one line). The JSON schema is described in
 * {@link JsonReport}.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"Reads diagnostic dumps (accumulation_*.json), JFR recordings (*.jfr) or folders of them and",
            "reports pattern tallies, top targets, recommendations and the timeline of accumulations, spikes,",
            "cleanups and captures."})
final class AnalyzeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "PATH",
            description = "A dump, a .jfr recording, or a folder holding them.")
    List<Path> paths;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json|html",
            description = "text, json or html (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the report there instead of stdout.")
    Path output;

    @Override
    public Integer call() {
        String f = format.toLowerCase(Locale.ROOT);
        if (!List.of("text", "json", "html").contains(f)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--format " + format + " is not one of text, json, html");
        }
        Analysis analysis;
        try {
            analysis = Analysis.of(paths);
        } catch (BadInputException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        StringWriter report = new StringWriter();
        try {
            switch (f) {
                case "json":
                    JsonReport.write(analysis, report);
                    break;
                case "html":
                    HtmlReport.write(analysis, report);
                    break;
                default:
                    TextReport.write(analysis, new PrintWriter(report));
                    break;
            }
        } catch (IOException | RuntimeException e) {
            spec.commandLine().getErr().println("connwatch: analyze failed while writing the report: " + e);
            return Main.FAILED;
        }
        if (output == null) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(report);
            out.flush();
            return Main.OK;
        }
        try (Writer w = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
            w.write(report.toString());
        } catch (IOException e) {
            String why = e instanceof NoSuchFileException ? "its folder does not exist"
                    : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            spec.commandLine().getErr().println("connwatch: cannot write " + output + ": " + why.replaceAll("[\\r\\n]+", " "));
            return Main.FAILED;
        }
        return Main.OK;
    }
}
