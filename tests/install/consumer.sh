#!/usr/bin/env bash
# A program outside the tree, written exactly as README.md's quick start,
# builds against the installed package (CMake and pkg-config) and talks to
# the cluster through a real redis-server.
#   consumer.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2
work=$(mktemp -d)
redis_pid=""
app_pid=""
sub_pid=""
tls_pid=""
cleanup() {
    for p in $app_pid $sub_pid $tls_pid $redis_pid; do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

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

# 2. The README's quick start, as written.
mkdir -p "$work/app"
awk '/<!-- quickstart-cpp -->/{f=1;next} f&&/^```cpp/{g=1;next} g&&/^```/{exit} g' "$src/README.md" > "$work/app/main.cpp"
awk '/<!-- quickstart-cmake -->/{f=1;next} f&&/^```cmake/{g=1;next} g&&/^```/{exit} g' "$src/README.md" > "$work/app/CMakeLists.txt"
[ -s "$work/app/main.cpp" ] && [ -s "$work/app/CMakeLists.txt" ] || fail "quick start code not found in README.md"

cmake -S "$work/app" -B "$work/app/build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null || fail "find_package(ClustrQt) failed"
cmake --build "$work/app/build" >/dev/null || fail "the quick start does not build against the installed package"
exe=$(find "$work/app/build" -maxdepth 1 -type f -executable | head -1)
[ -n "$exe" ] || fail "no executable built"

# 3. The same program through pkg-config.
pcdir=$(dirname "$(find "$work/prefix" -name clustr-qt.pc | head -1)")
[ -n "$pcdir" ] || fail "clustr-qt.pc not installed"
PKG_CONFIG_PATH="$pcdir" g++ -std=c++17 -fPIC "$work/app/main.cpp" -o "$work/app/pc-app" \
    $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs clustr-qt) || fail "pkg-config build failed"

# 4. Run it against a private Redis and talk to it by hand.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
       || shuf -i 20000-60000 -n 1)
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --logfile "$work/redis.log" &
redis_pid=$!
cli() { redis-cli -p "$port" "$@"; }
for _ in $(seq 100); do cli PING >/dev/null 2>&1 && break; sleep 0.05; done
cli PING >/dev/null || fail "redis-server did not start"

libdir=$(dirname "$(find "$work/prefix" -name 'libclustr-qt.so.0' | head -1)")
LD_LIBRARY_PATH="$libdir" "$exe" --cluster-redis="redis://127.0.0.1:$port" > "$work/app.out" 2>&1 &
app_pid=$!
cli --raw SUBSCRIBE private:4242 > "$work/replies" &
sub_pid=$!
got=""
for _ in $(seq 200); do
    cli PUBLISH group:greeter '{"meta":{"pid":4242,"group":"cli"},"data":"world"}' >/dev/null
    if grep -q '"hello, world"' "$work/replies"; then got=1; break; fi
    sleep 0.05
done
[ -n "$got" ] || { cat "$work/app.out" >&2; fail "the quick start worker never answered"; }
grep -q '"meta":{"pid":'"$app_pid"',"group":"greeter"}' "$work/replies" || { cat "$work/replies" >&2; fail "unexpected reply format"; }

cli PUBLISH "kill:$app_pid" '{"meta":{"pid":4242,"group":"cli"},"data":0}' >/dev/null
code=0
wait "$app_pid" || code=$?
app_pid=""
[ "$code" -eq 0 ] || fail "kill with exit code 0 ended the worker with $code"
grep -q "bye" "$work/app.out" || fail "the kill handler did not run"
# 5. The installed library finds the installed TLS plugin: a rediss:// URL
# with a CA file that does not exist fails on reading it, which only the
# plugin does (a missing plugin would say "not found at ...").
if [ -n "$tls_built" ]; then
    env -u CLUSTR_TLS_PLUGIN LD_LIBRARY_PATH="$libdir" "$exe" \
        --cluster-redis="rediss://127.0.0.1:$port?cacert=$work/no-such-ca.pem" > "$work/tls.out" 2>&1 &
    tls_pid=$!
    for _ in $(seq 200); do grep -q "cannot read the CA certificates" "$work/tls.out" && break; sleep 0.05; done
    grep -q "cannot read the CA certificates (cacert) $work/no-such-ca.pem" "$work/tls.out" \
        || { cat "$work/tls.out" >&2; fail "the installed library did not load the installed TLS plugin"; }
    kill -9 "$tls_pid" 2>/dev/null || true
    wait "$tls_pid" 2>/dev/null || true
    tls_pid=""
fi
echo "consumer: installed package, CMake and pkg-config builds, messaging and kill all work"

