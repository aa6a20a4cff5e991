#!/usr/bin/env bash
# Builds the .deb packages of an existing build (cpack -G DEB, into a temporary directory) and
# checks them as an operator would get them: exact file lists, owners and modes, control
# fields (Depends from dpkg-shlibdeps), maintainer scripts, the unpacked server checking the
# packaged configuration, the systemd unit through `systemd-analyze verify` and `security`,
# and the client's CMake package found from the unpacked tree.
#
# Usage: check_deb.sh BUILD_DIR VERSION BUILD_TYPE LIBDIR
#   the build (already built: cpack only installs), the project's version, its
#   CMAKE_BUILD_TYPE and CMAKE_INSTALL_LIBDIR (they name installed files).
# Nothing is installed on the system; the temporary directory is removed at the end (kept
# when LATCHKEY_KEEP_PACKAGE_CHECK=1).
set -euo pipefail
export LC_ALL=C # sort order

build=$(cd "$1" && pwd)
version=$2
config_suffix=$(tr '[:upper:]' '[:lower:]' <<<"${3:-noconfig}")
libdir=$4

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
for tool in cpack dpkg-deb dpkg-shlibdeps file systemd-analyze readelf ldd; do
    command -v "$tool" >/dev/null || fail "$tool is missing (scripts/deps.sh test installs it)"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/latchkey-package-check.XXXXXX")
if [[ "${LATCHKEY_KEEP_PACKAGE_CHECK:-0}" == 1 ]]; then
    echo "keeping $work"
else
    trap 'rm -rf "$work"' EXIT
fi

# 1. The packages.
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log" >&2; fail "cpack -G DEB failed"; }
arch=$(dpkg --print-architecture)
server_deb=$work/out/latchkey-server_${version}_${arch}.deb
client_deb=$work/out/liblatchkey-client-dev_${version}_${arch}.deb
debs=$(cd "$work/out" && printf '%s ' *.deb)
[[ "$debs" == "$(basename "$server_deb") $(basename "$client_deb") " ]] ||
    fail "cpack made '$debs', not exactly the server and client-dev packages"

# The regular files and links of a package, "mode owner path" per line (directories left
# out), in path order.
contents() {
    dpkg-deb -c "$1" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $1, $2, $6 }' | sort -k3
}

expect_contents() {
    local deb=$1 expected=$2 actual
    actual=$(contents "$deb")
    [[ "$actual" == "$expected" ]] ||
        fail "$(basename "$deb") holds:"$'\n'"$actual"$'\n'"expected:"$'\n'"$expected"
}

# field DEB NAME
field() { dpkg-deb -f "$1" "$2"; }

