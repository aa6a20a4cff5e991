#!/usr/bin/env bash
# Latchkey soak run: a mixed load at a fixed rate for a long time, watching the server's memory,
# descriptors and connections. Everything on loopback, everything torn down at exit.
#   bench/soak.sh [MINUTES]     # default 60; the table goes to stdout and
#                               # bench/results/soak-latest.md, progress to stderr
# Load: five wrk processes side by side for the whole run, SOAK_CONNECTIONS (2) connections
# each, every connection pausing SOAK_DELAY_MS (40) before each request — first logins, repeat
# logins, refresh chains, GET /api/me and renames, about 5 × 2 × 1000 / 40 = 250 requests/s in
# all on an idle server. PostgreSQL, nginx's tokeninfo stand-in and the Release server as in
# bench/run.sh (bench/lib.sh). Each minute: VmRSS, VmHWM, open descriptors, threads,
# established connections to the server, the server's PostgreSQL backends, users and sessions.
# Fails (exit 1) when VmRSS grows more than 10 % over its value at the end of the warm-up
# (SOAK_WARMUP_MINUTES, 10; half the run when the run is shorter than twice that), when the
# server dies, or when any answer is not 2xx. BENCH_SKIP_BUILD=1 skips the build.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=$ROOT/bench/.soak-state
MINUTES=${1:-60}
CONNS=${SOAK_CONNECTIONS:-2}
DELAY_MS=${SOAK_DELAY_MS:-40}
WARMUP=${SOAK_WARMUP_MINUTES:-10}
[ $((2 * WARMUP)) -le "$MINUTES" ] || WARMUP=$((MINUTES / 2))
[ "$WARMUP" -ge 1 ] || { echo "soak.sh: a run needs at least 2 minutes" >&2; exit 2; }
POOL=1000
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

bench_build
WRK_PIDS=()
cleanup() {
    local rc=$? p
    trap - EXIT INT TERM
    for p in "${WRK_PIDS[@]}"; do stop_pid "$p" wrk; done
    bench_teardown
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Access tokens of the pre-logged-in users must outlive the run (bench/server.yml leaves the
# rest as bench/run.sh has it).
export ACCESS_TOKEN_EXPIRY_MINUTES=$((MINUTES + 30))
bench_start_postgres
bench_start_nginx
bench_start_server

log "warm-up: $POOL users logged in once; bearer users and refresh chains"
login_users 1 "$POOL" "$STATE/pool.tsv"
head -n "$CONNS" "$STATE/pool.tsv" | cut -f1,2 | tr '\t' ' ' >"$STATE/bearer-me.txt"
sed -n "$((CONNS + 1)),$((2 * CONNS))p" "$STATE/pool.tsv" | cut -f1,2 | tr '\t' ' ' >"$STATE/bearer-rename.txt"
# Chains of their own (users beyond the pool), twice as many as connections.
login_users $((POOL + 1)) $((POOL + 2 * CONNS)) "$STATE/chains.tsv"
cut -f3 "$STATE/chains.tsv" >"$STATE/refresh.txt"

SCENARIOS=(first_login repeat_login refresh me update_username)
run_id=soak$(random_hex 2)
args_of() {
    case $1 in
    first_login) echo "$run_id" ;; repeat_login) echo "$POOL" ;; refresh) echo "$STATE/refresh.txt 1" ;;
    me) echo "$STATE/bearer-me.txt 1" ;; update_username) echo "$STATE/bearer-rename.txt 1 $run_id" ;;
    esac
}
log "load: ${#SCENARIOS[*]} × $CONNS connections, ${DELAY_MS} ms between requests, $MINUTES minutes"
for s in "${SCENARIOS[@]}"; do
    # shellcheck disable=SC2046 # args_of prints the script's arguments, split on purpose
    BENCH_DELAY_MS=$DELAY_MS wrk -t1 -c"$CONNS" -d"${MINUTES}m" --timeout 10s --latency \
        -s "$BENCH/lua/$s.lua" "$SERVER" -- $(args_of "$s") >"$STATE/raw/$s.wrk.txt" 2>&1 &
    WRK_PIDS+=($!)
done

