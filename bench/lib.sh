# Shared by the bench/ scripts (sourced, not run): the JVM and Maven to use, quiet builds, stopping children.
#   MVN, MVN_ARGS   Maven and extra arguments (e.g. MVN_ARGS=-o to build offline)
#   JAVA            the java to run; else $JAVA_HOME/bin/java; else java on the PATH

MVN=${MVN:-mvn}
read -r -a MVN_EXTRA <<< "${MVN_ARGS:-}"
if [[ -n "${JAVA:-}" ]]; then
    JAVA_BIN=$JAVA
elif [[ -n "${JAVA_HOME:-}" ]]; then
    JAVA_BIN=$JAVA_HOME/bin/java
else
    JAVA_BIN=java
fi

say() { printf '%s\n' "$*"; }
die() { printf '%s: %s\n' "${0##*/}" "$*" >&2; exit 1; }

# Maven's own messages (errors only, with -q) go to stderr, without colour codes, so that stdout stays the script's.
mvn_quiet() {
    "$MVN" -B -q "${MVN_EXTRA[@]}" "$@" 2>&1 | sed -e $'s/\x1b\\[[0-9;]*m//g' -e '/^$/d' >&2
}

to_us() {      # to_us 1.23ms -> 1230: a wrk latency in microseconds
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") f = 1; else if (u == "ms") f = 1000; else if (u == "s") f = 1000000;
        else if (u == "m") f = 60000000; else { print "?"; exit 1 }
        printf "%.0f\n", n * f }'
}

STOP_RC=0
stop_pid() {   # SIGTERM, then wait for the exit; sets STOP_RC to the exit code
    STOP_RC=0
    kill -TERM "$1" 2> /dev/null || true
    wait "$1" 2> /dev/null || STOP_RC=$?
}

# work_folder NAME: makes TMP (a temporary folder) and PIDS (processes to stop, appended by the caller); on exit,
# interrupt or termination every process in PIDS still running is stopped and TMP removed
work_folder() {
    TMP=$(mktemp -d -t "connwatch-$1.XXXXXX")
    PIDS=()
    trap work_folder_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

work_folder_cleanup() {
    local rc=$? p
    trap - EXIT INT TERM
    for p in "${PIDS[@]}"; do
        kill -0 "$p" 2> /dev/null && stop_pid "$p"
    done
    rm -rf "$TMP"
    exit "$rc"
}
