#!/usr/bin/env bash
# Revocation on instance A, refused on instance B: two latchkey-servers on one PostgreSQL (the
# release build, bench/server.yml), N sessions each cached by B and then logged out on A
# (bench/propagation.py measures; docs/PERFORMANCE.md says what the figures mean).
#   bench/propagation.sh [SESSIONS]   # default 300; the line goes to stdout
# Knobs: BENCH_SKIP_BUILD=1, SESSION_CACHE_SECONDS (bench/server.yml's default applies).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=$ROOT/bench/.propagation-state
SESSIONS=${1:-300}
B_PORT=18001
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

bench_build
bench_trap_two_instances

bench_start_postgres
bench_start_nginx
bench_start_server # A on $SERVER_PORT
bench_start_second_server

log "logging in $SESSIONS sessions on A"
login_users 1 "$SESSIONS" "$STATE/sessions.tsv"
cut -f2 "$STATE/sessions.tsv" >"$STATE/tokens.txt"
log "logout on A, /api/me on B until refused, $SESSIONS times"
python3 "$BENCH/propagation.py" "$SERVER_PORT" "$B_PORT" "$STATE/tokens.txt"
hits=$(curl -s http://127.0.0.1:19465/metrics | sed -n 's/^latchkey_session_cache_lookups_total{result="hit"} //p')
echo "B's session cache hits during the run: ${hits:-none}"
