package io.connwatch.bench;

import io.connwatch.MonitorSettings;
import io.connwatch.analysis.CheckResult;
import io.connwatch.analysis.ConnectionCheck;
import io.connwatch.analysis.Pattern;
import io.connwatch.analysis.PatternRules;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One check ({@link ConnectionCheck#run}) over a tracker of {@code connections} live connections with the mix of
 * {@link Population}: 20 targets, every pattern present. The population is built once per fork; a check changes
 * nothing but each connection's pattern bits, so every invocation sees the same state.
 *
 * <p>{@code listenerProbe}: {@code direct} endpoints answer {@code maxListenerCount()} from a field;
 * {@code map} endpoints leave it to {@code Endpoint}'s default, which builds the listener map per probe.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
public class CheckBenchmark {
    @Param({"100000", "1000000"})
    int connections;

    @Param({"direct"})
    String listenerProbe;

    Population population;
    PatternRules rules;

    @Setup
    public void setUp() {
        population = Population.of(connections, "map".equals(listenerProbe));
        rules = MonitorSettings.defaults().rules();
        CheckResult r = run();
        if (r.examined() != connections || r.probeFailures() != 0) {
            throw new IllegalStateException("population not as built: " + r);
        }
        for (Pattern p : Pattern.values()) {
            if (r.count(p) == 0) {
                throw new IllegalStateException("no " + p + " in the population: " + r.tallies());
            }
        }
        System.out.println();
        System.out.println("# check of " + connections + ": " + r.tallies() + ", " + r.byTarget().size() + " targets");
    }

    @Benchmark
    public CheckResult check() {
        return run();
    }

    private CheckResult run() {
        return ConnectionCheck.run(population.tracker, rules, e -> {
            throw new IllegalStateException("probe failed", e);
        });
    }
}
