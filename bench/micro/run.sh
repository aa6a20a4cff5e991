#!/usr/bin/env bash
# Per-request costs too small for wrk to tell from its noise, measured in a loop against the
# release build's libraries: bench/micro/run.sh (after bench/run.sh or a release build).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=build/release
[ -f "$B/server/api/liblatchkey_api.a" ] || cmake --build --preset release --target latchkey-server
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck disable=SC2046
g++ -O2 -std=gnu++20 -fPIC -Icommon/include -I"$B/common/include" \
    -I"$B/server/api/include-root" -I"$B/server/auth/include-root" -I"$B/server/db/include-root" \
    -I"$B/server/config/include-root" -I"$B/server/http/include-root" \
    $(pkg-config --cflags Qt6Core Qt6Network Qt6Sql) bench/micro/limits.cpp -o "$out/limits" \
    "$B/server/api/liblatchkey_api.a" "$B/server/auth/liblatchkey_auth.a" \
    "$B/server/db/liblatchkey_db.a" "$B/server/http/liblatchkey_http.a" \
    "$B/server/config/liblatchkey_config.a" "$B/common/liblatchkey_common.a" \
    $(pkg-config --libs Qt6Core Qt6Network Qt6Sql) -lyaml-cpp -lssl -lcrypto -lhttp_parser \
    -licuuc -licui18n
"$out/limits"
