# Shared by bench/run.sh and bench/soak.sh (sourced, not run): the release build, a PostgreSQL
# of its own (tests/fixtures/postgres.sh), nginx (bench/nginx.conf: the static ceiling and the
# tokeninfo stand-in), latchkey-server on bench/server.yml, and their teardown. The caller sets
# ROOT (the checkout) and STATE (a scratch folder, emptied here) before sourcing.
BENCH=$ROOT/bench
RESULTS=$BENCH/results
SERVER_PORT=18000
STATIC_PORT=18080
TOKENINFO_PORT=18081
SERVER=http://127.0.0.1:$SERVER_PORT
export BENCH_LUA_DIR=$BENCH/lua
SERVER_PID="" NGINX_PID=""

log() { printf '[%s %s] %s\n' "$(basename "$0" .sh)" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

# The Release build (BENCH_SKIP_BUILD=1 skips it) and the tools of scripts/deps.sh bench.
bench_build() {
    log "dependencies (scripts/deps.sh bench)"
    "$ROOT/scripts/deps.sh" bench >&2
    if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
        log "Release build"
        cmake --preset release >&2
        cmake --build --preset release >&2
    fi
    SERVER_BIN=$ROOT/build/release/server/latchkey-server
    SETUP_DB=$ROOT/build/release/setup_db/setup_db
    [ -x "$SERVER_BIN" ] && [ -x "$SETUP_DB" ] || die "release binaries missing"
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
    local port
    for port in $SERVER_PORT $STATIC_PORT $TOKENINFO_PORT; do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            die "port $port is already in use on 127.0.0.1; stop whatever listens there"
        fi
    done
    rm -rf "$STATE"
    mkdir -p "$STATE"/{raw,data,logs,nginx/logs,nginx/tmp,nginx/html} "$RESULTS"
}

stop_pid() { # pid name: TERM, wait up to 15 s, then KILL
    local pid=$1 name=$2 i
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    log "$name did not stop in 15 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
}
bench_teardown() {
    log "tearing down"
    stop_pid "$SERVER_PID" latchkey-server
    stop_pid "$NGINX_PID" nginx
    "$ROOT/tests/fixtures/postgres.sh" stop "$STATE/pg" >/dev/null 2>&1 || true
}

wait_http() { # url seconds
    local i
    for i in $(seq 1 $(($2 * 10))); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null)" = 200 ] && return 0
        sleep 0.1
    done
    return 1
}

# PostgreSQL (fsync=off), the role and database latchkey_bench made by setup_db, and the
# server's DB_* / JWT_SECRET environment.
bench_start_postgres() {
    log "starting PostgreSQL (tests/fixtures/postgres.sh, fsync=off)"
    "$ROOT/tests/fixtures/postgres.sh" start "$STATE/pg" >&2
    PGPORT=$(sed -n 's/^PGPORT=//p' "$STATE/pg/env")
    local admin_password
    admin_password=$(sed -n 's/^PGPASSWORD=//p' "$STATE/pg/env")
    export DB_DRIVER=postgres DB_HOST=127.0.0.1 DB_PORT=$PGPORT DB_NAME=latchkey_bench DB_USER=latchkey
    DB_PASSWORD=$(random_hex 16)
    JWT_SECRET=$(random_hex 24) # 48 characters
    export DB_PASSWORD JWT_SECRET
    unset DATABASE_URL
    log "creating role and database (setup_db)"
    (cd "$STATE" && SETUP_DB_ADMIN_USER=postgres SETUP_DB_ADMIN_PASSWORD=$admin_password \
        "$SETUP_DB" --config "$BENCH/server.yml" --env-file "$STATE/no.env") >&2
    PG_VERSION=$(psql_db -c 'SHOW server_version')
}
psql_db() { PGPASSWORD=$DB_PASSWORD "$PGBIN/psql" -h 127.0.0.1 -p "$PGPORT" -U latchkey -d latchkey_bench \
    -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }

