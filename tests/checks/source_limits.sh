#!/usr/bin/env bash
# The size rules of STYLE.md for every non-test source: no file over 450 lines, no function
# over 80 (a function's body runs from a "{" alone in column 0 to the next "}" there, which
# is how .clang-format wraps every function defined outside a class body).
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"
files=$(git ls-files 'common/*.cpp' 'common/*.h' 'server/*.cpp' 'server/*.h' 'setup_db/*.cpp' \
        'setup_db/*.h' 'admin/*.cpp' 'admin/*.h' 'client/*.cpp' 'client/*.h')
status=0
for f in $files; do
    lines=$(wc -l <"$f")
    if [ "$lines" -gt 450 ]; then
        echo "$f: $lines lines (limit 450): split it by responsibility"
        status=1
    fi
done
# shellcheck disable=SC2086
awk '
    FNR == 1 { start = 0 }
    /^\{$/ { start = FNR; next }
    /^\};/ { start = 0; next }
    /^\}( \/\/.*)?$/ {
        if (start && FNR - start - 1 > 80) {
            printf "%s:%d: a function of %d lines (limit 80)\n", FILENAME, start, FNR - start - 1
            bad = 1
        }
        start = 0
    }
    END { exit bad }
' $files || status=1
exit $status
