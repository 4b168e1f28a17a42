package io.connwatch.jmc;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.common.util.IPreferenceValueProvider;
import org.openjdk.jmc.common.util.TypedPreference;
import org.openjdk.jmc.flightrecorder.rules.AbstractRule;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IResultValueProvider;
import org.openjdk.jmc.flightrecorder.rules.ResultBuilder;
import org.openjdk.jmc.flightrecorder.rules.Severity;
import org.openjdk.jmc.flightrecorder.rules.TypedResult;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit.EventAvailability;

/**
 * A connwatch rule: not applicable, with the reason, when the recording holds no connwatch statistics; else the
 * finding's score, summary, explanation and solution. Required events are declared at the lowest availability so JMC
 * always evaluates the rule and the user reads connwatch's reason rather than a generic "rule ignored"; no rule
 * depends on another ({@code @DependsOn} is fragile outside the desktop).
 */
abstract class ConnwatchRule extends AbstractRule {
    /** The topic connwatch's results are grouped under on the Automated Analysis page. */
    static final String TOPIC = "connwatch";
    /** How many targets or files a text names before "and N more". */
    static final int NAMED = 3;

    ConnwatchRule(String id, String name, String... eventTypes) {
        super("connwatch." + id, name, TOPIC, List.<TypedPreference<?>>of(),
                List.<TypedResult<?>>of(TypedResult.SCORE), required(eventTypes));
    }

    private static Map<String, EventAvailability> required(String... types) {
        Map<String, EventAvailability> m = new LinkedHashMap<>();
        m.put(Recorded.STATISTICS, EventAvailability.UNKNOWN);
        for (String t : types) {
            m.put(t, EventAvailability.UNKNOWN);
        }
        return Collections.unmodifiableMap(m);
    }

    @Override
    protected final IResult getResult(IItemCollection items, IPreferenceValueProvider vp, IResultValueProvider rp) {
        Recorded r = Recorded.of(items);
        if (r.statistics != EventAvailability.AVAILABLE) {
            return ResultBuilder.createFor(this, vp).setSeverity(Severity.NA).setSummary(notRecorded(r.statistics))
                    .setExplanation("connwatch's rules read the events of a connwatch monitor (category connwatch, "
                            + "io.connwatch.*); this recording has no io.connwatch.ConnectionStatistics event, which "
                            + "a monitor emits every period whenever connwatch's events are enabled.")
                    .setSolution("Record a JVM that runs a connwatch monitor with connwatch's settings: jcmd PID "
                            + "JFR.start settings=default settings=connwatch.jfc filename=rec.jfr (or the "
                            + "connwatch template in JMC's Flight Recording Template Manager).")
                    .build();
        }
        return evaluate(r, ResultBuilder.createFor(this, vp));
    }

    private static String notRecorded(EventAvailability a) {
        switch (a) {
            case DISABLED:
                return "Not applicable: connwatch's events were disabled in this recording (connwatch-level=off).";
            case ENABLED:
            case NONE:
                return "Not applicable: connwatch's events were enabled but no connwatch monitor emitted any.";
            default:
                return "Not applicable: connwatch's events were not recorded (no connwatch monitor, or a recording "
                        + "started without connwatch's settings).";
        }
    }

    /** The finding, from a recording where connwatch recorded. */
    abstract IResult evaluate(Recorded r, ResultBuilder result);

    /** Sets the score, and the severity JMC derives from it: 75 and up a warning, 25 and up information. */
    static ResultBuilder scored(ResultBuilder b, double score) {
        double s = Math.max(0, Math.min(100, score));
        return b.setSeverity(Severity.get(s)).addResult(TypedResult.SCORE, UnitLookup.NUMBER_UNITY.quantity(s));
    }

    /** OK: connwatch recorded and this finding did not occur. */
    static IResult ok(ResultBuilder b, String summary, String explanation) {
        return scored(b, 0).setSummary(summary).setExplanation(explanation).build();
    }

    /** Up to {@link #NAMED} items, then how many more. */
    static String named(Collection<String> items) {
        List<String> l = List.copyOf(items);
        if (l.isEmpty()) {
            return "none";
        }
        String head = String.join(", ", l.subList(0, Math.min(NAMED, l.size())));
        return l.size() > NAMED ? head + " and " + (l.size() - NAMED) + " more" : head;
    }

    /** "monitor edge" or "monitors a, b". */
    static String monitors(Collection<String> names) {
        return (names.size() == 1 ? "monitor " : "monitors ") + named(names);
    }

    /** "up to 3 stuck connections at a check, " or nothing when no check counted any. */
    static String atChecks(long n, String what) {
        return n > 0 ? "up to " + n + " " + what + " at a check, " : "";
    }

    static String plural(long n, String one) {
        return n + " " + one + (n == 1 ? "" : "s");
    }

    /** Where the connections are listed one by one. */
    static String dumps(Recorded r, Collection<String> monitors) {
        List<String> d = r.dumps(monitors);
        return d.isEmpty() ? "No diagnostic dump was written during the recording."
                : "The connections are listed one by one, with their targets and states, in the diagnostic dump"
                        + (d.size() == 1 ? " " : "s ") + named(d) + ".";
    }

    /** "edge: 12, api: 3" from per-monitor counts. */
    static String perMonitor(Map<String, Long> counts) {
        StringBuilder b = new StringBuilder();
        counts.forEach((m, n) -> b.append(b.length() == 0 ? "" : ", ").append(m).append(": ").append(n));
        return b.toString();
    }

    static long max(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
