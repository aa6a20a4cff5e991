#!/usr/bin/env bash
# Installs what Latchkey needs from Debian 12's packages, skipping what is already there.
# Usage: scripts/deps.sh run|test|bench|package   (run: build + start the server; test: also the
# test tools; bench: also the load tools of bench/run.sh; package: also cpack -G DEB's tools)
set -euo pipefail
want=(cmake ninja-build g++ pkg-config qt6-base-dev libqt6sql6-psql libqt6sql6-sqlite
      libyaml-cpp-dev libssl-dev libhttp-parser-dev qtkeychain-qt6-dev
      # the client library's event socket (QWebSocket)
      qt6-websockets-dev
      # usernames: UTS #39 restriction levels and confusable skeletons (ICU uspoof)
      libicu-dev
      # client/demo (latchkey-demo): Qt Widgets (in qt6-base-dev), its SVG icons, and the
      # platform plugins that put a window on the desktop (xcb, wayland).
      qt6-svg-dev qt6-qpa-plugins
      # latchkey-login (client/examples): the device code's QR in the terminal
      libqrencode-dev)
case "${1:-run}" in
run) ;;
test)
    # chromium: the end-to-end login test's browser (tests/fixtures/oidc, driven by playwright-core).
    want+=(postgresql curl chromium)
    # The format check (tests/checks/format.sh); ss for tst_http's listen-backlog check.
    want+=(clang-format iproute2)
    # The fuzz, asan and tsan stages: clang with libFuzzer and the sanitizer runtimes.
    want+=(clang libclang-rt-14-dev libfuzzer-14-dev)
    # tst_demo: the demo window on a virtual X display (xvfb-run needs xauth) with a known
    # font; openssl makes the certificate of its https picture host.
    want+=(xvfb xauth fonts-dejavu-core openssl)
    # The C API's ctypes smoke test (tests/c_api/ctypes_guest.py).
    want+=(python3)
    # tst_scaleout: two instances behind nginx (any flavour; nginx-light only when none is
    # installed, they conflict).
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || want+=(nginx-light)
    # The .deb packages' check (tests/package): cpack's Depends come from dpkg-shlibdeps
    # (dpkg-dev), which needs file; systemd-analyze (systemd) verifies the unit.
    want+=(dpkg-dev file systemd)
    # Node for tests/fixtures/oidc (playwright-core asks for 20+; Debian 12's own nodejs is 18).
    # NodeSource's nodejs bundles npm and conflicts with Debian's npm: each only when missing.
    command -v node >/dev/null 2>&1 || want+=(nodejs)
    command -v npm >/dev/null 2>&1 || want+=(npm)
    ;;
bench)
    want+=(postgresql curl wrk jq iproute2)
    # bench/propagation.py (standard library only).
    want+=(python3)
    # Any nginx flavour will do; nginx-light only when none is installed (they conflict).
    command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || want+=(nginx-light)
    ;;
package)
    # cpack -G DEB (docs/OPERATIONS.md, Containerfile): Depends from dpkg-shlibdeps, which
    # needs file.
    want+=(dpkg-dev file)
    ;;
*) echo "usage: $0 run|test|bench|package" >&2; exit 2 ;;
esac
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
