#!/usr/bin/env bash
# The server's layering (DESIGN.md "Layout"): each folder of server/ includes only its own
# headers and those of the layers below it; nothing reaches a header through "../"; common/
# knows nothing of the server. The build enforces the first rule too (each layer's include
# root holds only its own folder, see server/CMakeLists.txt); this names the offending line.
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"
declare -A allowed=(
    [http]="http"
    [config]="config"
    [db]="db config"
    [auth]="auth db config"
    [api]="api auth db config http"
    [app]="app api auth db config http"
)
status=0
for layer in "${!allowed[@]}"; do
    while IFS=: read -r file line text; do
        target=$(sed -E 's@.*#include "([a-z]+)/.*@\1@' <<<"$text")
        if ! grep -qw "$target" <<<"${allowed[$layer]}"; then
            echo "$file:$line: server/$layer may not include $target/ (allowed: ${allowed[$layer]})"
            status=1
        fi
    done < <(grep -rnE '^#include "[a-z]+/' "server/$layer" || true)
done
if grep -rnE '^#include ".*\.\./' server common client setup_db; then
    echo 'the lines above include through "../": include "<layer>/<file>.h" instead'
    status=1
fi
if grep -rnE '^#include "(http|config|db|auth|api|app)/' common client; then
    echo "the lines above make common/ or the client depend on the server"
    status=1
fi
exit $status
