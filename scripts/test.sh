#!/usr/bin/env bash
# Quick start, command 2: build everything (Debug, warnings as errors) and run every test
# suite through CTest. The suites start their own PostgreSQL and provider stand-ins on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
cmake --preset dev >/dev/null
cmake --build --preset dev
ctest --preset dev -j2 "$@"
