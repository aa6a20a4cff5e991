#!/usr/bin/env bash
# Every C++ source and header is formatted as .clang-format says (Debian's clang-format).
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"
command -v clang-format >/dev/null || { echo "clang-format is missing: scripts/deps.sh test installs it"; exit 1; }
git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format --dry-run -Werror
