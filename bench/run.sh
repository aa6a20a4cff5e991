#!/usr/bin/env bash
# Latchkey load benchmark: one command, everything on loopback, everything torn down at exit.
#   bench/run.sh            # ~10-12 minutes on 2 cores; the table goes to stdout and
#                           # bench/results/latest.md, progress to stderr
# Knobs (environment): BENCH_DURATION (10s), BENCH_CONNECTIONS ("32 256"),
# BENCH_SCALE_ROWS (1000000; 0 skips the scale run), BENCH_SKIP_BUILD=1, BENCH_DURABLE=1 (the
# durable pass: PostgreSQL with its stock fsync and synchronous_commit, for the server and the
# pgbench ceilings alike; by default fsync=off, which hides the commit's flush).
# What it measures and why: docs/PERFORMANCE.md.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=$ROOT/bench/.state
DURATION=${BENCH_DURATION:-10s}
SECS=${DURATION%s}
read -r -a CONNS <<<"${BENCH_CONNECTIONS:-32 256}"
SCALE_ROWS=${BENCH_SCALE_ROWS:-1000000}
THREADS=2          # wrk -t and pgbench -j
POOL=1000          # repeat-login users r1..r1000
CEIL_N=10000       # small run: users + sessions the pgbench ceilings pick from
MAX_SESSIONS=10000 # bench/server.yml security.max_sessions_per_user
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
export PG_DURABLE=${BENCH_DURABLE:-0}

# ---------------------------------------------------------------- 1. tools and build
bench_build

# ---------------------------------------------------------------- teardown, even on failure
MONITOR_PID=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    bench_teardown
    stop_pid "$MONITOR_PID" "CPU monitor"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Other work on the machine (a build, a test suite) skews every number. Every 2 s, note each
# process outside the bench that used over 25 % of a core since the last look.
monitor_cpu() {
    local prev=$STATE/cpu.prev cur=$STATE/cpu.cur
    : >"$prev"
    while sleep 2; do
        # pid (comm) state ppid … utime(14) stime(15); comm may hold spaces and parentheses
        awk '{ c = $0; sub(/^[0-9]+ \(/, "", c); sub(/\) [A-Za-z] .*/, "", c); gsub(/ /, "_", c)
               r = $0; sub(/.*\) /, "", r); split(r, f, " "); print $1, "(" c ")", f[12] + f[13] }' \
            /proc/[0-9]*/stat 2>/dev/null >"$cur" || true
        awk -v t="$(date +%T)" -v hz="$(getconf CLK_TCK)" '
            NR == FNR { was[$1] = $3; next }
            ($1 in was) && ($3 - was[$1]) > 0.5 * hz &&
            $2 !~ /^\((latchkey-server|postgres|wrk|nginx|pgbench|curl|psql|jq|awk|setup_db|sleep|bash)\)$/ {
                printf "%s %s %.0f%%\n", t, $2, 50 * ($3 - was[$1]) / hz }' "$prev" "$cur"
        mv "$cur" "$prev"
    done
}
monitor_cpu >"$STATE/other-cpu.log" 2>/dev/null &
MONITOR_PID=$!

# ---------------------------------------------------------------- 2.-4. PostgreSQL, nginx, server
bench_start_postgres
bench_start_nginx
bench_start_server

