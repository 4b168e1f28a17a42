#!/usr/bin/env bash
# End to end: wrk through the reference proxy (java -jar target/connwatch.jar proxy) to nginx on loopback,
# A (proxy --no-monitor, no recording) against B (proxy with its monitor, and a JFR recording with
# jfr-configs/connwatch.jfc at its default level, normal), alternating A B A B..., each run in a fresh proxy process.
#
#   bench/e2e.sh
#   PAIRS=10 DURATION=20s bench/e2e.sh
#
# Environment (defaults in brackets):
#   PAIRS [6]          A/B pairs measured
#   DURATION [10s]     length of each measured wrk run
#   WARMUP [15s]       wrk run against each fresh proxy before the measured one, not counted (0 to skip); on one
#                      pinned CPU the JIT compilers share the proxy's core, and after 3 s they still take a
#                      tenth of it, more in B (more code to compile): the measured run must start after that
#   CONNECTIONS [64]   wrk -c
#   THREADS [2]        wrk -t
#   PIN [1]            1: pin with taskset when there are 2 CPUs or more: wrk on CPU 1, proxy and nginx on CPU 0
#                      (so that wrk never takes the proxy's CPU); 0: no pinning, the scheduler decides
#   WRK_CPUS [1]       taskset CPU list for wrk when PIN=1
#   SERVER_CPUS [0]    taskset CPU list for the proxy and nginx when PIN=1
#   B_JFR [1]          0: B runs the monitor without the JFR recording (to tell the two costs apart)
#   B_SETTINGS [connwatch]  B's recording settings: connwatch (jfr-configs/connwatch.jfc at its default level,
#                      normal) or default+connwatch (the JDK's default settings as well)
#   A_JFR [0]          1: A also records, with the JDK's default settings only (so that B/A is connwatch's share)
#   JAVA_OPTS []       extra JVM options for both A and B (e.g. -Xmx512m)
#   MVN, MVN_ARGS, JAVA  as for bench/jmh.sh; the jar is built only when target/connwatch.jar is missing
#
# Installs wrk and nginx with apt-get when they are missing (needs root). Everything it starts (nginx, the proxies)
# runs from a temporary folder made with mktemp, and is stopped, and the folder removed, when the script exits.
# Never part of 'mvn verify'.
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=${PAIRS:-6}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-15s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
PIN=${PIN:-1}
B_JFR=${B_JFR:-1}
B_SETTINGS=${B_SETTINGS:-connwatch}
A_JFR=${A_JFR:-0}
case "$B_SETTINGS" in
    connwatch|default+connwatch) ;;
    *) printf 'e2e.sh: B_SETTINGS must be connwatch or default+connwatch, not %s\n' "$B_SETTINGS" >&2; exit 2 ;;
esac
WRK_CPUS=${WRK_CPUS:-1}
SERVER_CPUS=${SERVER_CPUS:-0}
read -r -a JAVA_EXTRA <<< "${JAVA_OPTS:-}"
source bench/lib.sh
JAR=target/connwatch.jar
JFC=jfr-configs/connwatch.jfc


# --- tools -----------------------------------------------------------------------------------------------------
find_nginx() {
    command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true
}
if ! command -v wrk > /dev/null || [[ -z "$(find_nginx)" ]]; then
    [[ $EUID -eq 0 ]] || die "wrk or nginx missing, and installing them needs root (apt-get install wrk nginx)"
    command -v apt-get > /dev/null || die "wrk or nginx missing, and there is no apt-get to install them"
    say "installing wrk and nginx with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk nginx > /dev/null
fi
NGINX=$(find_nginx)
[[ -n "$NGINX" ]] || die "nginx not found after installing"
command -v wrk > /dev/null || die "wrk not found after installing"

if [[ ! -f "$JAR" ]]; then
    say "building $JAR"
    mvn_quiet package -DskipTests
    [[ -f "$JAR" ]] || die "the build did not make $JAR"
fi
[[ -f "$JFC" ]] || die "no $JFC"

WRK_PIN=()
SERVER_PIN=()
PINNING="none"
if [[ "$PIN" == 1 ]] && command -v taskset > /dev/null && (( $(nproc) >= 2 )); then
    WRK_PIN=(taskset -c "$WRK_CPUS")
    SERVER_PIN=(taskset -c "$SERVER_CPUS")
    PINNING="wrk on CPU $WRK_CPUS, proxy and nginx on CPU $SERVER_CPUS"
