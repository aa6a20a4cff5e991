#!/usr/bin/env bash
# Quick start, command 1: build latchkey-server (Release) and start it on the embedded
# default: SQLite in ./data, schema created automatically, http://127.0.0.1:8000.
# Without a GOOGLE_CLIENT_ID it turns on the development identity provider (/dev-idp/),
# so a fresh clone signs a player in without any Google project. DEV_IDP=false keeps it off.
set -euo pipefail
cd "$(dirname "$0")/.."

# A value from the environment, else from ./.env (the server reads both; the environment wins).
setting() {
    if [[ -n "${!1:-}" ]]; then
        printf '%s' "${!1}"
    elif [[ -f .env ]]; then
        sed -n -E "s/^[[:space:]]*(export[[:space:]]+)?$1[[:space:]]*=[[:space:]]*['\"]?([^'\"#[:space:]]*).*/\2/p" .env | tail -n 1
    fi
}

if [[ -z "$(setting GOOGLE_CLIENT_ID)" && -z "$(setting DEV_IDP)" ]]; then
    export DEV_IDP=true
fi
port="$(setting SERVER_PORT)"
port="${port:-8000}"
case "$(setting DEV_IDP | tr '[:upper:]' '[:lower:]')" in
true | yes | on | 1)
    echo "run.sh: sign-in provider: the DEVELOPMENT identity provider at http://127.0.0.1:${port}/dev-idp" \
         "(client ID latchkey-dev; anyone can sign in as anyone: never in production)."
    echo "run.sh: set GOOGLE_CLIENT_ID (and DEV_IDP=false) for Google sign-in."
    ;;
*)
    echo "run.sh: sign-in provider: Google (GOOGLE_CLIENT_ID)."
    ;;
esac
echo "run.sh: once the server listens, start the demo in another terminal: build/release/client/demo/latchkey-demo"
echo "run.sh: or sign in from a terminal with a code: build/release/client/examples/latchkey-login --server http://127.0.0.1:8000"
echo "run.sh: operate accounts from this folder: build/release/admin/latchkey-admin --help"

scripts/deps.sh run
cmake --preset release >/dev/null
cmake --build --preset release --target latchkey-server setup_db latchkey-admin latchkey-demo latchkey-login
exec build/release/server/latchkey-server "$@"