# ---------------------------------------------------------------- helpers: wrk, pgbench
declare -A RPS P50 P99 N2X ERR TPS TFAIL
# run_wrk PHASE NAME CONNS URL LUA [ARGS...]
run_wrk() {
    local phase=$1 name=$2 c=$3 url=$4 lua=$5 key="$1/$2/$3" out line v
    shift 5
    out="$STATE/raw/$phase-$name-$c.wrk.txt"
    log "  wrk $name c=$c"
    wrk -t"$THREADS" -c"$c" -d"$DURATION" --latency -s "$BENCH/lua/$lua" "$url" -- "$@" >"$out" 2>&1 || true
    line=$(grep '^BENCH ' "$out" | tail -n 1 || true)
    [ -n "$line" ] || { cat "$out" >&2; die "wrk $name printed no result"; }
    v() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$line"; }
    RPS[$key]=$(v rps)
    P50[$key]=$(v p50_ms)
    P99[$key]=$(v p99_ms)
    local lua_n wrk_n
    lua_n=$(v non2xx_lua) wrk_n=$(v non2xx_wrk)
    N2X[$key]=$lua_n
    [ "$lua_n" = "$wrk_n" ] || N2X[$key]="$lua_n (wrk $wrk_n)"
    ERR[$key]=$(( $(v sock_errors) + $(v timeouts) + $(v starved) ))
    log "    ${RPS[$key]} req/s  p50 ${P50[$key]} ms  p99 ${P99[$key]} ms  non-2xx ${N2X[$key]}  errors ${ERR[$key]}"
    unset -f v
    [ "$phase" = nginx ] || server_alive
    sleep 1
}
# run_pgbench PHASE NAME CONNS SCRIPT: -D n/ubase/sbase/now/exp/maxs come from CEIL_* globals
run_pgbench() {
    local phase=$1 name=$2 c=$3 script=$4 key="$1/$2/$3" out now
    out="$STATE/raw/$phase-$name-$c.pgbench.txt"
    now=$(date +%s)
    log "  pgbench $name c=$c"
    PGPASSWORD=$DB_PASSWORD "$PGBIN/pgbench" -n -M prepared -c "$c" -j "$THREADS" -T "$SECS" \
        -f "$BENCH/sql/$script" -D n="$CEIL_N_NOW" -D ubase="$CEIL_UBASE" -D sbase="$CEIL_SBASE" \
        -D now="$now" -D exp=$((now + 30 * 86400)) -D maxs="$MAX_SESSIONS" \
        -h 127.0.0.1 -p "$PGPORT" -U latchkey latchkey_bench >"$out" 2>&1 || true
    TPS[$key]=$(sed -n 's/^tps = \([0-9.]*\) (without initial connection time)/\1/p' "$out")
    TFAIL[$key]=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out")
    grep -q 'aborted\|error' "$out" && TFAIL[$key]="${TFAIL[$key]:-?} (errors: see $(basename "$out"))"
    [ -n "${TPS[$key]}" ] || { tail -n 20 "$out" >&2; die "pgbench $name printed no tps"; }
    log "    ${TPS[$key]} tps  failed ${TFAIL[$key]:-?}"
    sleep 1
}