fi

# --- clean up whatever we started ------------------------------------------------------------------------------
TMP=$(mktemp -d -t connwatch-e2e.XXXXXX)
NGINX_PID=""
PROXY_PID=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [[ -n "$PROXY_PID" ]] && stop_pid "$PROXY_PID"
    [[ -n "$NGINX_PID" ]] && stop_pid "$NGINX_PID"
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- nginx -----------------------------------------------------------------------------------------------------
port_taken() { (exec 3<> "/dev/tcp/127.0.0.1/$1"); } 2> /dev/null
http_ok() {    # one GET on a fresh connection, true when the answer is 200
    local reply
    reply=$(exec 3<> "/dev/tcp/127.0.0.1/$1" && printf 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 \
        && timeout 5 head -c 12 <&3) || return 1
    [[ "$reply" == "HTTP/1.1 200" ]]
} 2> /dev/null

start_nginx() {
    local try port
    for try in 1 2 3 4 5 6 7 8 9 10; do
        port=$(( 20000 + RANDOM % 30000 ))
        port_taken "$port" && continue
        sed -e "s|@DIR@|$TMP|g" -e "s|@PORT@|$port|g" bench/nginx.conf.template > "$TMP/nginx.conf"
        "${SERVER_PIN[@]}" "$NGINX" -p "$TMP/" -c "$TMP/nginx.conf" -e "$TMP/nginx-error.log" &
        NGINX_PID=$!
        for _ in $(seq 50); do
            if http_ok "$port"; then
                NGINX_PORT=$port
                return 0
            fi
            kill -0 "$NGINX_PID" 2> /dev/null || break
            sleep 0.1
        done
        stop_pid "$NGINX_PID"
        NGINX_PID=""
    done
    cat "$TMP/nginx-error.log" >&2 2> /dev/null || true
    die "could not start nginx on a free loopback port"
}

# --- proxy -----------------------------------------------------------------------------------------------------
# start_proxy A|B RUN: sets PROXY_PID and PROXY_PORT
start_proxy() {
    local mode=$1 run=$2 log="$TMP/proxy-$2.log" jvm=() args=()
    if [[ "$mode" == B ]]; then
        local settings="settings=$JFC"
        [[ "$B_SETTINGS" == default+connwatch ]] && settings="settings=default,settings=$JFC"
        [[ "$B_JFR" == 1 ]] && jvm=("-XX:StartFlightRecording=$settings,filename=$TMP/rec-$run.jfr")
        args=(--dump-dir "$TMP/dumps-$run")
    else
        [[ "$A_JFR" == 1 ]] && jvm=("-XX:StartFlightRecording=settings=default,filename=$TMP/rec-$run.jfr")
        args=(--no-monitor)
    fi
    "${SERVER_PIN[@]}" "$JAVA_BIN" "${JAVA_EXTRA[@]}" "${jvm[@]}" -jar "$JAR" proxy \
        --listen 127.0.0.1:0 --target "127.0.0.1:$NGINX_PORT" "${args[@]}" > "$log" 2>&1 &
    PROXY_PID=$!
    for _ in $(seq 300); do
        PROXY_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\),.*/\1/p' "$log")
        [[ -n "$PROXY_PORT" ]] && return 0
        kill -0 "$PROXY_PID" 2> /dev/null || break
        sleep 0.1
    done
    cat "$log" >&2
    die "proxy ($mode, run $run) did not say where it listens"
}

stop_proxy() {
    stop_pid "$PROXY_PID"
    PROXY_PID=""
    [[ "$STOP_RC" == 0 ]] || { cat "$TMP/proxy-$1.log" >&2; die "proxy run $1 exited with $STOP_RC after SIGTERM"; }
}

# --- wrk -------------------------------------------------------------------------------------------------------
# run_wrk RUN: sets RPS and P99_US; complains about socket errors and non-2xx answers
run_wrk() {
    local out="$TMP/wrk-$1.txt" p99
    "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PROXY_PORT/" > "$out"
    RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p99=$(awk '$1 == "99%" { print $2 }' "$out")
    [[ -n "$RPS" && -n "$p99" ]] || { cat "$out" >&2; die "could not read wrk's output (run $1)"; }
    P99_US=$(to_us "$p99")
    if grep -q -e '^  Socket errors' -e '^  Non-2xx' "$out"; then
        say "  run $1: $(grep -e '^  Socket errors' -e '^  Non-2xx' "$out" | tr -s ' ' | tr '\n' ';')" >&2
    fi
}

