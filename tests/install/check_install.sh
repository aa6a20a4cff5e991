#!/usr/bin/env bash
# Installs the client library into a temporary prefix and builds a find_package() consumer
# (client/examples/find_package_consumer) against only what was installed, then runs it.
#
# Usage: check_install.sh [BUILD_DIR [SOURCE_DIR]]
#   BUILD_DIR   an existing build of the project (reused: only latchkey_client is brought up
#               to date); without it, a throwaway build is configured and built.
#   SOURCE_DIR  the project's source tree (default: two levels above this script).
# Nothing is installed outside the temporary directory, which is removed at the end
# (kept when LATCHKEY_KEEP_INSTALL_CHECK=1, for a look after a failure).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "${2:-$here/../..}" && pwd)
jobs=${CMAKE_BUILD_PARALLEL_LEVEL:-2}

work=$(mktemp -d "${TMPDIR:-/tmp}/latchkey-install-check.XXXXXX")
if [[ "${LATCHKEY_KEEP_INSTALL_CHECK:-0}" == 1 ]]; then
    echo "keeping $work"
else
    trap 'rm -rf "$work"' EXIT
fi
prefix=$work/prefix

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# 1. The build: reuse the given one, else configure a minimal one.
if [[ -n "${1:-}" ]]; then
    build=$(cd "$1" && pwd)
    [[ -f "$build/CMakeCache.txt" ]] || fail "$build is not a configured build directory"
else
    build=$work/build
    generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    cmake -S "$src" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
        -DLATCHKEY_BUILD_TESTS=OFF >/dev/null
fi
# A no-op when the build is up to date (as under CTest after a full build).
cmake --build "$build" --target latchkey_client latchkey-login --parallel "$jobs" >/dev/null \
    || fail "building latchkey_client in $build failed"

# 2. Install only the client's component into the temporary prefix.
cmake --install "$build" --prefix "$prefix" --component client >/dev/null \
    || fail "cmake --install --component client failed"

config=$(find "$prefix" -name LatchkeyConfig.cmake -print -quit)
[[ -n "$config" ]] || fail "no LatchkeyConfig.cmake installed"
cmakedir=$(dirname "$config")
libdir=$(dirname "$(dirname "$cmakedir")")
[[ "$cmakedir" == "$libdir/cmake/Latchkey" ]] || fail "unexpected package directory $cmakedir"

expected=(
    include/latchkey/client.h
    include/latchkey/latchkey_c.h
    include/latchkey/error.h
    include/latchkey/user.h
    include/latchkey/latchkey_common_export.h
    include/latchkey/latchkey_client_export.h
    "${libdir#"$prefix"/}/cmake/Latchkey/LatchkeyConfig.cmake"
    "${libdir#"$prefix"/}/cmake/Latchkey/LatchkeyConfigVersion.cmake"
    "${libdir#"$prefix"/}/cmake/Latchkey/LatchkeyClientTargets.cmake"
)
for f in "${expected[@]}"; do
    [[ -f "$prefix/$f" ]] || fail "not installed: $f"
done
compgen -G "$cmakedir/LatchkeyClientTargets-*.cmake" >/dev/null \
    || fail "no per-configuration LatchkeyClientTargets-*.cmake installed"
compgen -G "$libdir/liblatchkey-client.so*" >/dev/null \
    || fail "liblatchkey-client.so* not installed"

# Nothing else: no private headers (_p.h, common/'s internals), no server binaries.
rel_libdir=${libdir#"$prefix"/}
unexpected=$(cd "$prefix" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort |
    while read -r f; do
        case "$f" in
            include/latchkey/client.h | include/latchkey/error.h | include/latchkey/user.h) ;;
            include/latchkey/latchkey_c.h | bin/latchkey-login) ;;
            include/latchkey/latchkey_common_export.h | include/latchkey/latchkey_client_export.h) ;;
            "$rel_libdir"/liblatchkey-client.so*) ;;
            "$rel_libdir"/cmake/Latchkey/*.cmake) ;;
            *) echo "$f" ;;
        esac
    done)
[[ -z "$unexpected" ]] || fail "installed but not part of the client package: $unexpected"

# The package must not point back into the source or build tree.
if grep -lF -e "$src" -e "$build" "$cmakedir"/*.cmake; then
    fail "the installed CMake package refers to the source or build tree"
fi

# The library links common/ in; its symbols must not be left for the consumer to find.
if command -v nm >/dev/null; then
    undefined=$(nm -D --undefined-only -C "$libdir"/liblatchkey-client.so | grep 'latchkey::' \
        || true)
    [[ -z "$undefined" ]] \
        || fail "liblatchkey-client.so needs latchkey symbols from elsewhere: $undefined"
fi

# 3. A consumer that sees only the prefix (and the Qt the main build used).
qt_args=()
qt_dir=$(sed -n 's/^Qt6_DIR:PATH=//p' "$build/CMakeCache.txt")
[[ -n "$qt_dir" && "$qt_dir" != *-NOTFOUND ]] && qt_args=(-DQt6_DIR="$qt_dir")
consumer=$work/consumer
cmake -S "$src/client/examples/find_package_consumer" -B "$consumer" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCONSUMER_WERROR=ON \
    "${qt_args[@]}" >"$work/consumer-configure.log" 2>&1 \
    || { cat "$work/consumer-configure.log" >&2; fail "configuring the consumer failed"; }
grep -qF "$prefix" "$consumer/CMakeCache.txt" \
    || fail "the consumer did not use the installed package"
cmake --build "$consumer" --parallel "$jobs" >"$work/consumer-build.log" 2>&1 \
    || { cat "$work/consumer-build.log" >&2; fail "building the consumer failed"; }

# 4. Run it against the installed library, not the build tree's.
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if command -v ldd >/dev/null; then
    resolved=$(ldd "$consumer/find_package_consumer" \
        | sed -n 's/.*liblatchkey-client\.so[^ ]* => \([^ ]*\).*/\1/p')
    [[ "$resolved" == "$libdir"/* ]] \
        || fail "the consumer loads liblatchkey-client from '$resolved'"
fi
output=$(timeout 60 "$consumer/find_package_consumer") \
    || fail "the consumer exited with $?: ${output:-}"
[[ "$output" == ok ]] || fail "the consumer printed '$output', not 'ok'"
output=$(timeout 60 "$consumer/c_consumer") || fail "the C consumer exited with $?: ${output:-}"
[[ "$output" == ok ]] || fail "the C consumer printed '$output', not 'ok'"

# 5. The installed library through Python's ctypes, as engine bindings load it.
if command -v python3 >/dev/null; then
    so=$(compgen -G "$libdir/liblatchkey-client.so.*.*" | head -n 1)
    timeout 60 python3 "$src/tests/c_api/ctypes_guest.py" "$so" --load-only \
        || fail "python3 ctypes could not use $so"
fi
echo "install check passed: $prefix"
