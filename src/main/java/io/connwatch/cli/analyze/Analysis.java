package io.connwatch.cli.analyze;

import io.connwatch.capture.DumpWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Dumps and recordings read, each into an {@link InputReport}, and what they say together. Overall figures never
 * add up the same connections twice: a pattern's tally and a target's count are the highest any input shows,
 * cleanups by reason add up (each cleanup is one event), recommendations are the distinct ones in input order.
 */
public final class Analysis {
    /** The analysis format's version, the {@code format} field of the JSON report. */
    public static final String FORMAT = "connwatch.analysis/1";
    /** How many targets the reports list. */
    public static final int TOP_TARGETS = 10;

    /** A timeline event with the input it came from. */
    public record Entry(InputReport input, InputReport.TimelineEvent event) {
    }

    private final List<InputReport> inputs;
    private final Map<String, Long> tallies = new LinkedHashMap<>();
    private final List<InputReport.TargetRow> topTargets = new ArrayList<>();
    private final List<String> recommendations = new ArrayList<>();
    private final Map<String, Long> cleanupsByReason = new LinkedHashMap<>();
    private final List<Entry> timeline = new ArrayList<>();
    private final List<InputReport.SeriesPoint> activeSeries = new ArrayList<>();

    private Analysis(List<InputReport> inputs) {
        this.inputs = List.copyOf(inputs);
        Map<String, InputReport.TargetRow> targets = new LinkedHashMap<>();
        Set<String> recs = new LinkedHashSet<>();
        Set<List<Object>> seen = new HashSet<>();
        for (InputReport in : inputs) {
            in.tallies.forEach((p, n) -> tallies.merge(p, n, Math::max));
            for (InputReport.TargetRow t : in.topTargets) {
                targets.merge(t.target(), t, Analysis::larger);
            }
            recs.addAll(in.recommendations);
            in.cleanupsByReason.forEach((r, n) -> cleanupsByReason.merge(r, n, Long::sum));
            for (InputReport.TimelineEvent e : in.timeline) {
                timeline.add(new Entry(in, e));
            }
            for (InputReport.SeriesPoint p : in.activeSeries) {
                // Trend points repeat from one dump to the next: keep each moment of a monitor once.
                if (seen.add(List.of(p.time(), String.valueOf(p.monitor()), p.source()))) {
                    activeSeries.add(p);
                }
            }
        }
        targets.values().stream().sorted(Comparator.comparingLong(InputReport.TargetRow::connections).reversed()
                .thenComparing(InputReport.TargetRow::target)).limit(TOP_TARGETS).forEach(topTargets::add);
        recommendations.addAll(recs);
        timeline.sort(Comparator.comparing(e -> e.event().time()));
        activeSeries.sort(Comparator.comparing(InputReport.SeriesPoint::time));
    }

    private static InputReport.TargetRow larger(InputReport.TargetRow a, InputReport.TargetRow b) {
        Map<String, Long> patterns = new LinkedHashMap<>(a.patterns());
        b.patterns().forEach((p, n) -> patterns.merge(p, n, Math::max));
        return new InputReport.TargetRow(a.target(), Math.max(a.connections(), b.connections()), patterns);
    }

    /** Reads every path: a dump, a recording, or a folder of them (its {@code accumulation_*.json} and {@code *.jfr}). */
    public static Analysis of(List<Path> paths) throws BadInputException {
        List<InputReport> reports = new ArrayList<>();
        for (Path p : expand(paths)) {
            reports.add(read(p));
        }
        return new Analysis(reports);
    }

    static List<Path> expand(List<Path> paths) throws BadInputException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new BadInputException(p, "no such file or folder");
            }
            if (!Files.isDirectory(p)) {
                files.add(p);
                continue;
            }
            List<Path> found = new ArrayList<>();
            try (DirectoryStream<Path> dir = Files.newDirectoryStream(p)) {
                for (Path f : dir) {
                    String name = f.getFileName().toString();
                    boolean dump = name.startsWith(DumpWriter.FILE_PREFIX) && name.endsWith(".json");
                    if ((dump || isJfrName(f)) && Files.isRegularFile(f)) {
                        found.add(f);
                    }
                }
            } catch (IOException e) {
                throw new BadInputException(p, "cannot list the folder: " + why(e));
            }
            if (found.isEmpty()) {
                throw new BadInputException(p, "nothing to read in this folder: no dumps (" + DumpWriter.FILE_PREFIX
                        + "*.json) and no recordings (*.jfr)");
            }
            found.sort(Comparator.comparing(Path::toString));
            files.addAll(found);
        }
        return files;
    }

    static InputReport read(Path p) throws BadInputException {
        try {
            if (!Files.isRegularFile(p)) {
                throw new BadInputException(p, "not a regular file");
            }
            if (Files.size(p) == 0) {
                throw new BadInputException(p, "empty file");
            }
            if (isJfrName(p) || startsWithJfrMagic(p)) {
                InputReport r = RecordingReader.read(p);
                JmcRules.evaluate(r);
                return r;
            }
            return DumpReader.read(p);
        } catch (IOException e) {
            throw new BadInputException(p, "cannot read: " + why(e));
        }
    }

    private static boolean isJfrName(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jfr");
    }

    private static boolean startsWithJfrMagic(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] b = in.readNBytes(4);
            return b.length == 4 && b[0] == 'F' && b[1] == 'L' && b[2] == 'R' && b[3] == 0;
        }
    }

    private static String why(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": "
                + e.getMessage();
    }

    public List<InputReport> inputs() {
        return inputs;
    }

    /** Pattern name to the highest count any input shows. */
    public Map<String, Long> tallies() {
        return tallies;
    }

    public List<InputReport.TargetRow> topTargets() {
        return topTargets;
    }

    public List<String> recommendations() {
        return recommendations;
    }

    public Map<String, Long> cleanupsByReason() {
        return cleanupsByReason;
    }

    /** Every input's timeline, merged, time-ordered. */
    public List<Entry> timeline() {
        return timeline;
    }

    /** Every input's active-connection points, merged, time-ordered. */
    public List<InputReport.SeriesPoint> activeSeries() {
        return activeSeries;
    }
}