bench_start_nginx() {
    log "starting nginx on 127.0.0.1:$STATIC_PORT (static) and :$TOKENINFO_PORT (tokeninfo stand-in)"
    "$NGINX" -p "$STATE/nginx/" -c "$BENCH/nginx.conf" -e logs/error.log -g 'daemon off;' \
        >>"$STATE/nginx/logs/stdout.log" 2>&1 &
    NGINX_PID=$!
    wait_http "http://127.0.0.1:$TOKENINFO_PORT/tokeninfo" 10 || { cat "$STATE/nginx/logs/error.log" >&2; die "nginx did not start"; }
}

bench_start_server() {
    log "starting latchkey-server (Release) on $SERVER"
    (cd "$STATE" && exec "$SERVER_BIN" --config "$BENCH/server.yml" --env-file "$STATE/no.env") \
        >"$STATE/server.log" 2>&1 &
    SERVER_PID=$!
    wait_http "$SERVER/health/ready" 30 || { tail -n 20 "$STATE/server.log" >&2; die "latchkey-server did not become ready"; }
}
server_alive() {
    kill -0 "$SERVER_PID" 2>/dev/null && return 0
    tail -n 30 "$STATE/server.log" >&2
    die "latchkey-server is gone (crashed?) — see $STATE/server.log"
}
rss_kib() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$SERVER_PID/status"; }

# bench_trap_two_instances: at exit (or Ctrl-C) instance B goes too, then everything
# bench_teardown stops (bench/events.sh, bench/propagation.sh).
bench_trap_two_instances() {
    B_PID=""
    trap bench_cleanup_two_instances EXIT
    trap 'exit 130' INT TERM
}
bench_cleanup_two_instances() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$B_PID" "latchkey-server B"
    bench_teardown
    exit "$rc"
}

# bench_start_second_server: instance B on 127.0.0.1:$B_PORT (metrics on 19465) beside the one
# bench_start_server started, on the same database; sets B_PID (the caller's cleanup stops it)
# and waits until B answers and its change listener heard its first heartbeat (the session
# cache and the event sockets start then).
bench_start_second_server() {
    log "starting latchkey-server B on 127.0.0.1:$B_PORT"
    mkdir -p "$STATE/b"
    (cd "$STATE/b" && SERVER_PORT=$B_PORT METRICS_LISTEN=127.0.0.1:19465 \
        exec "$SERVER_BIN" --config "$BENCH/server.yml" --env-file "$STATE/no.env") \
        >"$STATE/b/server.log" 2>&1 &
    B_PID=$!
    wait_http "http://127.0.0.1:$B_PORT/health/ready" 30 || { tail -n 20 "$STATE/b/server.log" >&2; die "B did not become ready"; }
    local port
    for port in 19464 19465; do
        for _ in $(seq 1 50); do
            curl -s "http://127.0.0.1:$port/metrics" | grep -q '^latchkey_change_listener_up 1' && break
            sleep 0.1
        done
    done
}

# login_users FROM TO OUT: log in users r<FROM>..r<TO> in one curl (keep-alive, sequential);
# OUT gets "user_id<TAB>access_token<TAB>refresh_token" per line.
login_users() {
    local from=$1 to=$2 out=$3 cfg=$STATE/curl.cfg k
    : >"$cfg"
    for k in $(seq "$from" "$to"); do
        [ "$k" = "$from" ] || echo next >>"$cfg"
        printf 'url = "%s/api/login"\nheader = "Content-Type: application/json"\ndata = "{\\"access_token\\":\\"r%d\\"}"\n' \
            "$SERVER" "$k" >>"$cfg"
    done
    curl -sS -K "$cfg" | jq -r '[.user.id, .access_token, .refresh_token] | @tsv' >"$out"
    [ "$(awk -F'\t' 'NF == 3 && $1 ~ /^[0-9]+$/ && $2 != "null" && $3 != "null"' "$out" | wc -l)" = $((to - from + 1)) ] || die "pre-login of r$from..r$to failed: $(head -c 300 "$out")"
}
