#!/usr/bin/env bash
# A quick look at the reference proxy's relay throughput on loopback, connwatch on against off, A B A B.
#
#   bench/proxy-throughput.sh [pairs=5] [seconds=3] [connections=4]
#
# Builds like bench/jmh.sh (profile 'bench'); SKIP_BUILD=1 reuses the last build. Never part of 'mvn verify'.
set -euo pipefail
cd "$(dirname "$0")/.."
bench/jmh.sh -l > /dev/null
JAVA_BIN=${JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
exec "$JAVA_BIN" -cp "target/test-classes:target/classes:$(cat target/jmh-classpath.txt)" \
    io.connwatch.bench.ProxyThroughput "$@"