expect_control() {
    local deb=$1 name=$2 section=$3 depends=$4 scripts=$5
    local pkg=${deb##*/}
    [[ "$(field "$deb" Package)" == "$name" ]] || fail "$pkg: Package is not $name"
    [[ "$(field "$deb" Version)" == "$version" ]] || fail "$pkg: Version is not $version"
    [[ "$(field "$deb" Architecture)" == "$arch" ]] || fail "$pkg: Architecture is not $arch"
    [[ "$(field "$deb" Section)" == "$section" ]] || fail "$pkg: Section is not $section"
    [[ "$(field "$deb" Maintainer)" =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]] ||
        fail "$pkg: Maintainer is not 'name <address>'"
    local description
    description=$(field "$deb" Description)
    [[ $(wc -l <<<"$description") -ge 3 ]] || fail "$pkg: no long Description"
    local all
    all=$(field "$deb" Depends | tr -d ' ' | tr ',' '\n' | sed 's/(.*//' | sort -u)
    # libc6 and Qt's core library come from dpkg-shlibdeps, the rest from the packaging.
    for dep in libc6 libqt6core6 $depends; do
        grep -qx "$dep" <<<"$all" || fail "$pkg: Depends lacks $dep: $(field "$deb" Depends)"
    done
    dpkg-deb -e "$deb" "$work/control-$name"
    local listed
    listed=$(cd "$work/control-$name" && printf '%s ' *)
    [[ "$listed" == "$scripts" ]] || fail "$pkg: control archive holds '$listed', not '$scripts'"
    for script in preinst postinst prerm postrm; do
        [[ -e "$work/control-$name/$script" ]] || continue
        [[ -x "$work/control-$name/$script" ]] || fail "$pkg: $script is not executable"
        sh -n "$work/control-$name/$script" || fail "$pkg: $script is not valid sh"
    done
    mkdir -p "$work/root-$name"
    dpkg-deb -x "$deb" "$work/root-$name"
    (cd "$work/root-$name" && md5sum --quiet -c "$work/control-$name/md5sums") ||
        fail "$pkg: md5sums do not match the files"
}

# 2. latchkey-server.
expect_contents "$server_deb" "-rw-r--r-- root/root etc/latchkey/config.yml
-rw------- root/root etc/latchkey/latchkey.env
-rwxr-xr-x root/root usr/bin/latchkey-admin
-rwxr-xr-x root/root usr/bin/latchkey-server
-rwxr-xr-x root/root usr/bin/setup_db
-rw-r--r-- root/root usr/lib/systemd/system/latchkey-server.service"
expect_control "$server_deb" latchkey-server net "libqt6sql6-sqlite libqt6sql6-psql" \
    "conffiles control md5sums postinst postrm prerm "
root=$work/root-latchkey-server
[[ "$(cat "$work/control-latchkey-server/conffiles")" == \
    $'/etc/latchkey/config.yml\n/etc/latchkey/latchkey.env' ]] ||
    fail "conffiles does not list exactly /etc/latchkey/config.yml and latchkey.env"

# The binaries load from the system's libraries alone, never from the build tree.
for exe in latchkey-server setup_db latchkey-admin; do
    ! ldd "$root/usr/bin/$exe" | grep -q "not found" || fail "$exe: $(ldd "$root/usr/bin/$exe")"
    ! readelf -d "$root/usr/bin/$exe" | grep -Eq 'R(UN)?PATH' || fail "$exe has an RPATH/RUNPATH"
    [[ "$(env -i "$root/usr/bin/$exe" --version)" == "$exe $version" ]] ||
        fail "$exe --version does not say $version"
done

# 3. The unit, its hardening and the configuration it starts the server with.
unit=$root/usr/lib/systemd/system/latchkey-server.service
for line in DynamicUser=yes StateDirectory=latchkey ProtectSystem=strict NoNewPrivileges=yes \
    PrivateTmp=yes ProtectHome=yes PrivateDevices=yes CapabilityBoundingSet= \
    EnvironmentFile=-/etc/latchkey/latchkey.env WantedBy=multi-user.target; do
    grep -qxF "$line" "$unit" || fail "the unit lacks the line $line"
done
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[[ "$exec_start" == "/usr/bin/latchkey-server --config /etc/latchkey/config.yml" ]] ||
    fail "ExecStart=$exec_start does not start the packaged binary with the packaged config"
state_dir=/var/lib/$(sed -n 's/^StateDirectory=//p' "$unit")
grep -qxF "WorkingDirectory=$state_dir" "$unit" || fail "WorkingDirectory is not $state_dir"

# The server checks the packaged configuration (and the environment file's template, which
# its own .env parser reads too): every path it would write must be inside the state directory.
mkdir "$work/cwd"
checked=$(cd "$work/cwd" && env -i PATH=/usr/bin:/bin "$root/usr/bin/latchkey-server" \
    --config "$root/etc/latchkey/config.yml" --env-file "$root/etc/latchkey/latchkey.env" \
    --check-config 2>&1) || fail "--check-config refused the packaged configuration: $checked"
expected="configuration OK (sqlite database $state_dir/latchkey.db; address 127.0.0.1:8000; "
expected+="data_dir $state_dir; log_dir $state_dir/logs)"
[[ "$checked" == "$expected" ]] || fail "--check-config: '$checked', expected '$expected'"
[[ -z "$(ls -A "$work/cwd")" ]] || fail "--check-config wrote into its working directory"

# systemd checks the unit as it would load it; the binary it names must exist, so ExecStart
# points at the unpacked one.
mkdir "$work/units"
sed "s|^ExecStart=/usr/bin/|ExecStart=$root/usr/bin/|" "$unit" >"$work/units/latchkey-server.service"
grep -q "^ExecStart=$root/usr/bin/latchkey-server " "$work/units/latchkey-server.service" ||
    fail "could not point ExecStart at the unpacked binary"
verify=$(cd "$work/units" && systemd-analyze verify ./latchkey-server.service 2>&1) ||
    fail "systemd-analyze verify: $verify"
! grep -q "latchkey-server.service" <<<"$verify" || fail "systemd-analyze verify: $verify"
# Exposure 0.0 (locked down) .. 10.0 (unprotected); this unit scores 1.4. --threshold counts
# in tenths: it fails the command above 2.0, and the check below says so by name.
security=$(systemd-analyze security --offline=true --threshold=20 \
    "$work/units/latchkey-server.service" 2>&1) || fail "systemd-analyze security: $security"
exposure=$(sed -n 's/.*Overall exposure level for latchkey-server.service: \([0-9.]*\).*/\1/p' \
    <<<"$security")
[[ -n "$exposure" ]] || fail "no exposure level from systemd-analyze security: $security"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' ||
    fail "the unit's exposure level is $exposure (more than 2.0):"$'\n'"$security"

# 4. liblatchkey-client-dev.
cmake_dir=usr/$libdir/cmake/Latchkey
expect_contents "$client_deb" "-rwxr-xr-x root/root usr/bin/latchkey-login
-rw-r--r-- root/root usr/include/latchkey/client.h
-rw-r--r-- root/root usr/include/latchkey/error.h
-rw-r--r-- root/root usr/include/latchkey/latchkey_c.h
-rw-r--r-- root/root usr/include/latchkey/latchkey_client_export.h
-rw-r--r-- root/root usr/include/latchkey/latchkey_common_export.h
-rw-r--r-- root/root usr/include/latchkey/user.h
-rw-r--r-- root/root $cmake_dir/LatchkeyClientTargets-$config_suffix.cmake
-rw-r--r-- root/root $cmake_dir/LatchkeyClientTargets.cmake
-rw-r--r-- root/root $cmake_dir/LatchkeyConfig.cmake
-rw-r--r-- root/root $cmake_dir/LatchkeyConfigVersion.cmake
lrwxrwxrwx root/root usr/$libdir/liblatchkey-client.so
lrwxrwxrwx root/root usr/$libdir/liblatchkey-client.so.${version%%.*}
-rw-r--r-- root/root usr/$libdir/liblatchkey-client.so.$version"
expect_control "$client_deb" liblatchkey-client-dev libdevel "qt6-base-dev libqrencode4" \
    "control md5sums postinst postrm shlibs "
client_root=$work/root-liblatchkey-client-dev
[[ "$(cat "$work/control-liblatchkey-client-dev/shlibs")" == \
    "liblatchkey-client ${version%%.*} liblatchkey-client-dev (>= $version)" ]] ||
    fail "shlibs: $(cat "$work/control-liblatchkey-client-dev/shlibs")"

# CMake finds the package in the unpacked tree, and its library there.
mkdir "$work/find"
cat >"$work/find/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(find_latchkey LANGUAGES CXX)
find_package(Latchkey REQUIRED COMPONENTS Client)
get_target_property(location Latchkey::Client IMPORTED_LOCATION_${CONFIG})
message(STATUS "Latchkey ${Latchkey_VERSION} at ${location}")
EOF
qt_dir=$(sed -n 's/^Qt6_DIR:PATH=//p' "$build/CMakeCache.txt")
found=$(cmake -S "$work/find" -B "$work/find/build" -DCMAKE_PREFIX_PATH="$client_root/usr" \
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DQt6_DIR="$qt_dir" \
    -DCONFIG="$(tr '[:lower:]' '[:upper:]' <<<"$config_suffix")" 2>&1) ||
    fail "find_package(Latchkey) in the unpacked client package: $found"
grep -qxF -- "-- Latchkey $version at $client_root/usr/$libdir/liblatchkey-client.so.$version" \
    <<<"$found" || fail "find_package(Latchkey) did not find the unpacked library: $found"

echo "package check passed: $(basename "$server_deb") $(basename "$client_deb")"
