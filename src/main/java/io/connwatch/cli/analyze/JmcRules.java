package io.connwatch.cli.analyze;

import java.io.File;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;
import org.openjdk.jmc.flightrecorder.rules.IResult;
import org.openjdk.jmc.flightrecorder.rules.IRule;
import org.openjdk.jmc.flightrecorder.rules.ResultToolkit;
import org.openjdk.jmc.flightrecorder.rules.RuleRegistry;
import org.openjdk.jmc.flightrecorder.rules.Severity;
import org.openjdk.jmc.flightrecorder.rules.TypedResult;
import org.openjdk.jmc.flightrecorder.rules.util.RulesToolkit;

/**
 * Runs JDK Mission Control's automated analysis on a recording, as its Automated Analysis page does: every rule
 * {@link RuleRegistry} finds through {@link java.util.ServiceLoader}, connwatch's ({@code io.connwatch.jmc}) and JMC's
 * JDK rules. Results are sorted worst first: warnings, information, OK, not applicable, each by score.
 */
final class JmcRules {
    private static final List<Severity> ORDER = List.of(Severity.WARNING, Severity.INFO, Severity.OK, Severity.NA);

    private JmcRules() {
    }

    /** Fills the report's rules; a recording JMC cannot read, or a rule that fails, is noted, never fatal. */
    static void evaluate(InputReport report) {
        try {
            run(report);
        } catch (OutOfMemoryError e) {
            // JMC holds the whole recording in memory; the rest of the report does not need it.
            report.rules.clear();
            report.rulesError = "not enough memory for JDK Mission Control's rules on this recording: give analyze "
                    + "a larger heap (java -Xmx2g -jar connwatch.jar analyze ...)";
        }
    }

    private static void run(InputReport report) {
        IItemCollection items;
        try {
            items = JfrLoaderToolkit.loadEvents(new File(report.path().toString()));
        } catch (Exception | LinkageError e) {
            report.rulesError = "JDK Mission Control could not load the recording: " + e;
            return;
        }
        Map<IRule, Future<IResult>> futures = RulesToolkit.evaluateParallel(RuleRegistry.getRules(), items, null, 0);
        List<RuleResult> results = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Map.Entry<IRule, Future<IResult>> f : futures.entrySet()) {
            IRule rule = f.getKey();
            IResult r;
            try {
                r = f.getValue().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                report.rulesError = "interrupted while the rules ran";
                return;
            } catch (Exception e) {
                failed.add(rule.getId());
                continue;
            }
            if (r == null || !ORDER.contains(r.getSeverity())) {
                continue;
            }
            IQuantity score = r.getResult(TypedResult.SCORE);
            boolean ours = rule.getId().startsWith("connwatch.");
            results.add(new RuleResult(rule.getId(), rule.getName(), rule.getTopic() == null ? "" : rule.getTopic(),
                    ours ? "connwatch" : "jmc", r.getSeverity().name(),
                    score == null ? null : Math.max(0, Math.min(100, score.doubleValue())),
                    text(r, r.getSummary()), text(r, r.getExplanation()), text(r, r.getSolution())));
        }
        results.sort(Comparator.comparingInt((RuleResult r) -> ORDER.indexOf(Severity.valueOf(r.severity())))
                .thenComparing(r -> r.score() == null ? -1 : -r.score())
                .thenComparing(r -> !r.connwatch()).thenComparing(RuleResult::id));
        report.rules.addAll(results);
        if (!failed.isEmpty()) {
            failed.sort(null);
            report.rulesError = "rules that failed: " + String.join(", ", failed);
        }
    }

    // JMC's texts hold {placeholders} for typed results; filled as plain text, with no HTML.
    private static String text(IResult r, String s) {
        String t = s == null ? "" : ResultToolkit.populateMessage(r, s, false);
        return t == null ? "" : t.strip();
    }
}