# ---------------------------------------------------------------- ceiling rows and refresh_tokens
psql_db <<'SQL'
CREATE TABLE refresh_tokens (
    id          BIGSERIAL PRIMARY KEY,
    session_id  BIGINT NOT NULL,
    token_hash  BYTEA NOT NULL UNIQUE,
    parent_id   BIGINT,
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_live ON refresh_tokens (session_id) WHERE revoked_at IS NULL;
SQL
# seed_rows PREFIX N: N users (+ identities) and one live session each, one INSERT … SELECT
# generate_series per table, ids contiguous so session SBASE+k belongs to user UBASE+k; plus
# one live refresh_tokens row per session. Sets CEIL_UBASE, CEIL_SBASE, CEIL_N_NOW.
seed_rows() {
    local p=$1 n=$2 now exp
    now=$(date +%s) exp=$((now + 30 * 86400))
    psql_db <<SQL
INSERT INTO users (email, name, name_key, picture, created_at, last_login)
  SELECT '$p' || g || '@bulk.example', '$p' || g, '$p' || g, 'https://example.com/p/' || g || '.png', now(), now()
  FROM generate_series(1, $n) g ORDER BY g;
SQL
    CEIL_UBASE=$(psql_db -c "SELECT id FROM users WHERE name_key = '${p}1'")
    psql_db <<SQL
INSERT INTO identities (provider, subject, user_id, email, created_at)
  SELECT 'google', '$p' || g, $CEIL_UBASE + g - 1, '$p' || g || '@bulk.example', now()
  FROM generate_series(1, $n) g;
INSERT INTO sessions (user_id, counter, created_at, refreshed_at, expires_at, client_ip, user_agent)
  SELECT $CEIL_UBASE + g - 1, 0, $now, $now, $exp, '127.0.0.1', 'bench-seed-$p'
  FROM generate_series(1, $n) g ORDER BY g;
SQL
    CEIL_SBASE=$(psql_db -c "SELECT id FROM sessions WHERE user_id = $CEIL_UBASE AND user_agent = 'bench-seed-$p'")
    psql_db <<SQL
INSERT INTO refresh_tokens (session_id, token_hash, parent_id, expires_at)
  SELECT id, sha256(int8send(id)), NULL, now() + interval '30 days' FROM sessions WHERE user_agent = 'bench-seed-$p';
ANALYZE users; ANALYZE identities; ANALYZE sessions; ANALYZE refresh_tokens;
SQL
    local ok
    ok=$(psql_db -c "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.user_agent = 'bench-seed-$p' AND s.id - $CEIL_SBASE = u.id - $CEIL_UBASE
        AND u.name_key = '$p' || (u.id - $CEIL_UBASE + 1)")
    [ "$ok" = "$n" ] || die "seeded ids are not contiguous ($ok of $n); the ceilings would miss rows"
    CEIL_N_NOW=$n
}

# ---------------------------------------------------------------- 5./6. one phase
SCENARIOS=(first_login repeat_login refresh update_username me code_grant)
# ceiling name -> script, and which server scenario it bounds
CEILINGS=(first_login_same refresh_same reference_rotation update_username_same me_same code_grant_same select_pk)

run_phase() {
    local phase=$1 c runid
    log "phase $phase: warm-up, $POOL users logged in once"
    login_users 1 "$POOL" "$STATE/pool.tsv"
    for c in "${CONNS[@]}"; do
        runid="$phase$c$(random_hex 2)"
        run_wrk "$phase" first_login "$c" "$SERVER" first_login.lua "$runid"
    done
    for c in "${CONNS[@]}"; do
        run_wrk "$phase" repeat_login "$c" "$SERVER" repeat_login.lua "$POOL"
    done
    for c in "${CONNS[@]}"; do
        login_users 1 "$c" "$STATE/chains.tsv"
        cut -f3 "$STATE/chains.tsv" >"$STATE/refresh-$c.txt"
        run_wrk "$phase" refresh "$c" "$SERVER" refresh.lua "$STATE/refresh-$c.txt" "$THREADS"
    done
    for c in "${CONNS[@]}"; do
        head -n "$c" "$STATE/pool.tsv" | cut -f1,2 | tr '\t' ' ' >"$STATE/bearer-$c.txt"
        runid="$phase$c$(random_hex 2)"
        run_wrk "$phase" update_username "$c" "$SERVER" update_username.lua "$STATE/bearer-$c.txt" "$THREADS" "$runid"
    done
    for c in "${CONNS[@]}"; do
        head -n "$c" "$STATE/pool.tsv" | cut -f1,2 | tr '\t' ' ' >"$STATE/bearer-$c.txt"
        run_wrk "$phase" me "$c" "$SERVER" me.lua "$STATE/bearer-$c.txt" "$THREADS"
    done
    for c in "${CONNS[@]}"; do
        run_wrk "$phase" code_grant "$c" "$SERVER" code_grant.lua
    done
    RSS_HWM[$phase]=$(rss_kib VmHWM)
    RSS_NOW[$phase]=$(rss_kib VmRSS)
    log "  server VmHWM $((RSS_HWM[$phase] / 1024)) MiB, VmRSS $((RSS_NOW[$phase] / 1024)) MiB"
    local name
    for c in "${CONNS[@]}"; do
        for name in "${CEILINGS[@]}"; do
            run_pgbench "$phase" "$name" "$c" "$name.sql"
        done
        run_wrk "$phase" nginx "$c" "http://127.0.0.1:$STATIC_PORT/me.json" static.lua
    done
    WARNINGS[$phase]=$(grep -c -E ' (warning|critical|fatal) ' "$STATE/server.log" || true)
}
declare -A RSS_HWM RSS_NOW WARNINGS ROWS

# ---------------------------------------------------------------- static file for nginx
login_users 1 1 "$STATE/one.tsv"
curl -sS -o "$STATE/nginx/html/me.json" -H "Authorization: Bearer $(cut -f2 "$STATE/one.tsv")" "$SERVER/api/me"
ME_BYTES=$(wc -c <"$STATE/nginx/html/me.json")
[ "$(curl -s -o /dev/null -w '%{size_download}' "http://127.0.0.1:$STATIC_PORT/me.json")" = "$ME_BYTES" ] \
    || die "nginx does not serve the $ME_BYTES-byte copy of /api/me"
log "/api/me answer: $ME_BYTES bytes (nginx serves a copy)"

log "seeding $CEIL_N ceiling users + sessions"
seed_rows c "$CEIL_N"
ROWS[small]=$(psql_db -c "SELECT (SELECT count(*) FROM users) || ' users, ' || (SELECT count(*) FROM sessions) || ' sessions'")
START=$(date +%s)
run_phase small
ROWS[small_end]=$(psql_db -c "SELECT (SELECT count(*) FROM users) || ' users, ' || (SELECT count(*) FROM sessions) || ' sessions'")

# ---------------------------------------------------------------- 8. scale run
if [ "$SCALE_ROWS" -gt 0 ]; then
    log "bulk-loading $SCALE_ROWS users + identities + sessions"
    t0=$(date +%s)
    seed_rows m "$SCALE_ROWS"
    LOAD_SECS=$(($(date +%s) - t0))
    ROWS[scale]=$(psql_db -c "SELECT (SELECT count(*) FROM users) || ' users, ' || (SELECT count(*) FROM sessions) || ' sessions'")
    log "  loaded in ${LOAD_SECS}s: ${ROWS[scale]}"
    run_phase scale
fi
ELAPSED=$(($(date +%s) - START))

# ---------------------------------------------------------------- 7./9. report
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b + 0 > 0) printf "%.0f %%", 100 * a / b; else printf "—" }'; }
num() { awk -v a="$1" 'BEGIN { if (a == "") printf "—"; else printf "%.0f", a }'; }
label() {
    case $1 in
    first_login) echo "first login" ;; repeat_login) echo "repeat login" ;; refresh) echo "refresh chain" ;;
    update_username) echo "update_username" ;; me) echo "/api/me" ;;
    code_grant) echo "guest code grant (authorize + token)" ;; *) echo "$1" ;;
    esac
}
ceilings_of() {
    case $1 in
    first_login) echo first_login_same ;; repeat_login) echo "" ;;
    refresh) echo "reference_rotation refresh_same" ;; update_username) echo update_username_same ;;
    me) echo "nginx me_same" ;; code_grant) echo code_grant_same ;;
    esac
}
ceiling_value() { # phase name conns; code_grant_same: one transaction is two server requests
    if [ "$2" = nginx ]; then echo "${RPS[$1/nginx/$3]:-}"
    elif [ "$2" = code_grant_same ]; then awk -v t="${TPS[$1/$2/$3]:-}" 'BEGIN { if (t != "") print 2 * t }'
    else echo "${TPS[$1/$2/$3]:-}"; fi
}
main_table() {
    local phase=$1 s c k cl first
    echo "| scenario | conns | server req/s | p50 ms | p99 ms | non-2xx | errors | ceiling | ceiling req/s (tps) | ratio |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"
    for s in "${SCENARIOS[@]}"; do
        for c in "${CONNS[@]}"; do
            k="$phase/$s/$c" first=1
            local cls
            cls=$(ceilings_of "$s")
            [ -n "$cls" ] || cls="—"
            for cl in $cls; do
                if [ $first = 1 ]; then
                    printf '| %s | %s | %s | %s | %s | %s | %s ' "$(label "$s")" "$c" "$(num "${RPS[$k]}")" \
                        "${P50[$k]}" "${P99[$k]}" "${N2X[$k]}" "${ERR[$k]}"
                else
                    printf '| | %s | | | | | ' "$c"
                fi
                if [ "$cl" = "—" ]; then
                    echo "| — | — | — |"
                else
                    local cv
                    cv=$(ceiling_value "$phase" "$cl" "$c")
                    echo "| $cl | $(num "$cv") | $(pct "${RPS[$k]}" "$cv") |"
                fi
                first=0
            done
        done
    done
    for c in "${CONNS[@]}"; do
        echo "| (reference) | $c | | | | | | select_pk | $(num "${TPS[$phase/select_pk/$c]:-}") | |"
    done
}
scale_table() {
    local s c
    echo "| measurement | conns | small tables | 1M tables | 1M / small | p99 ms (1M) | non-2xx (1M) |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for s in "${SCENARIOS[@]}"; do
        for c in "${CONNS[@]}"; do
            echo "| $(label "$s") | $c | $(num "${RPS[small/$s/$c]:-}") | $(num "${RPS[scale/$s/$c]:-}") | $(pct "${RPS[scale/$s/$c]:-}" "${RPS[small/$s/$c]:-}") | ${P99[scale/$s/$c]:-—} | ${N2X[scale/$s/$c]:-—} |"
        done
    done
    for s in "${CEILINGS[@]}"; do
        for c in "${CONNS[@]}"; do
            echo "| pgbench $s | $c | $(num "${TPS[small/$s/$c]:-}") | $(num "${TPS[scale/$s/$c]:-}") | $(pct "${TPS[scale/$s/$c]:-}" "${TPS[small/$s/$c]:-}") | | ${TFAIL[scale/$s/$c]:-} |"
        done
    done
}
# target checks (the issue's goals for the server; reported, never enforced)
verdict() { if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && b != "" && a + 0 >= b + 0) }'; then echo met; else echo MISSED; fi; }
targets() {
    local c lo=${CONNS[0]} hi=${CONNS[${#CONNS[@]} - 1]} s worst bad r
    for c in "${CONNS[@]}"; do
        r=$(awk -v a="${RPS[small/refresh/$c]}" -v b="${TPS[small/reference_rotation/$c]}" 'BEGIN{printf "%.3f", a/b}')
        echo "- refresh ≥ 60 % of reference_rotation at $c: $(pct "${RPS[small/refresh/$c]}" "${TPS[small/reference_rotation/$c]}") — $(verdict "$r" 0.6)"
    done
    for c in "${CONNS[@]}"; do
        r=$(awk -v a="${RPS[small/first_login/$c]}" -v b="${TPS[small/first_login_same/$c]}" 'BEGIN{printf "%.3f", a/b}')
        echo "- first login ≥ 50 % of first_login_same at $c: $(pct "${RPS[small/first_login/$c]}" "${TPS[small/first_login_same/$c]}") — $(verdict "$r" 0.5)"
    done
    r=$(awk -v a="${RPS[small/me/$lo]}" -v b="${RPS[small/nginx/$lo]}" 'BEGIN{printf "%.3f", a/b}')
    echo "- /api/me ≥ 50 % of nginx at $lo: $(pct "${RPS[small/me/$lo]}" "${RPS[small/nginx/$lo]}") — $(verdict "$r" 0.5)"
    bad=""
    for s in "${SCENARIOS[@]}"; do
        awk -v a="${P99[small/$s/$lo]}" 'BEGIN { exit !(a + 0 <= 10) }' || bad+=" $(label "$s") ${P99[small/$s/$lo]} ms;"
    done
    echo "- p99 ≤ 10 ms at $lo for every scenario: $([ -z "$bad" ] && echo met || echo "MISSED:$bad")"
    echo "- RSS ≤ 64 MiB after the $hi-connection runs: $((RSS_HWM[small] / 1024)) MiB — $(verdict 65536 "${RSS_HWM[small]}")"
    if [ "$SCALE_ROWS" -gt 0 ]; then
        bad=""
        for s in "${SCENARIOS[@]}"; do
            for c in "${CONNS[@]}"; do
                awk -v a="${RPS[scale/$s/$c]}" -v b="${RPS[small/$s/$c]}" 'BEGIN { exit !(a >= 0.9 * b) }' \
                    || bad+=" $(label "$s")@$c $(pct "${RPS[scale/$s/$c]}" "${RPS[small/$s/$c]}");"
            done
        done
        local odd=""
        for s in "${SCENARIOS[@]}"; do
            for c in "${CONNS[@]}"; do
                awk -v a="${RPS[scale/$s/$c]}" -v b="${RPS[small/$s/$c]}" 'BEGIN { exit !(a > 1.1 * b) }' \
                    && odd+=" $(label "$s")@$c $(pct "${RPS[scale/$s/$c]}" "${RPS[small/$s/$c]}");"
            done
        done
        echo "- 1M tables within 10 % of small tables: $([ -z "$bad" ] && echo met || echo "MISSED:$bad")$([ -z "$odd" ] || echo " (faster at 1M by over 10 %, so the small run was probably disturbed — rerun:$odd)")"
    fi
    bad=""
    local k
    for k in "${!N2X[@]}"; do
        [ "${N2X[$k]}" = 0 ] && [ "${ERR[$k]}" = 0 ] || bad+=" $k: ${N2X[$k]} non-2xx, ${ERR[$k]} errors;"
    done
    echo "- zero non-2xx (and no socket errors, timeouts or lost chains): $([ -z "$bad" ] && echo met || echo "MISSED:$bad")"
}

report() {
    echo "## Latchkey bench — $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "$(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r), PostgreSQL $PG_VERSION ($([ "$PG_DURABLE" = 1 ] && echo "durable: stock fsync and synchronous_commit" || echo "fsync=off")), $("$NGINX" -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -n 1 | awk '{print $1, $2}'); wrk -t$THREADS -d$DURATION, pgbench -M prepared -j$THREADS -T$SECS; server workers = ${SERVER_WORKERS:-$(nproc)}. /api/me body $ME_BYTES bytes. Small run on ${ROWS[small]} at its start (${ROWS[small_end]} at its end)."
    echo
    main_table small
    echo
    echo "Server memory after the ${CONNS[${#CONNS[@]} - 1]}-connection runs: VmHWM $(awk -v k="${RSS_HWM[small]}" 'BEGIN{printf "%.1f", k/1024}') MiB (VmRSS $(awk -v k="${RSS_NOW[small]}" 'BEGIN{printf "%.1f", k/1024}') MiB)$([ "$SCALE_ROWS" -gt 0 ] && printf '; after the scale run VmHWM %s MiB (VmRSS %s MiB)' "$(awk -v k="${RSS_HWM[scale]}" 'BEGIN{printf "%.1f", k/1024}')" "$(awk -v k="${RSS_NOW[scale]}" 'BEGIN{printf "%.1f", k/1024}')"). Server log lines at WARNING or above: ${WARNINGS[small]} after the small run$([ "$SCALE_ROWS" -gt 0 ] && echo ", ${WARNINGS[scale]} in total")."
    if [ "$SCALE_ROWS" -gt 0 ]; then
        echo
        echo "### Scale run: $SCALE_ROWS more users + identities + sessions (bulk load ${LOAD_SECS}s; ${ROWS[scale]})"
        echo
        echo "Ceilings at 1M pick from the $SCALE_ROWS bulk rows, at small tables from $CEIL_N seeded rows."
        echo
        scale_table
        echo
        echo "<details><summary>1M-table run, full table</summary>"
        echo
        main_table scale
        echo
        echo "</details>"
    fi
    echo
    local others
    others=$(awk '{ n[$2]++; if (!($2 in first)) first[$2] = $1; last[$2] = $1 }
        END { for (p in n) printf "%s%s (%d samples, %s–%s)", (i++ ? "; " : ""), p, n[p], first[p], last[p] }' \
        "$STATE/other-cpu.log")
    if [ -n "$others" ]; then
        echo "**Warning: other processes used CPU during the run** (over 25 % of a core in a 2 s sample): $others. Numbers measured then are low; rerun on a quiet machine."
    else
        echo "No other process used over 25 % of a core during the run."
    fi
    echo
    echo "### Targets of the issue"
    echo
    targets
    echo
    echo "Measured in ${ELAPSED}s. Raw wrk/pgbench output: bench/.state/raw/."
}
report | tee "$RESULTS/latest.md"
log "done; table also in bench/results/latest.md"
