#!/usr/bin/env bash
# Container tests for initc (`make container-test`): build small busybox
# images with initc as ENTRYPOINT and check its behaviour as PID 1 under
# podman.
#
#   tests/container/run.sh [INITC_BINARY] [CASE...]
#
# INITC_BINARY defaults to build/initc-static (relative to the repo root).
# CASE names (see `cases` below) run a subset, e.g. `run.sh "" stop_exec`.
#
# Environment:
#   CI=true               install podman with apt-get if it is missing
#                         (otherwise the tests are skipped)
#   INITC_CONTAINER_DIR   podman state (default <repo>/build/container)
#   INITC_PODMAN_TIMEOUT  seconds allowed for one podman call (default 120)
#   INITC_KEEP=1          keep the images, containers and case directories
#
# The last line printed is exactly "N passed, N failed"; the exit status is
# non-zero when any case failed.

# Many single-quoted strings are shell code for inside the container.
# shellcheck disable=SC2016

set -u
# initc refuses a world-writable config or config directory.
umask 022

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
podman_sh="$here/podman.sh"
state=${INITC_CONTAINER_DIR:-$repo/build/container}
export INITC_CONTAINER_DIR="$state"
ptimeout=${INITC_PODMAN_TIMEOUT:-120}

cases=(
    exec_order
    supervise_flag
    supervise_config
    stop_exec
    stop_supervise
    stop_during_step
    step_failure
    zombies_supervise
    wait_tcp_localhost
    probe_healthcheck
    user_nobody
    check_invalid
    example_config
    example_stop
)

# --- arguments -----------------------------------------------------------

