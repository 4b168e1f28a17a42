#!/usr/bin/env bash
# Soak: the reference proxy (java -jar target/connwatch.jar proxy) under churn from a load generator, with the fault
# scenarios mixed in, then the end conditions read through the proxy's JMX connector: active count and open file
# descriptors back at their baseline, heap after GC within 10 %, every connection accounted for (opened = closed +
# active, termination reasons add up to the closes and match what the generator did), and exit code 0 on SIGTERM.
#
#   bench/soak.sh                                  # 1 000 000 connections
#   CONNECTIONS=50000 WARMUP=5000 bench/soak.sh    # a quick one
#
# Environment (defaults in brackets):
#   CONNECTIONS [1000000]    connections in the measured load (after the warm-up)
#   WARMUP [20000]           connections before the baseline is taken (same mix, 2 rounds), not counted
#   ROUNDS [10]              the load runs in rounds; each ends with the backend's fault phases (refusing, then a
#                            listener that never accepts), which need the backend port to themselves
#   CONCURRENCY [128]        fast connections in flight at most (normal traffic and quick faults)
#   SLOW_CONCURRENCY [1024]  slow connections in flight at most (those the proxy's cleanup ends, connect timeouts)
#   SEED [42]                the shuffle of the mix
#   STUCK_AFTER [2s] HALF_ZOMBIE_GRACE [1s] CONNECT_TIMEOUT [1s] IDLE_TIMEOUT [3s] INTERVAL [1s]
#   THRESHOLD [200] SPIKE [100]
#                            the proxy's options (--stuck-after ... --spike); the cleanup sweep runs every 10 s
#   SETTLE [60]              seconds to wait, after the load, for the active count and the descriptors to come back
#   FD_SLACK [0]             descriptors allowed above the baseline at the end
#   HEAP_SLACK [10]          percent of growth allowed for the heap after GC
#   PROGRESS [10]            seconds between progress lines
#   PROXY_JAVA_OPTS []       JVM options of the proxy (e.g. -Xmx512m)
#   DRIVER_JAVA_OPTS [-Xss256k]  JVM options of the generator + backend
#   LOG_DIR []               when set, the proxy's and the driver's logs are copied there
#   MVN, MVN_ARGS, JAVA      as for bench/jmh.sh; SKIP_BUILD=1 reuses the last build of the soak classes
#
# The load generator and the fault backend are Java (src/jmh/java/io/connwatch/bench/soak, built by the 'bench'
# profile), in one JVM; the proxy runs in its own. Everything runs on 127.0.0.1; the backend's and the JMX ports
# are picked below the ephemeral range, so that no outgoing connection takes them while the backend's listener is
# closed. Everything it starts runs from a temporary folder made with mktemp, and is stopped, and the folder
# removed, when the script exits. Never part of 'mvn verify'.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-1000000}
WARMUP=${WARMUP:-20000}
ROUNDS=${ROUNDS:-10}
CONCURRENCY=${CONCURRENCY:-128}
SLOW_CONCURRENCY=${SLOW_CONCURRENCY:-1024}
SEED=${SEED:-42}
STUCK_AFTER=${STUCK_AFTER:-2s}
HALF_ZOMBIE_GRACE=${HALF_ZOMBIE_GRACE:-1s}
CONNECT_TIMEOUT=${CONNECT_TIMEOUT:-1s}
IDLE_TIMEOUT=${IDLE_TIMEOUT:-3s}
INTERVAL=${INTERVAL:-1s}
THRESHOLD=${THRESHOLD:-200}
SPIKE=${SPIKE:-100}
SETTLE=${SETTLE:-60}
FD_SLACK=${FD_SLACK:-0}
HEAP_SLACK=${HEAP_SLACK:-10}
PROGRESS=${PROGRESS:-10}
read -r -a PROXY_JVM <<< "${PROXY_JAVA_OPTS:-}"
read -r -a DRIVER_JVM <<< "${DRIVER_JAVA_OPTS:--Xss256k}"
source bench/lib.sh
JAR=target/connwatch.jar
DRIVER_CLASS=target/test-classes/io/connwatch/bench/soak/SoakMain.class


# --- build -----------------------------------------------------------------------------------------------------
if [[ ! -f "$JAR" ]]; then
    say "building $JAR"
    mvn_quiet package -DskipTests
    [[ -f "$JAR" ]] || die "the build did not make $JAR"
fi
if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$DRIVER_CLASS" ]]; then
    say "building the soak driver (profile bench)"
    mvn_quiet -Pbench -DskipTests test-compile
    [[ -f "$DRIVER_CLASS" ]] || die "the build did not make $DRIVER_CLASS"
fi

