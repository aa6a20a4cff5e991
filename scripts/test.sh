#!/usr/bin/env bash
# Quick start, command 2: build everything and run every test, in stages whose times are
# printed at the end (docs/TESTING.md):
#   dev    Debug build (gcc, warnings as errors), the whole CTest suite: the suites start their
#          own PostgreSQL, nginx, provider stand-ins and OpenID provider (Node) on loopback
#   fuzz   the libFuzzer harnesses (clang, ASan + UBSan), 20 s each (fuzz/run.sh)
#   asan   the whole CTest suite again under AddressSanitizer + UndefinedBehaviorSanitizer
#   tsan   the threaded suites (HTTP workers, client library thread: tst_http,
#          tst_client_noapp) under ThreadSanitizer
# Arguments go to every ctest run (e.g. -R tst_api). TEST_STAGES picks stages
# (default "dev fuzz asan tsan").
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a stages <<<"${TEST_STAGES:-dev fuzz asan tsan}"
scripts/deps.sh test
# The end-to-end login test's OpenID provider and browser driver, as package-lock.json pins
# them (again only when the lock file is newer than the last install).
oidc=tests/fixtures/oidc
[ "$oidc/node_modules/.package-lock.json" -nt "$oidc/package-lock.json" ] ||
    npm ci --prefix "$oidc" --no-audit --no-fund

times=()
stage() { # name command...: runs it, notes its time, stops everything when it fails
    local name=$1 start rc=0
    shift
    echo "=== stage $name: $*"
    start=$(date +%s)
    "$@" || rc=$?
    times+=("$(printf '%-12s %5d s  %s' "$name" $(($(date +%s) - start)) "$([ $rc = 0 ] && echo ok || echo "FAILED ($rc)")")")
    if [ $rc != 0 ]; then
        printf '%s\n' "${times[@]}"
        exit $rc
    fi
}
build() { cmake --preset "$1" >/dev/null && cmake --build --preset "$1"; }

for s in "${stages[@]}"; do
    case $s in
    dev)
        stage "dev build" build dev
        stage "dev suite" ctest --preset dev -j2 "$@"
        ;;
    fuzz)
        stage "fuzz build" build fuzz
        stage "fuzz run" fuzz/run.sh --no-merge 20
        ;;
    asan)
        stage "asan build" build asan
        stage "asan suite" ctest --preset asan -j2 "$@"
        ;;
    tsan)
        stage "tsan build" build tsan
        stage "tsan suite" ctest --preset tsan "$@"
        ;;
    *) echo "scripts/test.sh: unknown stage $s (dev fuzz asan tsan)" >&2; exit 2 ;;
    esac
done
echo "=== stage times"
printf '%s\n' "${times[@]}"
