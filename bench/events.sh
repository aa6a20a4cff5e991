#!/usr/bin/env bash
# Live events at scale: two latchkey-servers on one PostgreSQL (the release build,
# bench/server.yml); N players each hold an event socket on instance B while they are renamed
# on instance A at RATE per second (bench/events.py measures the delivery latency and B's
# memory; docs/PERFORMANCE.md says what the figures mean).
#   bench/events.sh [SOCKETS] [RATE] [SECONDS]   # default 1000 100 20; the line goes to stdout
# Knobs: BENCH_SKIP_BUILD=1.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
STATE=$ROOT/bench/.events-state
SOCKETS=${1:-1000}
RATE=${2:-100}
SECONDS_=${3:-20}
B_PORT=18001
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

bench_build
bench_trap_two_instances
ulimit -n "$(ulimit -Hn)" # a socket per player in this shell's python too

bench_start_postgres
bench_start_nginx
bench_start_server # A on $SERVER_PORT
bench_start_second_server

log "logging in $SOCKETS players on A"
login_users 1 "$SOCKETS" "$STATE/sessions.tsv"
cut -f2 "$STATE/sessions.tsv" >"$STATE/tokens.txt"
log "$SOCKETS event sockets on B, $RATE renames/s on A for $SECONDS_ s"
python3 "$BENCH/events.py" "$SERVER_PORT" "$B_PORT" "$B_PID" "$STATE/tokens.txt" "$RATE" "$SECONDS_"
sent=$(curl -s http://127.0.0.1:19465/metrics | sed -n 's/^latchkey_events_sent_total //p')
echo "B's events sent during the run: ${sent:-none}"
