#!/usr/bin/env bash
# The connwatch agent on a Reactor Netty forwarding server (the Spring Cloud Gateway shape: HttpServer in front of a
# pooled HttpClient), under wrk on loopback, agent on against agent off:
#
#   off: java -cp <apps> ReactorForwardingServer                    no agent, no recording
#   on:  java -javaagent:target/connwatch.jar=name=bench,dumpDir=<tmp>
#             -XX:StartFlightRecording=settings=jfr-configs/connwatch.jfc,filename=<tmp>/rec.jfr
#             -cp <apps> ReactorForwardingServer                    the monitor and JFR at connwatch's settings
#
# The backend is HangingBackend in http mode (a small Netty HTTP server), one for the whole run. Pairs alternate
# off, on, off, on...; each run is a fresh server: a warm-up wrk run (not counted), then the measured
# `wrk -t2 -c64 -d15s --latency`. Per run: requests/s and the 99 % latency from wrk, and the server's CPU time
# (utime + stime from /proc/PID/stat, before and after the measured run) per request. Then the medians of the per-pair
# ratios on/off, against the targets: throughput >= 0.97, p99 <= 1.05, CPU per request <= 1.03.
# Also measured, each side alternating:
#   - start-up: from the `java` launch to the server's ready line, median of STARTS starts, with -javaagent (no
#     recording) and without;
#   - memory per tracked channel: IDLE idle keep-alive connections (one request each) held open to a
#     ReactorPlainServer with the agent and without; live heap from `jcmd PID GC.class_histogram` (a full GC, then
#     the bytes of every live object) before and after; (on - off) / IDLE. The class histogram counts live objects
#     exactly, where "heap used" after a GC also counts the unused rest of G1's regions.
#
#   bench/agent-wrk.sh
#   PAIRS=1 DURATION=3s WARMUP=3s STARTS=2 IDLE=500 bench/agent-wrk.sh      # a smoke run: the script works
#
# Environment (defaults in brackets):
#   PAIRS [5]          off/on pairs measured (odd pairs off first, even pairs on first)
#   ON_JFR [1]         0: the on side runs the agent without the recording, to tell the two costs apart
#   OFF_JFR [0]        1: the off side runs the same recording without the agent (it records nothing: no connwatch
#                      events, every JDK event off), so that the ratios are connwatch's alone and not also JFR's
#   DURATION [15s]     length of each measured wrk run
#   SETTLE_MAX [60]    after WARMUP, 5 s wrk runs go on until the server's JIT compiler threads used under 100 ms in
#                      one, at most this many seconds more (see settle below)
#   WARMUP [45s]       wrk run against each fresh server before the measured one, not counted (0 to skip). With the
#                      JIT on the server's core (JIT_CPUS=), a fresh server went 2 000, 5 000, 7 000 ... req/s in
#                      successive 5 s runs and levelled off only after 30-35 s, the agent's side up to 30 s later
#   CONNECTIONS [64]   wrk -c
#   THREADS [2]        wrk -t
#   POOL [64]          the forwarding server's pool maximum (ConnectionProvider "upstream"); as many as wrk's
#                      connections, so that p99 is the forwarding's and not the wait for a pooled connection
#   STARTS [5]         start-up measurements on each side (0 to skip)
#   IDLE [10000]       idle connections for the memory measurement (0 to skip); each costs a file descriptor in the
#                      server and in the client (ulimit -n)
#   AGENT_OPTS [name=bench]  the agent's options (dumpDir is added, into the temporary folder)
#   BY_THREAD [0]      1: also print, per run, where the server's CPU time went during the measured run, by thread
#                      (the kernel's thread names, digits dropped: event loops, GC, JIT compilers, connwatch's own)
#   PROFILE_DIR []     a folder: each server also records with JFR's profile settings from its start, and the
#                      measured run is dumped into PROFILE_DIR/RUN.jfr (RUN as 1off, 1on, ...), to compare where the
#                      time goes; the recording costs both sides alike (started late, in a JVM where JFR never ran,
#                      it would cost the off side a burst of compilation in the measured run)
#   PIN [1]            1: with 2 CPUs or more, the server alone on CPU 0, wrk (and the idle-connection client) and
#                      the backend on CPU 1; 0: no pinning, the scheduler decides
#   WRK_CPUS [1], SERVER_CPUS [0], BACKEND_CPUS [1]  the taskset CPU lists when PIN=1
#   JIT_CPUS [1]       when PIN=1, each server's JIT compiler threads are moved to these CPUs once it has started (empty:
#                      they stay on the server's CPU); their CPU time still counts in the server's. On the server's one
#                      CPU the compilers took the event loop's time for 90 s and more of load, and one side's JIT
#                      still at work in the measured run decided the pair (BENCHMARKS.md)
#   JAVA_OPTS []       extra JVM options for the server, both sides (e.g. -Xmx512m or -XX:+UseG1GC)
#   SKIP_BUILD [0]     1: use target/connwatch.jar and target/test-classes as they are (else `mvn package -DskipTests`)
#   MVN, MVN_ARGS, JAVA  as for bench/jmh.sh (MVN_ARGS=-o builds offline)
#
# On a 2-core machine the load generator, the server and the backend share two cores. Pinned (the default), the
# server has CPU 0 to itself, as it would in production, where the backend runs elsewhere: it is the bottleneck, so
# every cycle the agent costs shows in the throughput; a JVM pinned to one CPU also picks the Serial collector (set
# JAVA_OPTS=-XX:+UseG1GC for G1). The backend used to share CPU 0 with the server (BACKEND_CPUS=0): then the two
# JVMs' scheduling decides how many requests each wake-up of the server's event loop finds, and the CPU per request
# of one and the same configuration flipped between two levels 25 % apart from one JVM to the next; an agent doing
# nothing at all (an empty premain) "cost" 15-20 % that way (BENCHMARKS.md). With PIN=0 all of them compete for both
# cores.
#
# Needs wrk (Debian package wrk): installed with apt-get when missing (needs root). Everything runs on loopback,
# from a temporary folder made with mktemp that is removed at the end, with every process it started stopped.
# Never part of 'mvn verify'.
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=${PAIRS:-5}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-45s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
POOL=${POOL:-64}
STARTS=${STARTS:-5}
IDLE=${IDLE:-10000}
AGENT_OPTS=${AGENT_OPTS:-name=bench}
PIN=${PIN:-1}
WRK_CPUS=${WRK_CPUS:-1}
SERVER_CPUS=${SERVER_CPUS:-0}
BACKEND_CPUS=${BACKEND_CPUS:-1}
JIT_CPUS=${JIT_CPUS-1}
SKIP_BUILD=${SKIP_BUILD:-0}
read -r -a JAVA_EXTRA <<< "${JAVA_OPTS:-}"
source bench/lib.sh
JAR=target/connwatch.jar
JFC=jfr-configs/connwatch.jfc
APPS=io.connwatch.agent.apps
for n in PAIRS CONNECTIONS THREADS POOL STARTS IDLE; do
    [[ "${!n}" =~ ^[0-9]+$ ]] || { printf 'agent-wrk.sh: %s must be a whole number, not %s\n' "$n" "${!n}" >&2; exit 2; }
