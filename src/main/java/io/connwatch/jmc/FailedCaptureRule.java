package io.connwatch.jmc;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;

/** Failed captures: a diagnostic dump that could not be written. A warning: the evidence of an episode is lost. */
public final class FailedCaptureRule extends ConnwatchRule {
    /** For {@link java.util.ServiceLoader}. */
    public FailedCaptureRule() {
        super("FailedCapture", "Failed Diagnostic Captures", Recorded.CAPTURE);
    }

    @Override
    IResult evaluate(Recorded r, ResultBuilder b) {
        List<Recorded.Capture> failed = r.captures.stream().filter(c -> !c.error().isEmpty())
                .collect(Collectors.toList());
        List<String> written = r.dumps(List.of());
        if (failed.isEmpty()) {
            return ok(b, written.isEmpty() ? "No diagnostic capture was needed or requested."
                    : "Every diagnostic capture was written: " + plural(written.size(), "dump") + ".",
                    written.isEmpty() ? "No DiagnosticCapture event in the recording."
                            : "Dumps: " + named(written) + ".");
        }
        Set<String> monitors = failed.stream().map(Recorded.Capture::monitor)
                .collect(Collectors.toCollection(TreeSet::new));
        Recorded.Capture first = failed.get(0);
        return scored(b, 75 + Math.min(24, 4 * (failed.size() - 1)))
                .setSummary(plural(failed.size(), "diagnostic capture") + " failed on " + monitors(monitors)
                        + ": " + first.error())
                .setExplanation("A failed capture leaves an accumulation or spike without the dump that lists its "
                        + "connections. First failure: trigger " + first.trigger() + ", file "
                        + (first.file().isEmpty() ? "(none)" : first.file()) + ". Dumps written: "
                        + (written.isEmpty() ? "none" : named(written)) + ".")
                .setSolution("Make the dump folder writable and give it space: the recording's folder while a "
                        + "recording with a file runs, else the monitor's OutputDirectory (-Dconnwatch.dump.dir).")
                .build();
    }
}
