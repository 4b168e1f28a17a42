package io.connwatch.jmc;

import org.openjdk.jmc.flightrecorder.rules.Severity;
import org.openjdk.jmc.flightrecorder.rules.report.JfrRulesReport;

/**
 * JMC's headless report, {@link JfrRulesReport}, as its {@code main} runs it but down to not-applicable results
 * (its {@code -min} option stops at OK): XML on stdout, explanations and solutions included. The child JVM that runs
 * it has JMC's jars and {@code connwatch-jmc-rules.jar} on its class path, not connwatch's classes.
 */
public final class RulesReportMain {
    private RulesReportMain() {
    }

    public static void main(String[] recordings) throws Exception {
        JfrRulesReport.printReport("xml", Severity.NA, true, false, recordings);
    }
}
