#!/usr/bin/env bash
# The connwatch agent's CPU cost on a Reactor Netty forwarding server, measured with both sides running at once:
#
#   A: java [A_OPTS] -cp <apps> ReactorForwardingServer              by default no agent, no recording
#   B: java -javaagent:target/connwatch.jar=name=bench [B_OPTS] ...   by default the agent and a recording at
#                                                                    connwatch's settings (jfr-configs/connwatch.jfc)
#
# Both servers are pinned to the same CPU (0), each driven by its own `wrk -t1 -c32` (CPU 1, with the shared
# backend), warmed up together, then measured together over the same 10 s: each server's CPU time (utime + stime
# from /proc/PID/stat) per request it served, the requests it served and its 99 % latency from wrk, and the ratios
# B/A; and the same CPU per request for the event loop threads alone (/proc/PID/task/*/stat), which tells the cost on
# the requests' own path from the JIT compiling and connwatch's background threads. The two servers share the CPU fairly, so the side that costs more per request serves fewer requests, each
# waiting longer: B/A requests is about the inverse of B/A CPU per request. Odd rounds start A first, even rounds B
# first, the same for the two wrk runs. Whatever the machine does meanwhile (a neighbour on
# the host, the backend's pace, the loopback) falls on both sides alike, which alternating runs cannot give on a
# shared 2-core VM: there one and the same configuration varied by +-10 % and more from one JVM to the next. What
# stays is each JVM's own luck with its JIT, which is why it runs ROUNDS fresh pairs and gives the median.
#
#   bench/agent-side-by-side.sh                                                    agent + recording vs nothing
#   A_OPTS="-XX:StartFlightRecording=settings=jfr-configs/connwatch.jfc" bench/agent-side-by-side.sh
#                                                    vs the same recording without the agent: connwatch's own cost
#   B_AGENT=0 A_OPTS= B_OPTS= bench/agent-side-by-side.sh                          A against A: the method's noise
#
# Environment (defaults in brackets):
#   ROUNDS [5]       fresh pairs of servers
#   WARMUP [60s]     wrk against both before the measured run (the JIT shares the CPU with both servers)
#   DURATION [10s]   the measured run
#   LOOPS [1]        event loops of each server (-Dreactor.netty.ioWorkerCount, both sides; empty: Reactor Netty's
#                    default, at least 4). Both servers' loops share one CPU: with 4 each, the 8 loop threads' turns
#                    spread the rounds' CPU ratios over 0.97-1.12; with one each, over 1.04-1.06 (BENCHMARKS.md)
#   LOOP_THREADS [reactor-http-]  the name the servers' event loop threads start with: the CPU per request of those
#                    threads alone is reported too, apart from the JIT's and connwatch's own threads
#   A_OPTS []        JVM options of side A
#   B_OPTS [-XX:StartFlightRecording=settings=jfr-configs/connwatch.jfc]  JVM options of side B (a recording's
#                    filename is added, into the temporary folder)
#   B_AGENT [1]      0: side B without the agent
#   AGENT_OPTS [name=bench]
#   TLS [0]          1: both servers serve HTTPS (a self-signed key made with keytool into the temporary folder),
#                    so a TLS handler is first in each incoming pipeline and the agent's handler second; wrk
#                    speaks TLS, the backend stays plain HTTP
#   THREADS [0]      1: after each round, the CPU ticks of each side's threads over the measured run, by thread name
#                    (a trailing number dropped: all GC workers are one line), to tell where a difference goes
#   SKIP_BUILD [0]   1: use target/connwatch.jar and target/test-classes as they are
#   MVN, MVN_ARGS, JAVA  as for bench/jmh.sh
#
# Needs wrk (Debian package wrk) and taskset, and 2 CPUs or more. Everything runs on loopback, from a temporary
# folder that is removed at the end, with every process it started stopped. Never part of 'mvn verify'.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-60s}
DURATION=${DURATION:-10s}
A_OPTS=${A_OPTS:-}
B_OPTS=${B_OPTS--XX:StartFlightRecording=settings=jfr-configs/connwatch.jfc}
B_AGENT=${B_AGENT:-1}
LOOPS=${LOOPS-1}
LOOP_THREADS=${LOOP_THREADS:-reactor-http-}
AGENT_OPTS=${AGENT_OPTS:-name=bench}
SKIP_BUILD=${SKIP_BUILD:-0}
THREADS=${THREADS:-0}
TLS=${TLS:-0}
source bench/lib.sh
JAR=target/connwatch.jar
APPS=io.connwatch.agent.apps
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { printf 'agent-side-by-side.sh: ROUNDS must be a whole number >= 1\n' >&2; exit 2; }
command -v wrk > /dev/null || die "wrk is missing (Debian package wrk)"
command -v taskset > /dev/null || die "taskset is missing (Debian package util-linux)"
(( $(nproc) >= 2 )) || die "needs 2 CPUs or more"

