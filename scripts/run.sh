#!/usr/bin/env bash
# Quick start, command 1: build latchkey-server (Release) and start it on the embedded
# default: SQLite in ./data, schema created automatically, http://127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh run
cmake --preset release >/dev/null
cmake --build --preset release --target latchkey-server setup_db
exec build/release/server/latchkey-server "$@"