# --- clean up whatever we started ------------------------------------------------------------------------------
TMP=$(mktemp -d -t connwatch-soak.XXXXXX)
PROXY_PID=""
DRIVER_PID=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [[ -n "$DRIVER_PID" ]] && stop_pid "$DRIVER_PID"
    [[ -n "$PROXY_PID" ]] && stop_pid "$PROXY_PID"
    if [[ -n "${LOG_DIR:-}" ]]; then
        mkdir -p "$LOG_DIR" && cp "$TMP"/*.log "$LOG_DIR"/ 2> /dev/null || true
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- ports -----------------------------------------------------------------------------------------------------
port_taken() { (exec 3<> "/dev/tcp/127.0.0.1/$1"); } 2> /dev/null
low_port() {   # a free loopback port below the ephemeral range
    local lo port try
    lo=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2> /dev/null || echo 32768)
    for try in $(seq 50); do
        port=$(( 10000 + RANDOM % (lo - 10000) ))
        [[ " ${TAKEN:-} " == *" $port "* ]] && continue
        port_taken "$port" || { TAKEN="${TAKEN:-} $port"; echo "$port"; return 0; }
    done
    die "no free port below $lo"
}
BACKEND_PORT=$(low_port)
TAKEN=" $BACKEND_PORT"
JMX_PORT=$(low_port)

# --- the machine -----------------------------------------------------------------------------------------------
sysctl_of() { cat "/proc/sys/net/${1//.//}" 2> /dev/null | tr '\t' ' ' || echo '?'; }
say "connwatch soak: $CONNECTIONS connections (warm-up $WARMUP) in $ROUNDS rounds, concurrency $CONCURRENCY fast + $SLOW_CONCURRENCY slow"
say "$("$JAVA_BIN" -version 2>&1 | head -1); $(uname -sr); nproc $(nproc); $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); ulimit -n $(ulimit -n)"
say "ipv4: tcp_tw_reuse $(sysctl_of ipv4.tcp_tw_reuse), ip_local_port_range $(sysctl_of ipv4.ip_local_port_range), tcp_max_tw_buckets $(sysctl_of ipv4.tcp_max_tw_buckets), somaxconn $(sysctl_of core.somaxconn)"

# --- the proxy -------------------------------------------------------------------------------------------------
PROXY_ARGS=(--listen 127.0.0.1:0 --target "127.0.0.1:$BACKEND_PORT" --jmx-port "$JMX_PORT"
    --interval "$INTERVAL" --stuck-after "$STUCK_AFTER" --half-zombie-grace "$HALF_ZOMBIE_GRACE"
    --connect-timeout "$CONNECT_TIMEOUT" --idle-timeout "$IDLE_TIMEOUT" --threshold "$THRESHOLD" --spike "$SPIKE"
    --dump-dir "$TMP/dumps")
say "proxy: java ${PROXY_JVM[*]} -jar $JAR proxy ${PROXY_ARGS[*]/$TMP/\$TMP}"
: > "$TMP/proxy.log"   # before the start: the child makes the redirection, maybe after the first look below
"$JAVA_BIN" "${PROXY_JVM[@]}" -jar "$JAR" proxy "${PROXY_ARGS[@]}" > "$TMP/proxy.log" 2>&1 &
PROXY_PID=$!
PROXY_PORT=""
for _ in $(seq 300); do
    PROXY_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\),.*/\1/p' "$TMP/proxy.log")
    [[ -n "$PROXY_PORT" ]] && grep -q '^jmx: ' "$TMP/proxy.log" && break
    PROXY_PORT=""
    kill -0 "$PROXY_PID" 2> /dev/null || break
    sleep 0.1
done
[[ -n "$PROXY_PORT" ]] || { cat "$TMP/proxy.log" >&2; die "the proxy did not say where it listens and where its JMX is"; }
say "$(grep -e '^listening on' -e '^jmx: ' "$TMP/proxy.log" | tr '\n' ';' | sed 's/;$//; s/;/; /')"

# --- the load and the checks -----------------------------------------------------------------------------------
T0=$(date +%s)
set +e
"$JAVA_BIN" "${DRIVER_JVM[@]}" -cp "target/test-classes:$JAR" io.connwatch.bench.soak.SoakMain \
    --proxy-port "$PROXY_PORT" --backend-port "$BACKEND_PORT" --jmx-port "$JMX_PORT" \
    --connections "$CONNECTIONS" --warmup "$WARMUP" --rounds "$ROUNDS" --concurrency "$CONCURRENCY" \
    --slow-concurrency "$SLOW_CONCURRENCY" --settle-seconds "$SETTLE" --fd-slack "$FD_SLACK" \
    --heap-slack-percent "$HEAP_SLACK" --progress-seconds "$PROGRESS" --seed "$SEED" \
    > >(tee "$TMP/driver.log") 2> "$TMP/driver-stderr.log" &
DRIVER_PID=$!
wait "$DRIVER_PID"
DRIVER_RC=$?
DRIVER_PID=""
set -e
T1=$(date +%s)
if [[ -s "$TMP/driver-stderr.log" ]]; then
    say "driver stderr (first 20 lines):"
    head -20 "$TMP/driver-stderr.log"
fi

TIME_WAIT=$(ss -Htan state time-wait 2> /dev/null | wc -l || echo '?')
DUMPS=$(find "$TMP/dumps" -name 'accumulation_*.json' 2> /dev/null | wc -l)
PROXY_ERRORS=$(grep -c -e 'ERROR' -e 'Exception' "$TMP/proxy.log" || true)

# --- SIGTERM: the proxy must close everything and exit 0 -------------------------------------------------------
stop_pid "$PROXY_PID"
PROXY_RC=$STOP_RC
PROXY_PID=""

say ""
say "== soak.sh summary =="
say "load + checks: $(( T1 - T0 )) s wall clock (including the warm-up and the wait for the baseline)"
say "sockets in TIME_WAIT on the machine at the end: $TIME_WAIT"
say "dumps written by the proxy: $DUMPS; proxy log lines with ERROR or Exception: $PROXY_ERRORS"
FAILED=0
if [[ "$DRIVER_RC" == 0 ]]; then
    say "PASS  end conditions (see the checks above)"
else
    say "FAIL  end conditions: the driver exited with $DRIVER_RC"
    FAILED=1
fi
if [[ "$PROXY_RC" == 0 ]] && grep -q '^shutting down' "$TMP/proxy.log"; then
    say "PASS  proxy exit code 0 on SIGTERM"
else
    say "FAIL  proxy exit code $PROXY_RC on SIGTERM"
    tail -20 "$TMP/proxy.log" >&2
    FAILED=1
fi
if [[ "$FAILED" == 0 ]]; then
    say "SOAK OK"
else
    say "SOAK FAILED"
fi
exit "$FAILED"
