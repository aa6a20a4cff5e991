#!/usr/bin/env bash
# Installs what Latchkey needs from Debian 12's packages, skipping what is already there.
# Usage: scripts/deps.sh run|test   (run: build + start the server; test: also the test tools)
set -euo pipefail
want=(cmake ninja-build g++ pkg-config qt6-base-dev libqt6sql6-psql libqt6sql6-sqlite
      libyaml-cpp-dev libssl-dev libhttp-parser-dev)
if [ "${1:-run}" = test ]; then
    want+=(postgresql curl)
fi
missing=()
for p in "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "installing: ${missing[*]}"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