done
(( PAIRS >= 1 )) || { printf 'agent-wrk.sh: PAIRS must be at least 1\n' >&2; exit 2; }

# --- tools -----------------------------------------------------------------------------------------------------
if ! command -v wrk > /dev/null; then
    [[ $EUID -eq 0 ]] || die "wrk is missing, and installing it needs root (apt-get install wrk)"
    command -v apt-get > /dev/null || die "wrk is missing, and there is no apt-get to install it (Debian package wrk)"
    say "wrk is missing: installing it with apt-get (Debian package wrk)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk > /dev/null
    command -v wrk > /dev/null || die "wrk not found after installing"
fi
JCMD=$(dirname "$(command -v "$JAVA_BIN")")/jcmd
[[ -x "$JCMD" ]] || die "no jcmd beside $JAVA_BIN (a JDK is needed, not a JRE)"
CLK_TCK=$(getconf CLK_TCK)

work_folder agent-wrk

if [[ "$SKIP_BUILD" != 1 ]]; then
    say "building $JAR and the test classes (mvn package -DskipTests)"
    mvn_quiet package -DskipTests
fi
[[ -f "$JAR" ]] || die "no $JAR: build it (mvn package -DskipTests)"
[[ -f "target/test-classes/${APPS//.//}/ReactorForwardingServer.class" ]] || die "no test classes: mvn test-compile"
[[ -f "$JFC" ]] || die "no $JFC"
mvn_quiet dependency:build-classpath -Dmdep.outputFile="$TMP/deps.txt"
# The test classes and the frameworks, not target/classes: the only connwatch in the server is the agent's.
CP="target/test-classes:$(cat "$TMP/deps.txt")"

