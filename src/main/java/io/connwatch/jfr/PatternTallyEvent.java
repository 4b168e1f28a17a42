package io.connwatch.jfr;

import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;

@Name("io.connwatch.PatternTally")
@Label("Pattern Tally")
@Description("Connections showing one pattern at the monitor's latest check, periodically, one event per pattern")
@Period("5 s")
final class PatternTallyEvent extends ConnwatchEvent {
    @Label("Pattern")
    String pattern;
    @Label("Count")
    int count;
}
