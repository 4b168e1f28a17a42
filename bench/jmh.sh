#!/usr/bin/env bash
# Builds the JMH benchmarks (Maven profile 'bench', sources in src/jmh/java) and runs them.
#
#   bench/jmh.sh [JMH options] [benchmark regexp...]
#
# Examples:
#   bench/jmh.sh -l                                  # list the benchmarks
#   bench/jmh.sh UpdateBenchmark -prof gc            # hot path, with allocation per op
#   bench/jmh.sh CheckBenchmark -p connections=1000000 -i 3
#   bench/jmh.sh -rf json -rff target/jmh.json       # machine-readable results
#
# Defaults, each used only when not given: -f 1 -wi 3 -w 1s -i 5 -r 1s.
# Environment: MVN (default mvn), MVN_ARGS (e.g. -o for offline), JAVA (default $JAVA_HOME/bin/java or java),
# SKIP_BUILD=1 to reuse the last build.
#
# Never part of 'mvn verify': the 'bench' profile is off unless asked for.
set -euo pipefail

cd "$(dirname "$0")/.."

source bench/lib.sh


CP_FILE=target/jmh-classpath.txt
if [[ "${SKIP_BUILD:-0}" != 1 || ! -s "$CP_FILE" ]]; then
    mvn_quiet -Pbench -DskipTests test-compile
    mvn_quiet -Pbench dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test
fi
if [[ ! -f target/test-classes/META-INF/BenchmarkList ]]; then
    echo "jmh.sh: no target/test-classes/META-INF/BenchmarkList: the JMH annotation processor did not run" >&2
    exit 1
fi

# An option counts as given when it appears alone (-f 2) or glued to its value (-f2).
given() {
    local flag=$1 arg
    for arg in "${ARGS[@]}"; do
        if [[ "$arg" == "$flag" || "$arg" =~ ^${flag}[0-9] ]]; then
            return 0
        fi
    done
    return 1
}

ARGS=("$@")
DEFAULTS=()
given -f  || DEFAULTS+=(-f 1)
given -wi || DEFAULTS+=(-wi 3)
given -w  || DEFAULTS+=(-w 1s)
given -i  || DEFAULTS+=(-i 5)
given -r  || DEFAULTS+=(-r 1s)

exec "$JAVA_BIN" -cp "target/test-classes:target/classes:$(cat "$CP_FILE")" \
    org.openjdk.jmh.Main "${DEFAULTS[@]}" "$@"