WRK_PIN=()
SERVER_PIN=()
BACKEND_PIN=()
PINNING="none (PIN=0): wrk, server and backend share all CPUs"
if [[ "$PIN" == 1 ]] && command -v taskset > /dev/null && (( $(nproc) >= 2 )); then
    WRK_PIN=(taskset -c "$WRK_CPUS")
    SERVER_PIN=(taskset -c "$SERVER_CPUS")
    BACKEND_PIN=(taskset -c "$BACKEND_CPUS")
    PINNING="server on CPU $SERVER_CPUS, wrk on CPU $WRK_CPUS, backend on CPU $BACKEND_CPUS"
    [[ -n "$JIT_CPUS" ]] && PINNING+=", the server's JIT compilers on CPU $JIT_CPUS"
else
    JIT_CPUS=
fi

# --- starting and stopping ---------------------------------------------------------------------------------------
# Each line of the output, stamped with the time it was read ($EPOCHREALTIME, seconds with microseconds).
stamp() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }

# agent_jvm on|off RUN [jfr]: sets JVM to the JVM options of that side
agent_jvm() {
    JVM=("${JAVA_EXTRA[@]}")
    [[ -n "${PROFILE_DIR:-}" ]] && JVM+=("-XX:StartFlightRecording=name=profile,settings=profile")
    if [[ "$1" == on ]]; then
        JVM+=("-javaagent:$JAR=$AGENT_OPTS,dumpDir=$TMP/dumps-$2")
        [[ "${3:-}" == jfr && "${ON_JFR:-1}" == 1 ]] && JVM+=("-XX:StartFlightRecording=settings=$JFC,filename=$TMP/rec-$2.jfr")
    elif [[ "${3:-}" == jfr && "${OFF_JFR:-0}" == 1 ]]; then
        JVM+=("-XX:StartFlightRecording=settings=$JFC,filename=$TMP/rec-$2.jfr")
    fi
    return 0
}