work_folder side-by-side

if [[ "$SKIP_BUILD" != 1 ]]; then
    say "building $JAR and the test classes (mvn package -DskipTests)"
    mvn_quiet package -DskipTests
fi
[[ -f "$JAR" ]] || die "no $JAR: build it (mvn package -DskipTests)"
mvn_quiet dependency:build-classpath -Dmdep.outputFile="$TMP/deps.txt"
CP="target/test-classes:$(cat "$TMP/deps.txt")"

# start NAME CPU CLASS [JVM options...] -- [args...]: sets APP_PID and APP_PORT
start() {
    local name=$1 cpu=$2 class=$3 jvm=() line
    shift 3
    while [[ $# -gt 0 && "$1" != -- ]]; do jvm+=("$1"); shift; done
    [[ $# -gt 0 ]] && shift
    taskset -c "$cpu" "$JAVA_BIN" "${jvm[@]}" -cp "$CP" "$APPS.$class" "$@" > "$TMP/$name.out" 2>&1 < /dev/null &
    APP_PID=$!
    PIDS+=("$APP_PID")
    for _ in $(seq 600); do
        line=$(grep -m1 -oE 'listening on 127\.0\.0\.1:[0-9]+$' "$TMP/$name.out" 2> /dev/null || true)
        if [[ -n "$line" ]]; then
            APP_PORT=${line##*:}
            grep -q 'runs without connwatch' "$TMP/$name.out" && { cat "$TMP/$name.out" >&2; die "$name: the agent refused"; }
            return 0
        fi
        kill -0 "$APP_PID" 2> /dev/null || break
        sleep 0.05
    done
    cat "$TMP/$name.out" >&2
    die "$name ($class) did not say where it listens"
}

ticks() {      # utime + stime of PID in clock ticks
    local s
    s=$(< "/proc/$1/stat")
    s=${s##*) }
    read -r -a f <<< "$s"
    echo $(( f[11] + f[12] ))
}

loop_ticks() { # utime + stime of PID's event loop threads (named LOOP_THREADS...) in clock ticks
    local t s sum=0
    for t in /proc/"$1"/task/*; do
        [[ "$(cat "$t/comm" 2> /dev/null)" == "$LOOP_THREADS"* ]] || continue
        s=$(cat "$t/stat" 2> /dev/null) || continue
        s=${s##*) }
        read -r -a f <<< "$s"
        sum=$(( sum + f[11] + f[12] ))
    done
    echo "$sum"
}

thread_ticks() { # thread_ticks PID: one line per thread, 'name<TAB>utime + stime'
    local t s n
    for t in /proc/"$1"/task/*; do
        n=$(cat "$t/comm" 2> /dev/null) || continue
        s=$(cat "$t/stat" 2> /dev/null) || continue
        s=${s##*) }
        read -r -a f <<< "$s"
        printf '%s\t%d\n' "$n" $(( f[11] + f[12] ))
    done
}

by_thread() {  # by_thread BEFORE_A AFTER_A BEFORE_B AFTER_B: ticks per thread group over the run, A and B
    awk -F'\t' '
        { g = $1; sub(/[ #-]*[0-9]+$/, "", g) }
        FILENAME == ARGV[1] { a[g] -= $2; next }
        FILENAME == ARGV[2] { a[g] += $2; seen[g] = 1; next }
        FILENAME == ARGV[3] { b[g] -= $2; next }
        { b[g] += $2; seen[g] = 1 }
        END { for (g in seen) if (a[g] > 0 || b[g] > 0) printf "%d\t    %-28s A %6d   B %6d\n", a[g] + b[g], g, a[g], b[g] }' \
        "$1" "$2" "$3" "$4" | sort -rn | cut -f2
}

both_wrk() {   # both_wrk DURATION PORT_A PORT_B OUT_A OUT_B: one wrk per server, at once
    taskset -c 1 wrk -t1 -c32 -d"$1" --latency "$SCHEME://127.0.0.1:$2/" > "$4" &
    local wa=$!
    taskset -c 1 wrk -t1 -c32 -d"$1" --latency "$SCHEME://127.0.0.1:$3/" > "$5" &
    local wb=$!
    wait "$wa" "$wb"
}

read -r -a A_JVM <<< "$A_OPTS"
read -r -a B_JVM <<< "$B_OPTS"
if [[ -n "$LOOPS" ]]; then
    [[ "$LOOPS" =~ ^[1-9][0-9]*$ ]] || { printf 'agent-side-by-side.sh: LOOPS must be a whole number >= 1 or empty\n' >&2; exit 2; }
    A_JVM=("-Dreactor.netty.ioWorkerCount=$LOOPS" "${A_JVM[@]}")
    B_JVM=("-Dreactor.netty.ioWorkerCount=$LOOPS" "${B_JVM[@]}")
fi
B_DESC="${B_OPTS:-nothing more}"
[[ "$B_AGENT" == 1 ]] && B_DESC="-javaagent:$JAR=$AGENT_OPTS ${B_OPTS}"
say "side by side on CPU 0, each with wrk -t1 -c32 (CPU 1, with the backend); warm-up $WARMUP, measured $DURATION;"
say "event loops per server: ${LOOPS:-the default of Reactor Netty}"
say "A: ${A_OPTS:-no agent, no recording}"
say "B: $B_DESC"
say "$("$JAVA_BIN" -version 2>&1 | head -1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); nproc $(nproc)"
say ""
SCHEME=http
SERVER_ARGS=()
if [[ "$TLS" == 1 ]]; then
    KEYTOOL=$(dirname "$JAVA_BIN")/keytool
    command -v "$KEYTOOL" > /dev/null || KEYTOOL=keytool
    "$KEYTOOL" -genkeypair -alias bench -keyalg RSA -keysize 2048 -validity 2 -dname CN=127.0.0.1 \
        -storetype PKCS12 -keystore "$TMP/tls.p12" -storepass bench-secret > /dev/null 2>&1 \
        || die "keytool could not make a key store in $TMP"
    SCHEME=https
    SERVER_ARGS=(--tls "$TMP/tls.p12" bench-secret)
fi
say "servers speak $SCHEME"
start backend 1 HangingBackend -- http 0
BACKEND_PORT=$APP_PORT
taskset -c 1 wrk -t2 -c64 -d15s "http://127.0.0.1:$BACKEND_PORT/" > /dev/null
CLK_TCK=$(getconf CLK_TCK)

printf '| round | A requests | B requests | B/A requests | A p99 ms | B p99 ms | B/A p99 | A CPU us/req | B CPU us/req | B/A CPU per request | A loop us/req | B loop us/req | B/A loop |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for r in $(seq "$ROUNDS"); do
    a_jvm=("${A_JVM[@]}")
    b_jvm=("${B_JVM[@]}")
    # a recording's file goes into the temporary folder, one per side and round
    for i in "${!a_jvm[@]}"; do [[ "${a_jvm[$i]}" == -XX:StartFlightRecording=* ]] && a_jvm[$i]+=",filename=$TMP/a-$r.jfr"; done
    for i in "${!b_jvm[@]}"; do [[ "${b_jvm[$i]}" == -XX:StartFlightRecording=* ]] && b_jvm[$i]+=",filename=$TMP/b-$r.jfr"; done
    [[ "$B_AGENT" == 1 ]] && b_jvm=("-javaagent:$JAR=$AGENT_OPTS,dumpDir=$TMP/dumps-$r" "${b_jvm[@]}")
    # Which side starts first alternates: the first JVM's JIT has the CPU to itself for a moment.
    order=(a b)
    (( r % 2 == 0 )) && order=(b a)
    declare -A pid=() port=()
    for side in "${order[@]}"; do
        if [[ "$side" == a ]]; then jvm=("${a_jvm[@]}"); else jvm=("${b_jvm[@]}"); fi
        start "$side-$r" 0 ReactorForwardingServer "${jvm[@]}" -- "${SERVER_ARGS[@]}" 0 "http://127.0.0.1:$BACKEND_PORT" 64
        pid[$side]=$APP_PID port[$side]=$APP_PORT
    done
    a=${pid[a]} b=${pid[b]}
    first=${order[0]} second=${order[1]}
    both_wrk "$WARMUP" "${port[$first]}" "${port[$second]}" /dev/null /dev/null
    a0=$(ticks "$a") b0=$(ticks "$b") la0=$(loop_ticks "$a") lb0=$(loop_ticks "$b")
    if [[ "$THREADS" == 1 ]]; then thread_ticks "$a" > "$TMP/ta0"; thread_ticks "$b" > "$TMP/tb0"; fi
    both_wrk "$DURATION" "${port[$first]}" "${port[$second]}" "$TMP/wrk-$first-$r.txt" "$TMP/wrk-$second-$r.txt"
    a1=$(ticks "$a") b1=$(ticks "$b") la1=$(loop_ticks "$a") lb1=$(loop_ticks "$b")
    if [[ "$THREADS" == 1 ]]; then thread_ticks "$a" > "$TMP/ta1"; thread_ticks "$b" > "$TMP/tb1"; fi
    stop_pid "$a"
    stop_pid "$b"
    na=$(awk '/ requests in / { print $1 }' "$TMP/wrk-a-$r.txt")
    nb=$(awk '/ requests in / { print $1 }' "$TMP/wrk-b-$r.txt")
    pa=$(awk '$1 == "99%" { print $2 }' "$TMP/wrk-a-$r.txt")
    pb=$(awk '$1 == "99%" { print $2 }' "$TMP/wrk-b-$r.txt")
    [[ -n "$na" && -n "$nb" && "$na" -gt 0 && "$nb" -gt 0 && -n "$pa" && -n "$pb" ]] \
        || die "could not read wrk's output (round $r)"
    pa=$(to_us "$pa") pb=$(to_us "$pb")
    (( la1 > la0 && lb1 > lb0 )) || die "no event loop thread named $LOOP_THREADS* (round $r): set LOOP_THREADS"
    awk -v r="$r" -v na="$na" -v nb="$nb" -v ta=$(( a1 - a0 )) -v tb=$(( b1 - b0 )) -v hz="$CLK_TCK" \
        -v la=$(( la1 - la0 )) -v lb=$(( lb1 - lb0 )) -v pa="$pa" -v pb="$pb" -v dir="$TMP" 'BEGIN {
        ca = ta * 1e6 / hz / na; cb = tb * 1e6 / hz / nb; ka = la * 1e6 / hz / na; kb = lb * 1e6 / hz / nb
        printf "| %d | %d | %d | %.3f | %.2f | %.2f | %.3f | %.1f | %.1f | %.3f | %.1f | %.1f | %.3f |\n",
            r, na, nb, nb / na, pa / 1000, pb / 1000, pb / pa, ca, cb, cb / ca, ka, kb, kb / ka
        printf "%.3f\n", nb / na >> (dir "/ratio-req")
        printf "%.3f\n", pb / pa >> (dir "/ratio-p99")
        printf "%.3f\n", cb / ca >> (dir "/ratio-cpu")
        printf "%.3f\n", kb / ka >> (dir "/ratio-loop") }'
    if [[ "$THREADS" == 1 ]]; then
        { say "round $r, CPU ticks (1/$CLK_TCK s) over the measured run:"; by_thread "$TMP"/ta0 "$TMP"/ta1 "$TMP"/tb0 "$TMP"/tb1; } \
            >> "$TMP/threads.txt"
    fi
done
say ""
[[ "$THREADS" == 1 ]] && { cat "$TMP/threads.txt"; say ""; }
median() {     # median LABEL FILE NOTE
    sort -g "$2" | awk -v l="$1" -v t="$3" '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%-22s min %.3f  median %.3f  max %.3f   (%s)\n", l, v[1], m, v[NR], t }'
}
median "B/A requests" "$TMP/ratio-req" "target >= 0.97"
median "B/A p99" "$TMP/ratio-p99" "target <= 1.05"
median "B/A CPU per request" "$TMP/ratio-cpu" "target <= 1.03"
median "B/A loop CPU/request" "$TMP/ratio-loop" "the event loops alone, without the JIT and connwatch's threads"