binary=${1:-}
[ -n "$binary" ] || binary=build/initc-static
[ $# -gt 0 ] && shift
case $binary in
    /*) ;;
    *) [ -e "$binary" ] || binary="$repo/$binary" ;;
esac
if [ $# -gt 0 ]; then
    for c in "$@"; do
        case " ${cases[*]} " in
            *" $c "*) ;;
            *) echo "run.sh: unknown case '$c' (cases: ${cases[*]})" >&2
               exit 2 ;;
        esac
    done
    cases=("$@")
fi

# --- requirements --------------------------------------------------------

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi
}

missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || missing+=(runc)
[ -x /bin/busybox ] && /bin/busybox --list-full >/dev/null 2>&1 ||
    missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "${CI:-}" = true ]; then
        echo "run.sh: CI: installing ${missing[*]}"
        if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
           ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
               podman runc busybox-static; then
            echo "run.sh: could not install podman runc busybox-static" >&2
            echo "0 passed, 1 failed"
            exit 1
        fi
    else
        echo "SKIP: podman not installed (apt-get install podman runc busybox-static)"
        exit 0
    fi
fi

if [ ! -f "$binary" ] || [ ! -x "$binary" ]; then
    echo "run.sh: initc binary '$binary' not found or not executable" \
         "(build it with 'make static')" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
if command -v file >/dev/null 2>&1 &&
   file -L "$binary" | grep -q 'dynamically linked'; then
    echo "run.sh: warning: $binary is dynamically linked; it will not run" \
         "in the busybox image (use the static build)" >&2
fi

# --- helpers -------------------------------------------------------------

run_id="$(date +%s)-$$"
label="org.initc.test.run=$run_id"
prefix="localhost/initc-test-$run_id"
work="$state/cases/$run_id"
mkdir -p "$work"

# pm ARGS...: podman through the sandbox wrapper, never longer than
# $ptimeout seconds (SIGKILL 5 s after the SIGTERM).
pm() {
    timeout -k 5 "$ptimeout" "$podman_sh" "$@"
}

cleanup() {
    trap - EXIT INT TERM
    [ "${INITC_KEEP:-}" = 1 ] && { echo "run.sh: kept $work" >&2; return; }
    local ids
    ids=$(pm ps -a -q --filter "label=$label" 2>/dev/null)
    # shellcheck disable=SC2086  # one id per word
    [ -n "$ids" ] && pm rm -f -t 0 $ids >/dev/null 2>&1
    ids=$(pm images -q --filter "label=$label" 2>/dev/null | sort -u)
    # shellcheck disable=SC2086
    [ -n "$ids" ] && pm rmi -f $ids >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT TERM

# Per-case state, set by run_case.
case_name=""
case_dir=""
case_errors=0

log() { echo "  $*"; }

fail() {
    echo "  FAIL [$case_name]: $*"
    case_errors=$((case_errors + 1))
}

# json_array WORD...: a JSON array of strings for Dockerfile exec form.
json_array() {
    local out="" w
    for w in "$@"; do
        w=${w//\\/\\\\}
        w=${w//\"/\\\"}
        out="$out${out:+, }\"$w\""
    done
    printf '[%s]' "$out"
}

# build_image [-e ENTRYPOINT_JSON] [-p PREPARE_SH] CONFIG CMD...
# Builds $prefix-$case_name from a context holding initc and CONFIG (the
# contents of /etc/initc.ini); PREPARE_SH, one line, is RUN (sh -c) before
# the config is copied. Build output goes to $case_dir/build.log.
build_image() {
    local entrypoint='["/sbin/initc", "--"]' prepare=""
    if [ "$1" = -e ]; then entrypoint=$2; shift 2; fi
    if [ "$1" = -p ]; then prepare=$2; shift 2; fi
    local config=$1; shift
    local ctx="$case_dir/context"
    mkdir -p "$ctx"
    cp "$binary" "$ctx/initc"
    printf '%s\n' "$config" > "$ctx/initc.ini"
    chmod 644 "$ctx/initc.ini"
    {
        echo "FROM localhost/initc-busybox"
        echo "COPY initc /sbin/initc"
        [ -z "$prepare" ] || echo "RUN $(json_array /bin/sh -c "$prepare")"
        echo "COPY initc.ini /etc/initc.ini"
        echo 'RUN ["/sbin/initc", "--check"]'
        echo "ENTRYPOINT $entrypoint"
        echo "CMD $(json_array "$@")"
    } > "$ctx/Dockerfile"
    pm build --pull=never --layers=false --force-rm --label "$label" \
        -t "$prefix-$case_name" "$ctx" > "$case_dir/build.log" 2>&1
}

# run_fg [PODMAN_RUN_OPTION...]: run the case image in the foreground;
# output (stdout and stderr) in $case_dir/out, returns the container's exit
# status.
run_fg() {
    pm run --rm --label "$label" "$@" "$prefix-$case_name" \
        > "$case_dir/out" 2>&1
}

# start_bg NAME [PODMAN_RUN_OPTION...]: start the case image detached as
# container NAME.
start_bg() {
    local name=$1; shift
    pm run -d --name "$name" --label "$label" "$@" "$prefix-$case_name" \
        > "$case_dir/start.log" 2>&1
}

# wait_log CONTAINER PATTERN [SECONDS]: wait until the container's logs
# contain the fixed string PATTERN.
wait_log() {
    local ctr=$1 pattern=$2 tries=$((${3:-15} * 5))
    while [ "$tries" -gt 0 ]; do
        pm logs "$ctr" 2>&1 | grep -qF -- "$pattern" && return 0
        sleep 0.2
        tries=$((tries - 1))
    done
    return 1
}

# expect_contains FILE STRING
expect_contains() {
    grep -qF -- "$2" "$1" || fail "'$2' not in $(basename "$1")"
}

# expect_not_contains FILE STRING
expect_not_contains() {
    if grep -qF -- "$2" "$1"; then fail "'$2' unexpectedly in $(basename "$1")"; fi
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
    [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# now_ms: monotonic-enough wall clock in milliseconds.
now_ms() { date +%s%3N; }

# stop_and_check CONTAINER EXPECTED_STATUS: podman stop -t 5, which must
# return well before the 5 s timeout, then the exit status from podman wait.
stop_and_check() {
    local ctr=$1 want=$2 t0 t1 st
    t0=$(now_ms)
    pm stop -t 5 "$ctr" > "$case_dir/stop.log" 2>&1 ||
        fail "podman stop failed: $(cat "$case_dir/stop.log")"
    t1=$(now_ms)
    st=$(pm wait "$ctr" 2>&1)
    log "stopped in $((t1 - t0)) ms, exit status $st"
    [ $((t1 - t0)) -lt 4000 ] ||
        fail "podman stop took $((t1 - t0)) ms: the signal did not end it (SIGKILL after 5 s)"
    expect_eq "exit status after podman stop" "$want" "$st"
    pm logs "$ctr" > "$case_dir/out" 2>&1
}

# --- cases ---------------------------------------------------------------
# Each case_* function builds its image, runs it and calls fail() for each
# broken expectation. Configs follow the README's "Config reference".

# Steps run in order, each to completion, then initc execs the app, which
# becomes PID 1 of the container.
case_exec_order() {
    build_image "\
[step:one]
shell = sleep 0.3 && echo one >> /tmp/order

[step:two]
command = sh -c \"echo two >> /tmp/order\"

[step:three]
shell = echo three >> /tmp/order" \
        sh -c 'echo order=$(cat /tmp/order); echo app-pid=$$; echo pid1=$(cat /proc/1/comm)' ||
        { fail "podman build failed"; return; }
    run_fg; local st=$?
    expect_eq "exit status" 0 "$st"
    expect_contains "$case_dir/out" "order=one two three"
    expect_contains "$case_dir/out" "app-pid=1"
    expect_contains "$case_dir/out" "pid1=sh"
}

# check_supervised: initc is PID 1, the app its child, the app's status
# (7) is the container's.
check_supervised() {
    run_fg; local st=$?
    expect_eq "exit status (the app's)" 7 "$st"
    expect_contains "$case_dir/out" "step=done"
    expect_contains "$case_dir/out" "app-ppid=1"
    expect_contains "$case_dir/out" "pid1=initc"
    expect_not_contains "$case_dir/out" "app-pid=1 "
}

supervise_app=(sh -c 'cat /tmp/step; echo "app-pid=$$ "; echo app-ppid=$PPID; echo pid1=$(cat /proc/1/comm); exit 7')

case_supervise_flag() {
    build_image -e '["/sbin/initc", "-s", "--"]' "\
[step:one]
shell = echo step=done > /tmp/step" \
        "${supervise_app[@]}" || { fail "podman build failed"; return; }
    check_supervised
}

case_supervise_config() {
    build_image "\
[step:one]
shell = echo step=done > /tmp/step

[main]
mode = supervise" \
        "${supervise_app[@]}" || { fail "podman build failed"; return; }
    check_supervised
}

# An app that announces itself and exits with $1 on SIGTERM. The sleep runs
# in the background so the trap runs at once.
term_app() {
    printf '%s\n' sh -c "trap 'echo app-got-term; exit $1' TERM; echo app-ready; while :; do sleep 1 & wait \$!; done"
}

# podman stop reaches the exec'd app (PID 1 with a TERM handler).
case_stop_exec() {
    local app; mapfile -t app < <(term_app 3)
    build_image "\
[step:one]
shell = true" "${app[@]}" || { fail "podman build failed"; return; }
    local ctr="initc-test-$run_id-$case_name"
    start_bg "$ctr" || { fail "podman run -d failed: $(cat "$case_dir/start.log")"; return; }
    wait_log "$ctr" app-ready || { fail "app did not start"; return; }
    stop_and_check "$ctr" 3
    expect_contains "$case_dir/out" app-got-term
}

# podman stop reaches initc as PID 1, which forwards TERM to the app and
# exits with the app's status.
case_stop_supervise() {
    local app; mapfile -t app < <(term_app 0)
    build_image "\
[step:one]
shell = true

[main]
mode = supervise" "${app[@]}" || { fail "podman build failed"; return; }
    local ctr="initc-test-$run_id-$case_name"
    start_bg "$ctr" || { fail "podman run -d failed: $(cat "$case_dir/start.log")"; return; }
    wait_log "$ctr" app-ready || { fail "app did not start"; return; }
    # The app must be initc's child, not PID 1, for this case to mean much.
    pm exec "$ctr" cat /proc/1/comm > "$case_dir/exec.log" 2>&1
    expect_contains "$case_dir/exec.log" initc
    stop_and_check "$ctr" 0
    expect_contains "$case_dir/out" app-got-term
}

# A stop during a long step ends init with 128+SIGTERM; the app never runs.
case_stop_during_step() {
    build_image "\
[step:long]
shell = echo step-running && sleep 60
timeout = 5m" \
        sh -c 'echo app-started' || { fail "podman build failed"; return; }
    local ctr="initc-test-$run_id-$case_name"
    start_bg "$ctr" || { fail "podman run -d failed: $(cat "$case_dir/start.log")"; return; }
    wait_log "$ctr" step-running || { fail "step did not start"; return; }
    stop_and_check "$ctr" 143
    expect_not_contains "$case_dir/out" app-started
}

# A step that fails for good ends initc with its status; the app never runs.
case_step_failure() {
    build_image "\
[step:ok]
shell = true

[step:broken]
shell = exit 5
retries = 1
retry_delay = 100ms

[step:never]
shell = echo never-ran" \
        sh -c 'echo app-started' || { fail "podman build failed"; return; }
    run_fg; local st=$?
    expect_eq "exit status (the failing step's)" 5 "$st"
    expect_not_contains "$case_dir/out" never-ran
    expect_not_contains "$case_dir/out" app-started
}

# Orphans re-parented to initc (PID 1, supervise mode) are reaped.
case_zombies_supervise() {
    # Each `sh -c '... &'` exits at once and leaves two sleeps to PID 1;
    # they exit 0.2 s later and must not stay zombies.
    build_image "\
[main]
mode = supervise" \
        sh -c 'for i in 1 2 3 4 5; do sh -c "sleep 0.2 & sleep 0.2 &"; done; echo app-ready; while :; do sleep 1 & wait $!; done' ||
        { fail "podman build failed"; return; }
    local ctr="initc-test-$run_id-$case_name"
    start_bg "$ctr" || { fail "podman run -d failed: $(cat "$case_dir/start.log")"; return; }
    wait_log "$ctr" app-ready || { fail "app did not start"; return; }
    sleep 1.5
    # Read every /proc/PID/stat; the state is the field after "(comm)".
    pm exec "$ctr" sh -c '
        for f in /proc/[0-9]*/stat; do
            read -r s < "$f" 2>/dev/null || continue
            st=${s##*) }; echo "${f#/proc/} ${st%% *}"
        done' > "$case_dir/procs" 2>&1 || fail "podman exec failed: $(cat "$case_dir/procs")"
    if grep -q ' Z$' "$case_dir/procs"; then
        fail "zombies left: $(grep ' Z$' "$case_dir/procs" | tr '\n' ' ')"
    fi
    grep -q '^1/stat ' "$case_dir/procs" || fail "no process list from podman exec"
    pm rm -f -t 0 "$ctr" > /dev/null 2>&1
}

# wait_tcp resolves "localhost" (from the image's /etc/hosts, statically)
# and waits for a listener that an earlier step starts a second later.
case_wait_tcp_localhost() {
    # The listener must outlive its step, whose process group initc kills
    # when the step ends: setsid runs in the foreground (not exec'd by sh,
    # thanks to the '&& echo', so it is no group leader and does not fork)
    # and backgrounds the listener inside the new session before the step
    # ends. No race with the group kill.
    build_image "\
[step:listener]
shell = setsid sh -c '(sleep 1 && exec nc -ll -p 18080 -e /bin/true) </dev/null >/dev/null 2>&1 &' && echo listener-started

[step:wait-for-it]
wait_tcp = localhost:18080
timeout = 1s
retries = 40
retry_delay = 200ms
backoff = 1

[step:after]
shell = echo wait-done > /tmp/wait" \
        sh -c 'cat /tmp/wait; echo app-started' || { fail "podman build failed"; return; }
    run_fg; local st=$?
    expect_eq "exit status" 0 "$st"
    expect_contains "$case_dir/out" wait-done
    expect_contains "$case_dir/out" app-started
}

# initc --probe as the health check of an image with no curl, wget or nc:
# unhealthy while the app (busybox httpd, started when the test says so)
# does not answer, healthy once it does; a 404 path stays unhealthy, with
# the reason.
case_probe_healthcheck() {
    local tools="/bin/wget /usr/bin/wget /bin/nc /usr/bin/nc /usr/bin/curl"
    build_image -p "rm -f $tools && mkdir -p /www && echo ok > /www/healthz" "\
[step:ready]
wait = file:///www/healthz" \
        sh -c 'echo app-ready; while [ ! -e /tmp/go ]; do sleep 0.1; done; exec httpd -f -p 8000 -h /www' ||
        { fail "podman build failed"; return; }
    local ctr="initc-test-$run_id-$case_name" healthy=""
    pm run -d --name "$ctr" --label "$label" \
        --health-cmd '["/sbin/initc", "--probe", "http://localhost:8000/healthz", "--timeout", "2s"]' \
        --health-interval disable "$prefix-$case_name" > "$case_dir/start.log" 2>&1 ||
        { fail "podman run -d failed: $(cat "$case_dir/start.log")"; return; }
    wait_log "$ctr" app-ready || { fail "app did not start"; return; }
    pm exec "$ctr" sh -c "for f in $tools; do [ -e \$f ] && echo \$f; done; true" \
        > "$case_dir/exec.log" 2>&1
    [ -s "$case_dir/exec.log" ] && fail "the image has $(cat "$case_dir/exec.log")"
    if pm healthcheck run "$ctr" > "$case_dir/health.log" 2>&1; then
        fail "healthy before the app listens"
    fi
    pm exec "$ctr" /sbin/initc --probe http://localhost:8000/healthz > "$case_dir/probe.log" 2>&1 &&
        fail "--probe succeeded before the app listens"
    expect_contains "$case_dir/probe.log" "initc: probe http://localhost:8000/healthz: connect to "
    expect_contains "$case_dir/probe.log" " port 8000: Connection refused"
    pm exec "$ctr" touch /tmp/go
    for _ in $(seq 1 60); do
        if pm healthcheck run "$ctr" >> "$case_dir/health.log" 2>&1; then
            healthy=yes
            break
        fi
        sleep 0.25
    done
    [ -n "$healthy" ] || { fail "never healthy: $(tail -n 3 "$case_dir/health.log")"; return; }
    pm exec "$ctr" /sbin/initc --probe http://localhost:8000/missing > "$case_dir/probe404.log" 2>&1 &&
        fail "--probe of a 404 path succeeded"
    expect_contains "$case_dir/probe404.log" "GET /missing: HTTP 404 Not Found"
    pm rm -f -t 0 "$ctr" > /dev/null 2>&1
}

# docker/example/initc.ini in the layout of docker/example/Dockerfile (an
# app user, /srv/www and /data), with the database wait skipped: the steps
# run as the app user, the app is exec'd as that user, and the status file
# says Running, which `initc --status` (the HEALTHCHECK) confirms.
case_example_config() {
    local prepare="echo app:x:1000:1000::/srv/www:/bin/sh >> /etc/passwd"
    prepare="$prepare && echo app:x:1000: >> /etc/group"
    prepare="$prepare && mkdir -p /srv/www /data && chown app:app /srv/www /data"
    build_image -p "$prepare" \
        "$(cat "$repo/docker/example/initc.ini")" \
        sh -c 'cat /srv/www/index.html /data/.migrated; echo app-uid=$(id -u); /sbin/initc --status && echo healthy' ||
        { fail "podman build failed"; return; }
    run_fg -e INITC_SKIP=wait-for-db; local st=$?
    expect_eq "exit status" 0 "$st"
    expect_contains "$case_dir/out" "started by initc</h1>"
    expect_contains "$case_dir/out" "schema v1 applied"
    expect_contains "$case_dir/out" "app-uid=1000"
    expect_contains "$case_dir/out" "Running"
    expect_contains "$case_dir/out" "healthy"
}

# docker/example as it runs: busybox httpd, which as PID 1 would ignore
# podman stop's SIGTERM (10 s, then 137), is supervised, so the stop ends
# it at once and success_codes makes that 0.
case_example_stop() {
    local prepare="echo app:x:1000:1000::/srv/www:/bin/sh >> /etc/passwd"
    prepare="$prepare && echo app:x:1000: >> /etc/group"
    prepare="$prepare && mkdir -p /srv/www /data && chown app:app /srv/www /data"
    build_image -p "$prepare" \
        "$(cat "$repo/docker/example/initc.ini")" \
        httpd -f -v -p 8080 -h /srv/www || { fail "podman build failed"; return; }
    local ctr="initc-test-$run_id-$case_name"
    start_bg "$ctr" -e INITC_SKIP=wait-for-db ||
        { fail "podman run -d failed: $(cat "$case_dir/start.log")"; return; }
    wait_log "$ctr" "main: started" || { fail "httpd did not start"; return; }
    stop_and_check "$ctr" 0
}

# user = nobody runs the step as uid/gid 65534.
case_user_nobody() {
    build_image "\
[step:whoami]
shell = echo step-uid=\$(id -u) step-gid=\$(id -g) > /tmp/ids
user = nobody" \
        sh -c 'cat /tmp/ids; echo app-uid=$(id -u)' || { fail "podman build failed"; return; }
    run_fg; local st=$?
    expect_eq "exit status" 0 "$st"
    expect_contains "$case_dir/out" "step-uid=65534 step-gid=65534"
    expect_contains "$case_dir/out" "app-uid=0"
}

# An invalid config fails `RUN initc --check` (exit 78) and so the build,
# with file:line in the output.
case_check_invalid() {
    if build_image "\
[step:one]
shell = true
no_such_key = 1" true; then
        fail "podman build succeeded with an invalid config"
    fi
    expect_contains "$case_dir/build.log" "/etc/initc.ini:3:"
    pm image exists "$prefix-$case_name" && fail "image was created"
    return 0
}

# --- driver --------------------------------------------------------------

run_case() {
    case_name=$1
    case_dir="$work/$case_name"
    case_errors=0
    mkdir -p "$case_dir"
    local t0 t1
    t0=$(now_ms)
    echo "--- $case_name"
    "case_$case_name"
    t1=$(now_ms)
    if [ "$case_errors" = 0 ]; then
        echo "ok   $case_name ($((t1 - t0)) ms)"
        passed=$((passed + 1))
    else
        echo "FAIL $case_name ($((t1 - t0)) ms)"
        failed=$((failed + 1))
        failed_names+=("$case_name")
        local f
        for f in build.log out start.log stop.log exec.log procs health.log probe.log probe404.log; do
            [ -s "$case_dir/$f" ] || continue
            # A successful build's log says nothing about the failure.
            [ "$f" = build.log ] && [ "$case_name" != check_invalid ] &&
                grep -q '^Successfully tagged' "$case_dir/$f" && continue
            echo "  --- $f (last 20 lines)"
            tail -n 20 "$case_dir/$f" | sed 's/^/  | /'
        done
    fi
    # Containers of this case that are still around.
    local ids
    ids=$(pm ps -a -q --filter "label=$label" 2>/dev/null)
    # shellcheck disable=SC2086
    [ -n "$ids" ] && [ "${INITC_KEEP:-}" != 1 ] && pm rm -f -t 0 $ids >/dev/null 2>&1
}

passed=0
failed=0
failed_names=()

echo "initc container tests: $binary"
if ! "$here/base-image.sh"; then
    echo "run.sh: could not build the base image" >&2
    echo "0 passed, ${#cases[@]} failed"
    exit 1
fi

start=$(now_ms)
for c in "${cases[@]}"; do
    run_case "$c"
done
echo "total $(( ($(now_ms) - start) / 1000 )) s"
[ "$failed" = 0 ] || echo "failed: ${failed_names[*]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
