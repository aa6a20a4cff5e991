#!/usr/bin/env bash
# Quick start, command 2: build everything (Debug, warnings as errors) and run every test
# suite through CTest. The suites start their own PostgreSQL, provider stand-ins and OpenID
# provider (Node, tests/fixtures/oidc) on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
# The end-to-end login test's OpenID provider and browser driver, as package-lock.json pins
# them (again only when the lock file is newer than the last install).
oidc=tests/fixtures/oidc
[ "$oidc/node_modules/.package-lock.json" -nt "$oidc/package-lock.json" ] ||
    npm ci --prefix "$oidc" --no-audit --no-fund
cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset dev -j2 "$@"