# one_run A|B RUN: fresh proxy, warm-up, measured run, stop
one_run() {
    start_proxy "$1" "$2"
    if [[ "$WARMUP" != 0 && "$WARMUP" != 0s ]]; then
        "${WRK_PIN[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$PROXY_PORT/" > /dev/null
    fi
    run_wrk "$2"
    stop_proxy "$2"
}

# stats FILE -> "min median max" of the numbers in FILE, one a line
stats() {
    sort -g "$1" | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.3f %.3f %.3f\n", v[1], m, v[NR] }'
}

# --- main ------------------------------------------------------------------------------------------------------
start_nginx
say "connwatch e2e: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (warm-up $WARMUP) through the proxy to nginx"
B_WHAT="monitor + JFR ($B_SETTINGS)"
[[ "$B_JFR" == 1 ]] || B_WHAT="monitor, no JFR (B_JFR=0)"
A_WHAT="--no-monitor"
[[ "$A_JFR" == 1 ]] && A_WHAT="--no-monitor + JFR (default)"
say "pairs: $PAIRS, A = $A_WHAT, B = $B_WHAT; pinning: $PINNING"
say "$("$JAVA_BIN" -version 2>&1 | head -1); $("$NGINX" -v 2>&1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); nproc $(nproc)"
say ""
printf '| pair | A req/s | B req/s | B/A req/s | A p99 ms | B p99 ms | B/A p99 |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|\n'
for pair in $(seq "$PAIRS"); do
    one_run A "${pair}a"
    rps_a=$RPS p99_a=$P99_US
    one_run B "${pair}b"
    rps_b=$RPS p99_b=$P99_US
    read -r tr lr < <(awk -v ra="$rps_a" -v rb="$rps_b" -v la="$p99_a" -v lb="$p99_b" \
        'BEGIN { printf "%.3f %.3f\n", rb / ra, lb / la }')
    echo "$tr" >> "$TMP/ratio-rps"
    echo "$lr" >> "$TMP/ratio-p99"
    echo "$rps_a" >> "$TMP/a-rps"
    echo "$rps_b" >> "$TMP/b-rps"
    awk -v l="$p99_a" 'BEGIN { print l / 1000 }' >> "$TMP/a-p99"
    awk -v l="$p99_b" 'BEGIN { print l / 1000 }' >> "$TMP/b-p99"
    awk -v p="$pair" -v ra="$rps_a" -v rb="$rps_b" -v la="$p99_a" -v lb="$p99_b" -v tr="$tr" -v lr="$lr" \
        'BEGIN { printf "| %d | %.0f | %.0f | %s | %.2f | %.2f | %s |\n", p, ra, rb, tr, la / 1000, lb / 1000, lr }'
done

say ""
read -r a_min a_med a_max < <(stats "$TMP/a-rps")
read -r b_min b_med b_max < <(stats "$TMP/b-rps")
read -r al_min al_med al_max < <(stats "$TMP/a-p99")
read -r bl_min bl_med bl_max < <(stats "$TMP/b-p99")
read -r t_min t_med t_max < <(stats "$TMP/ratio-rps")
read -r l_min l_med l_max < <(stats "$TMP/ratio-p99")
printf 'A req/s     min %.0f  median %.0f  max %.0f\n' "$a_min" "$a_med" "$a_max"
printf 'B req/s     min %.0f  median %.0f  max %.0f\n' "$b_min" "$b_med" "$b_max"
printf 'A p99 ms    min %.2f  median %.2f  max %.2f\n' "$al_min" "$al_med" "$al_max"
printf 'B p99 ms    min %.2f  median %.2f  max %.2f\n' "$bl_min" "$bl_med" "$bl_max"
printf 'B/A req/s   min %s  median %s  max %s   (target >= 0.97)\n' "$t_min" "$t_med" "$t_max"
printf 'B/A p99     min %s  median %s  max %s   (target <= 1.05)\n' "$l_min" "$l_med" "$l_max"