sample() { # minute -> one table row; also appends VmRSS (KiB) to rss.txt
    local m=$1 rss hwm fds threads conns backends rows
    rss=$(rss_kib VmRSS) hwm=$(rss_kib VmHWM) threads=$(sed -n 's/^Threads:[[:space:]]*//p' "/proc/$SERVER_PID/status")
    fds=$(find "/proc/$SERVER_PID/fd" -mindepth 1 -maxdepth 1 | wc -l)
    conns=$(ss -Htn state established "( sport = :$SERVER_PORT )" | wc -l)
    backends=$(psql_db -c "SELECT count(*) FROM pg_stat_activity WHERE datname = 'latchkey_bench' AND pid <> pg_backend_pid()")
    rows=$(psql_db -c "SELECT (SELECT count(*) FROM users) || ' | ' || (SELECT count(*) FROM sessions)")
    echo "$rss" >>"$STATE/rss.txt"
    printf '| %d | %.1f | %.1f | %d | %d | %d | %d | %s |\n' "$m" "$(awk -v k="$rss" 'BEGIN{print k/1024}')" \
        "$(awk -v k="$hwm" 'BEGIN{print k/1024}')" "$fds" "$threads" "$conns" "$backends" "$rows"
}
START=$(date +%s)
ROWS_TABLE=$STATE/samples.md
: >"$ROWS_TABLE"
for m in $(seq 1 "$MINUTES"); do
    while [ $(($(date +%s) - START)) -lt $((m * 60)) ]; do
        sleep 1
        server_alive
    done
    sample "$m" | tee -a "$ROWS_TABLE" >&2
done
for p in "${WRK_PIDS[@]}"; do wait "$p" || true; done
WRK_PIDS=()
ELAPSED=$(($(date +%s) - START))

# ---------------------------------------------------------------- verdict and report
BASE=$(sed -n "${WARMUP}p" "$STATE/rss.txt")
PEAK=$(tail -n +$((WARMUP + 1)) "$STATE/rss.txt" | sort -n | tail -n 1)
GROWTH=$(awk -v a="$PEAK" -v b="$BASE" 'BEGIN { printf "%.1f", 100 * (a - b) / b }')
FAILED=""
awk -v g="$GROWTH" 'BEGIN { exit !(g > 10) }' && FAILED+=" VmRSS grew ${GROWTH} % after minute $WARMUP;"
report() {
    echo "## Latchkey soak — $(date -u +%Y-%m-%dT%H:%MZ), $MINUTES minutes"
    echo
    echo "$(nproc) cores, kernel $(uname -r), PostgreSQL $PG_VERSION (fsync=off), $(wrk -v 2>&1 | head -n 1 | awk '{print $1, $2}'); ${#SCENARIOS[*]} wrk processes × $CONNS connections, ${DELAY_MS} ms pause before each request; server workers = $(nproc)."
    echo
    echo "| scenario | requests | req/s | p50 ms | p99 ms | non-2xx | socket errors + timeouts + lost chains |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    local s line v bad
    for s in "${SCENARIOS[@]}"; do
        line=$(grep '^BENCH ' "$STATE/raw/$s.wrk.txt" | tail -n 1 || true)
        if [ -z "$line" ]; then
            echo "| $s | wrk printed no result: see bench/.soak-state/raw/$s.wrk.txt | | | | | |"
            FAILED+=" $s printed no result;"
            continue
        fi
        v() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
        bad=$(($(v sock_errors) + $(v timeouts) + $(v starved)))
        echo "| $s | $(sed -n 's/^BENCH requests=\([0-9]*\).*/\1/p' <<<"$line") | $(v rps) | $(v p50_ms) | $(v p99_ms) | $(v non2xx_lua) | $bad |"
        [ "$(v non2xx_lua)" = 0 ] && [ "$bad" = 0 ] || FAILED+=" $s: $(v non2xx_lua) non-2xx, $bad errors;"
    done
    echo
    echo "| minute | VmRSS MiB | VmHWM MiB | open fds | threads | connections | PostgreSQL backends | users | sessions |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    cat "$ROWS_TABLE"
    echo
    echo "VmRSS at minute $WARMUP (end of warm-up): $(awk -v k="$BASE" 'BEGIN{printf "%.1f", k/1024}') MiB; highest after it: $(awk -v k="$PEAK" 'BEGIN{printf "%.1f", k/1024}') MiB (${GROWTH} %, limit 10 %). Server log lines at WARNING or above: $(grep -c -E ' (warning|critical|fatal) ' "$STATE/server.log" || true). Measured in ${ELAPSED}s."
    echo
    echo "Verdict: $([ -z "$FAILED" ] && echo passed || echo "FAILED:$FAILED")"
}
report >"$RESULTS/soak-latest.md" # not a pipe: report() adds to FAILED
cat "$RESULTS/soak-latest.md"
[ -z "$FAILED" ] || die "$FAILED"
log "done; table also in bench/results/soak-latest.md"
