package io.connwatch.cli.analyze;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** What one input, a dump or a recording, says. Filled by {@link DumpReader} or {@link RecordingReader}. */
public final class InputReport {
    /** What kind of file the input is. */
    public enum Kind {
        DUMP, RECORDING;

        /** The name written in reports: {@code dump} or {@code recording}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A target and how many connections went there, with per-pattern counts (pattern name to count). */
    public record TargetRow(String target, long connections, Map<String, Long> patterns) {
    }

    /**
     * One moment of a timeline: {@code accumulation}, {@code spike}, {@code cleanup}, {@code cleanups} (several
     * cleanups of one reason within a minute), {@code capture} (from a recording) or {@code dump} (a dump file read).
     */
    public record TimelineEvent(Instant time, String type, String monitor, Map<String, Object> fields) {
    }

    /** Active connections of a monitor at a moment; source {@code statistics} (JFR) or {@code trend} (a dump). */
    public record SeriesPoint(Instant time, long active, String monitor, String source) {
    }

    final Path path;
    final Kind kind;
    final Set<String> monitors = new LinkedHashSet<>();
    // dumps
    String trigger;
    Instant timestamp;
    Long pid;
    Long activeConnections;
    Long accumulationThreshold;
    Long spikeThreshold;
    long connectionsListed;
    long connectionsOmitted;
    // recordings
    Instant start;
    Instant end;
    final Map<String, Long> eventCounts = new LinkedHashMap<>();
    final Map<String, Long> cleanupsByReason = new LinkedHashMap<>();
    // both
    final Map<String, Long> tallies = new LinkedHashMap<>();
    final List<TargetRow> topTargets = new ArrayList<>();
    final List<String> recommendations = new ArrayList<>();
    final List<TimelineEvent> timeline = new ArrayList<>();
    final List<SeriesPoint> activeSeries = new ArrayList<>();
    // recordings: JDK Mission Control's automated analysis, connwatch's rules and the JDK's, worst first
    final List<RuleResult> rules = new ArrayList<>();
    String rulesError;

    InputReport(Path path, Kind kind) {
        this.path = path;
        this.kind = kind;
    }

    public Path path() {
        return path;
    }

    public Kind kind() {
        return kind;
    }

    /** The monitor's name for a dump; the names joined for a recording. */
    public String monitor() {
        return String.join(", ", monitors);
    }

    public Set<String> monitors() {
        return monitors;
    }

    public String trigger() {
        return trigger;
    }

    public Instant timestamp() {
        return timestamp;
    }

    public Long pid() {
        return pid;
    }

    public Long activeConnections() {
        return activeConnections;
    }

    public Long accumulationThreshold() {
        return accumulationThreshold;
    }

    public Long spikeThreshold() {
        return spikeThreshold;
    }

    public long connectionsListed() {
        return connectionsListed;
    }

    public long connectionsOmitted() {
        return connectionsOmitted;
    }

    public Instant start() {
        return start;
    }

    public Instant end() {
        return end;
    }

    public Map<String, Long> eventCounts() {
        return eventCounts;
    }

    public Map<String, Long> cleanupsByReason() {
        return cleanupsByReason;
    }

    /** Pattern name to count: a dump's summary; for a recording the highest count each pattern reached. */
    public Map<String, Long> tallies() {
        return tallies;
    }

    /** Largest first, at most {@link Analysis#TOP_TARGETS}. */
    public List<TargetRow> topTargets() {
        return topTargets;
    }

    public List<String> recommendations() {
        return recommendations;
    }

    /** Time-ordered. */
    public List<TimelineEvent> timeline() {
        return timeline;
    }

    /** Time-ordered. */
    public List<SeriesPoint> activeSeries() {
        return activeSeries;
    }

    /** JMC's automated analysis of a recording, connwatch's rules and JMC's JDK rules, worst first; none for a dump. */
    public List<RuleResult> rules() {
        return rules;
    }

    /** Why the rules could not run on this recording, or null. */
    public String rulesError() {
        return rulesError;
    }
}