# start_app NAME CLASS [JVM options...] -- [args...]: starts it pinned as a server (the backend as the backend); sets
# APP_PID, APP_PORT,
# APP_T0 (launch) and APP_READY (ready line), both $EPOCHREALTIME
start_app() {
    local name=$1 class=$2 jvm=() args=() line
    shift 2
    while [[ $# -gt 0 && "$1" != -- ]]; do jvm+=("$1"); shift; done
    [[ $# -gt 0 ]] && shift
    args=("$@")
    local pin=("${SERVER_PIN[@]}")
    [[ "$name" == backend ]] && pin=("${BACKEND_PIN[@]}")
    APP_T0=$EPOCHREALTIME
    "${pin[@]}" "$JAVA_BIN" "${jvm[@]}" -cp "$CP" "$APPS.$class" "${args[@]}" \
        > >(stamp > "$TMP/$name.out") 2> "$TMP/$name.err" < /dev/null &
    APP_PID=$!
    PIDS+=("$APP_PID")
    for _ in $(seq 600); do
        line=$(grep -m1 -E ' listening on 127\.0\.0\.1:[0-9]+$' "$TMP/$name.out" 2> /dev/null || true)
        if [[ -n "$line" ]]; then
            APP_READY=${line%% *}
            APP_PORT=${line##*:}
            if grep -q 'runs without connwatch' "$TMP/$name.err"; then
                cat "$TMP/$name.err" >&2
                die "$name: the agent refused its options"
            fi
            return 0
        fi
        kill -0 "$APP_PID" 2> /dev/null || break
        sleep 0.05
    done
    cat "$TMP/$name.out" "$TMP/$name.err" >&2
    die "$name ($class) did not say where it listens"
}

stop_app() {   # stop_app PID NAME: SIGTERM, and the exit code must be 0
    stop_pid "$1"
    [[ "$STOP_RC" == 0 ]] || { cat "$TMP/$2.out" "$TMP/$2.err" >&2; die "$2 exited with $STOP_RC after SIGTERM"; }
}

thread_ticks() { # thread_ticks PID: "TID NAME TICKS" for each of its threads (names without spaces)
    local t s name
    for t in /proc/"$1"/task/*; do
        { read -r s < "$t/stat"; } 2> /dev/null || continue
        name=${s#*(}; name=${name%)*}; name=${name// /_}
        s=${s##*) }
        read -r -a f <<< "$s"
        printf '%s %s %s\n' "${t##*/}" "$name" $(( f[11] + f[12] ))
    done
}

by_thread() {  # by_thread BEFORE AFTER RUN: the CPU time each thread group used between the two snapshots
    local groups
    groups=$(awk -v hz="$CLK_TCK" 'NR == FNR { b[$1] = $3; next } {
            g = $2; gsub(/[0-9]+/, "#", g); d[g] += $3 - b[$1]; t += $3 - b[$1] }
        END { for (g in d) if (d[g] > 0) printf "%s %d\n", g, d[g] * 1000 / hz; printf "total %d\n", t * 1000 / hz }' \
        "$1" "$2" | sort -k2,2nr | head -9 | awk '{ printf " %s %s;", $1, $2 }')
    printf '  run %s, server CPU by thread (ms):%s\n' "$3" "$groups" >&2
}

move_jit() {   # move_jit PID: its JIT compiler threads onto JIT_CPUS (when set)
    [[ -n "$JIT_CPUS" ]] || return 0
    local t name
    for t in /proc/"$1"/task/*; do
        { read -r name < "$t/comm"; } 2> /dev/null || continue
        [[ "$name" == C[12]\ CompilerThre* ]] && { taskset -p -c "$JIT_CPUS" "${t##*/}" > /dev/null || true; }
    done
    return 0
}

compiler_ticks() { # CPU ticks of PID's JIT compiler threads so far
    thread_ticks "$1" | awk '$2 ~ /^C[12]_Compiler/ { t += $3 } END { print t + 0 }'
}

# settle PID URL RUN: after the warm-up, more 5 s wrk runs until the JIT compilers used under 2 % of the CPU in one
# (at most SETTLE_MAX more seconds): a fresh server with the agent and a recording has more code to compile, so a
# fixed warm-up would measure how far each side's JIT has got (more so with the compilers on the server's CPU)
settle() {
    local before after waited=0 limit=${SETTLE_MAX:-60}
    while (( waited < limit )); do
        before=$(compiler_ticks "$1")
        "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "$2" > /dev/null
        after=$(compiler_ticks "$1")
        waited=$(( waited + 5 ))
        (( (after - before) * 1000 / CLK_TCK < 100 )) && break
    done
    printf '  run %s: warm-up %s + %d s until the JIT compilers were quiet\n' "$3" "$WARMUP" "$waited" >&2
}

cpu_ticks() {  # utime + stime of PID, in clock ticks (fields 14 and 15 of /proc/PID/stat, after the command name)
    local s
    s=$(< "/proc/$1/stat")
    s=${s##*) }
    read -r -a f <<< "$s"
    echo $(( f[11] + f[12] ))
}

# --- wrk -----------------------------------------------------------------------------------------------------
to_us() {      # 1.23ms -> 1230
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") f = 1; else if (u == "ms") f = 1000; else if (u == "s") f = 1000000;
        else if (u == "m") f = 60000000; else { print "?"; exit 1 }
        printf "%.0f\n", n * f }'
}

# one_run on|off RUN: fresh server, warm-up, measured run; sets RPS, P99_US, CPU_US (server CPU per request, us)
one_run() {
    local side=$1 run=$2 out="$TMP/wrk-$2.txt" p99 requests before after pid
    agent_jvm "$side" "$run" jfr
    start_app "server-$run" ReactorForwardingServer "${JVM[@]}" -- 0 "http://127.0.0.1:$BACKEND_PORT" "$POOL"
    pid=$APP_PID
    move_jit "$pid"
    local url="http://127.0.0.1:$APP_PORT/"
    if [[ "$WARMUP" != 0 && "$WARMUP" != 0s ]]; then
        "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$url" > /dev/null
        move_jit "$pid"   # compiler threads the JVM added since
        settle "$pid" "$url" "$run"
    fi
    [[ "${BY_THREAD:-0}" == 1 ]] && thread_ticks "$pid" > "$TMP/threads-$run.before"
    before=$(cpu_ticks "$pid")
    "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$url" > "$out"
    after=$(cpu_ticks "$pid")
    if [[ -n "${PROFILE_DIR:-}" ]]; then
        mkdir -p "$PROFILE_DIR"
        "$JCMD" "$pid" JFR.dump name=profile begin="-$DURATION" "filename=$(realpath "$PROFILE_DIR")/$run.jfr" > /dev/null
    fi
    if [[ "${BY_THREAD:-0}" == 1 ]]; then
        thread_ticks "$pid" > "$TMP/threads-$run.after"
        by_thread "$TMP/threads-$run.before" "$TMP/threads-$run.after" "$run"
    fi
    stop_app "$pid" "server-$run"
    RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p99=$(awk '$1 == "99%" { print $2 }' "$out")
    requests=$(awk '/ requests in / { print $1 }' "$out")
    [[ -n "$RPS" && -n "$p99" && -n "$requests" && "$requests" -gt 0 ]] \
        || { cat "$out" >&2; die "could not read wrk's output (run $run)"; }
    P99_US=$(to_us "$p99")
    CPU_US=$(awk -v t=$(( after - before )) -v hz="$CLK_TCK" -v n="$requests" 'BEGIN { printf "%.2f\n", t * 1e6 / hz / n }')
    if grep -q -e '^  Socket errors' -e '^  Non-2xx' "$out"; then
        say "  run $run: $(grep -e '^  Socket errors' -e '^  Non-2xx' "$out" | tr -s ' ' | tr '\n' ';')" >&2
    fi
}

stats() {      # stats FILE -> "min median max" of the numbers in FILE, one a line
    sort -g "$1" | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.3f %.3f %.3f\n", v[1], m, v[NR] }'
}

live_heap() {  # live_heap PID -> bytes of live objects (GC.class_histogram does a full GC first)
    local out
    out=$("$JCMD" "$1" GC.class_histogram 2>&1) || { printf '%s\n' "$out" >&2; die "jcmd $1 GC.class_histogram failed"; }
    awk '$1 == "Total" { print $3 }' <<< "$out"
}

# --- main ------------------------------------------------------------------------------------------------------
say "connwatch agent on a Reactor Netty forwarding server: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency"
OFF_DESC="no agent, no recording"
[[ "${OFF_JFR:-0}" == 1 ]] && OFF_DESC="no agent, the same recording"
say "(warm-up $WARMUP), pool $POOL, backend HangingBackend http; $PAIRS pairs, off = $OFF_DESC;"
say "on = -javaagent:$JAR=$AGENT_OPTS + -XX:StartFlightRecording=settings=$JFC; pinning: $PINNING"
say "$("$JAVA_BIN" -version 2>&1 | head -1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); nproc $(nproc);" \
    "JAVA_OPTS=${JAVA_OPTS:-none}"
start_app backend HangingBackend -- http 0
BACKEND_PID=$APP_PID
BACKEND_PORT=$APP_PORT
if [[ "$WARMUP" != 0 && "$WARMUP" != 0s ]]; then
    # The backend lives for the whole run: warmed once here, so that the first pair does not pay for its JIT.
    "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$BACKEND_PORT/" > /dev/null
fi
say ""

printf '| pair | off req/s | on req/s | on/off req/s | off p99 ms | on p99 ms | on/off p99 | off CPU us/req | on CPU us/req | on/off CPU |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for pair in $(seq "$PAIRS"); do
    # Odd pairs run off first, even pairs on first (off on on off ...): a drift over the run (the shared backend's
    # JIT, the page cache) falls on both sides alike instead of always favouring the second.
    if (( pair % 2 == 1 )); then
        one_run off "${pair}off"; rps_off=$RPS p99_off=$P99_US cpu_off=$CPU_US
        one_run on "${pair}on"; rps_on=$RPS p99_on=$P99_US cpu_on=$CPU_US
    else
        one_run on "${pair}on"; rps_on=$RPS p99_on=$P99_US cpu_on=$CPU_US
        one_run off "${pair}off"; rps_off=$RPS p99_off=$P99_US cpu_off=$CPU_US
    fi
    [[ -s "$TMP/rec-${pair}on.jfr" ]] || say "  pair $pair: the agent-on server wrote no recording" >&2
    read -r tr lr cr < <(awk -v a="$rps_off" -v b="$rps_on" -v la="$p99_off" -v lb="$p99_on" \
        -v ca="$cpu_off" -v cb="$cpu_on" 'BEGIN { printf "%.3f %.3f %.3f\n", b / a, lb / la, (ca > 0 ? cb / ca : 0) }')
    echo "$tr" >> "$TMP/ratio-rps"
    echo "$lr" >> "$TMP/ratio-p99"
    echo "$cr" >> "$TMP/ratio-cpu"
    echo "$rps_off" >> "$TMP/off-rps"
    echo "$rps_on" >> "$TMP/on-rps"
    awk -v l="$p99_off" 'BEGIN { print l / 1000 }' >> "$TMP/off-p99"
    awk -v l="$p99_on" 'BEGIN { print l / 1000 }' >> "$TMP/on-p99"
    echo "$cpu_off" >> "$TMP/off-cpu"
    echo "$cpu_on" >> "$TMP/on-cpu"
    awk -v p="$pair" -v ra="$rps_off" -v rb="$rps_on" -v la="$p99_off" -v lb="$p99_on" -v tr="$tr" -v lr="$lr" \
        -v ca="$cpu_off" -v cb="$cpu_on" -v cr="$cr" 'BEGIN {
        printf "| %d | %.0f | %.0f | %s | %.2f | %.2f | %s | %.2f | %.2f | %s |\n",
            p, ra, rb, tr, la / 1000, lb / 1000, lr, ca, cb, cr }'
done
say ""
print_stats() {   # print_stats LABEL FILE FORMAT [target]
    local lo med hi
    read -r lo med hi < <(stats "$2")
    printf "%-16s min $3  median $3  max $3%s\n" "$1" "$lo" "$med" "$hi" "${4:+   (target $4)}"
}
print_stats "off req/s" "$TMP/off-rps" "%.0f"
print_stats "on req/s" "$TMP/on-rps" "%.0f"
print_stats "off p99 ms" "$TMP/off-p99" "%.2f"
print_stats "on p99 ms" "$TMP/on-p99" "%.2f"
print_stats "off CPU us/req" "$TMP/off-cpu" "%.2f"
print_stats "on CPU us/req" "$TMP/on-cpu" "%.2f"
print_stats "on/off req/s" "$TMP/ratio-rps" "%.3f" ">= 0.97"
print_stats "on/off p99" "$TMP/ratio-p99" "%.3f" "<= 1.05"
print_stats "on/off CPU/req" "$TMP/ratio-cpu" "%.3f" "<= 1.03"
stop_app "$BACKEND_PID" backend

# --- start-up ----------------------------------------------------------------------------------------------------
if (( STARTS > 0 )); then
    say ""
    say "start-up of ReactorForwardingServer, launch to ready line, $STARTS each side alternating (no recording):"
    for i in $(seq "$STARTS"); do
        for side in off on; do
            agent_jvm "$side" "start-$i"
            start_app "start-$side-$i" ReactorForwardingServer "${JVM[@]}" -- 0 "http://127.0.0.1:1" "$POOL"
            awk -v a="$APP_T0" -v b="$APP_READY" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }' >> "$TMP/start-$side"
            stop_app "$APP_PID" "start-$side-$i"
        done
    done
    read -r _ s_off _ < <(stats "$TMP/start-off")
    read -r _ s_on _ < <(stats "$TMP/start-on")
    printf 'off ms: %s\n' "$(paste -sd' ' "$TMP/start-off")"
    printf 'on ms:  %s\n' "$(paste -sd' ' "$TMP/start-on")"
    awk -v a="$s_off" -v b="$s_on" 'BEGIN { printf "median off %.1f ms, on %.1f ms: -javaagent adds %.1f ms\n", a, b, b - a }'
fi

# --- memory per tracked channel -----------------------------------------------------------------------------------
if (( IDLE > 0 )); then
    say ""
    say "memory: $IDLE idle keep-alive connections (one request each) to ReactorPlainServer, live heap before and after:"
    for side in off on; do
        agent_jvm "$side" "mem"
        start_app "mem-$side" ReactorPlainServer "${JVM[@]}" -- 0
        server=$APP_PID
        port=$APP_PORT
        # Classes loaded and caches filled by a first load, closed, so that "before" already holds them.
        "${WRK_PIN[@]}" "$JAVA_BIN" -cp "$CP" "$APPS.KeepAliveLoad" "127.0.0.1:$port" --connections 16 --requests 50 \
            > "$TMP/mem-$side-warm.out"
        grep -q 'failed=0$' "$TMP/mem-$side-warm.out" || { cat "$TMP/mem-$side-warm.out" >&2; die "warm-up load failed"; }
        before=$(live_heap "$server")
        "${WRK_PIN[@]}" "$JAVA_BIN" -cp "$CP" "$APPS.KeepAliveLoad" "127.0.0.1:$port" --connections "$IDLE" \
            --requests 1 --hold > "$TMP/mem-$side-hold.out" 2>&1 < /dev/null &
        holder=$!
        PIDS+=("$holder")
        for _ in $(seq 1200); do
            grep -q '^holding ' "$TMP/mem-$side-hold.out" && break
            kill -0 "$holder" 2> /dev/null || break
            sleep 0.1
        done
        grep -q "^holding $IDLE connections" "$TMP/mem-$side-hold.out" \
            || { cat "$TMP/mem-$side-hold.out" >&2; die "could not hold $IDLE connections open ($side)"; }
        after=$(live_heap "$server")
        if [[ "$side" == on ]]; then
            status=$(timeout 60 "$JAVA_BIN" -jar "$JAR" status "$server" 2>&1) || true
            say "  connwatch status of the server with the agent:"
            printf '%s\n' "$status" | head -12 | sed 's/^/    /'
        fi
        # The server first, so that the TIME_WAITs are its own and not the client's ephemeral ports.
        stop_app "$server" "mem-$side"
        stop_pid "$holder"
        echo $(( after - before )) > "$TMP/mem-$side"
        awk -v b="$before" -v a="$after" -v n="$IDLE" -v s="$side" \
            'BEGIN { printf "%-3s live heap %.1f MB -> %.1f MB: %.0f B per connection\n", s, b / 1e6, a / 1e6, (a - b) / n }'
    done
    awk -v off="$(cat "$TMP/mem-off")" -v on="$(cat "$TMP/mem-on")" -v n="$IDLE" \
        'BEGIN { printf "per tracked channel (on - off): %.0f B\n", (on - off) / n }'
fi
