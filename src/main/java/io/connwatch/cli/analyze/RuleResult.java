package io.connwatch.cli.analyze;

/**
 * One rule's result from JDK Mission Control's automated analysis of a recording.
 *
 * @param id the rule's id ({@code connwatch.*} for connwatch's rules)
 * @param name the rule's name as JMC shows it
 * @param topic the rule's topic ({@code connwatch}, {@code gc}, {@code socket_io}...), or empty
 * @param source {@code connwatch} or {@code jmc}
 * @param severity {@code WARNING}, {@code INFO}, {@code OK} or {@code NA} (not applicable)
 * @param score 0 to 100, or null when the rule gives none
 * @param summary one sentence
 * @param explanation why it matters, or empty
 * @param solution what to do, or empty
 */
public record RuleResult(String id, String name, String topic, String source, String severity, Double score,
        String summary, String explanation, String solution) {
    /** Whether this is one of connwatch's rules. */
    public boolean connwatch() {
        return source.equals("connwatch");
    }
}
