package io.connwatch.analysis;

import io.connwatch.tracking.ConnectionTracker;
import io.connwatch.tracking.PatternMarks;
import io.connwatch.tracking.Target;
import io.connwatch.tracking.TrackedConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One pass over a tracker: classifies every live connection, stores its pattern set on it for the capture that
 * may follow, and tallies patterns overall and per target. Allocates per target, not per connection.
 */
public final class ConnectionCheck {
    private ConnectionCheck() {
    }

    /**
     * Runs a check at the tracker's now. A connection whose probe throws is skipped and counted; the first such
     * failure of the pass goes to {@code onProbeFailure}.
     */
    public static CheckResult run(ConnectionTracker tracker, PatternRules rules,
                                  Consumer<RuntimeException> onProbeFailure) {
        Classifier classifier = new Classifier(rules);
        long now = tracker.tick();
        PatternMarks marks = tracker.patternMarks();
        long[] tallies = new long[Pattern.all().length];
        Map<Target, TargetTally> byTarget = new HashMap<>();
        TargetTally unrouted = null;
        long examined = 0;
        long failures = 0;
        for (TrackedConnection c : tracker) {
            int bits;
            try {
                bits = classifier.classify(c, now, 1.0);
            } catch (RuntimeException e) {
                if (failures++ == 0) {
                    onProbeFailure.accept(e);
                }
                continue;
            }
            if (c.connectionClosed()) {
                continue;
            }
            examined++;
            marks.set(c, bits);
            for (int b = bits; b != 0; b &= b - 1) {
                tallies[Integer.numberOfTrailingZeros(b)]++;
            }
            Target t = c.target();
            TargetTally tally;
            if (t == null) {
                if (unrouted == null) {
                    unrouted = new TargetTally(TargetTally.UNROUTED);
                }
                tally = unrouted;
            } else {
                tally = byTarget.get(t);
                if (tally == null) {
                    tally = new TargetTally(t.toString());
                    byTarget.put(t, tally);
                }
            }
            tally.add(bits);
        }
        List<TargetTally> targets = new ArrayList<>(byTarget.values());
        if (unrouted != null) {
            targets.add(unrouted);
        }
        targets.sort(Comparator.comparingLong(TargetTally::connections).reversed()
                .thenComparing(TargetTally::target));
        Map<Pattern, Long> tallyMap = new EnumMap<>(Pattern.class);
        for (Pattern p : Pattern.all()) {
            tallyMap.put(p, tallies[p.ordinal()]);
        }
        long end = tracker.ticker().nanoTime();
        return new CheckResult(Instant.ofEpochMilli(tracker.ticker().toEpochMillis(now)), now,
                tracker.activeConnections(), examined, Collections.unmodifiableMap(tallyMap),
                Collections.unmodifiableList(targets),
                Recommendations.of(tallies, targets, rules), failures, end - now);
    }
}
