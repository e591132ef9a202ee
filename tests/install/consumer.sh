#!/usr/bin/env bash
# A program outside the tree, written exactly as README.md's quick start,
# builds against the installed package (CMake and pkg-config) and talks to
# the cluster through a real redis-server.
#   consumer.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2
work=$(mktemp -d)
tls_pid=""
source "$(dirname "$0")/quickstart.sh"
cleanup() {
    for p in $app_pid $sub_pid $tls_pid $redis_pid; do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# 1. Install.
cmake --install "$build" --prefix "$work/prefix" >/dev/null
[ -f "$work/prefix/include/ClustrQt/worker.h" ] || fail "public headers not installed"
if find "$work/prefix/include" -name '*_p.h' | grep -q .; then fail "private headers were installed"; fi
ls "$work/prefix"/lib*/libclustr-qt.so.0 >/dev/null 2>&1 || ls "$work/prefix"/lib/*/libclustr-qt.so.0 >/dev/null 2>&1 \
    || fail "no libclustr-qt.so.0 (SOVERSION) installed"
# The TLS plugin, when the build has one, is installed where the library
# looks for it: clustr-qt/ beside itself.
tls_built=""
[ -f "$build/lib/clustr-qt/libclustr-qt-tls.so" ] && tls_built=1
if [ -n "$tls_built" ]; then
    installed_lib=$(dirname "$(find "$work/prefix" -name 'libclustr-qt.so.0' | head -1)")
    [ -f "$installed_lib/clustr-qt/libclustr-qt-tls.so" ] || fail "the TLS plugin is not installed in $installed_lib/clustr-qt/"
fi

# The installed programs run from the prefix, without LD_LIBRARY_PATH.
if [ -x "$work/prefix/bin/clustr-qt" ]; then
    version=$(env -u LD_LIBRARY_PATH "$work/prefix/bin/clustr-qt" --version) || fail "the installed clustr-qt does not run: $version"
    case "$version" in "clustr-qt "*) ;; *) fail "the installed clustr-qt --version said: $version" ;; esac
fi

# The QML module, installed into Qt's layout under the prefix, loads from there.
qml_module_check "$build" "$work/prefix/lib/$(gcc -print-multiarch)/qt6/qml" \
    "$(dirname "$(find "$work/prefix" -name 'libclustr-qt.so.0' | head -1)")"

# 2. The README's quick start, as written.
quickstart_build "$src" "$work/prefix" "$work"
exe=$quickstart_exe

# 3. The same program through pkg-config.
pcdir=$(dirname "$(find "$work/prefix" -name clustr-qt.pc | head -1)")
[ -n "$pcdir" ] || fail "clustr-qt.pc not installed"
PKG_CONFIG_PATH="$pcdir" g++ -std=c++17 -fPIC "$work/app/main.cpp" -o "$work/app/pc-app" \
    $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs clustr-qt) || fail "pkg-config build failed"

# 4. Run it against a private Redis and talk to it by hand.
start_redis "$work"
libdir=$(dirname "$(find "$work/prefix" -name 'libclustr-qt.so.0' | head -1)")
quickstart_talk "$exe" "$libdir" "$work"
# 5. The installed library finds the installed TLS plugin: a rediss:// URL
# with a CA file that does not exist fails on reading it, which only the
# plugin does (a missing plugin would say "not found at ...").
if [ -n "$tls_built" ]; then
    env -u CLUSTR_TLS_PLUGIN LD_LIBRARY_PATH="$libdir" "$exe" \
        --cluster-redis="rediss://127.0.0.1:$redis_port?cacert=$work/no-such-ca.pem" > "$work/tls.out" 2>&1 &
    tls_pid=$!
    for _ in $(seq 200); do grep -q "cannot read the CA certificates" "$work/tls.out" && break; sleep 0.05; done
    grep -q "cannot read the CA certificates (cacert) $work/no-such-ca.pem" "$work/tls.out" \
        || { cat "$work/tls.out" >&2; fail "the installed library did not load the installed TLS plugin"; }
    kill -9 "$tls_pid" 2>/dev/null || true
    wait "$tls_pid" 2>/dev/null || true
    tls_pid=""
fi
echo "consumer: installed package, CMake and pkg-config builds, messaging and kill all work"

