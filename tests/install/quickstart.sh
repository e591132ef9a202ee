# SPDX-License-Identifier: MIT
# Sourced by the install tests (consumer.sh, packages.sh): README.md's quick
# start, built outside the tree against an installed clustr-qt and run
# against a private redis-server. The caller's EXIT trap kills $app_pid,
# $sub_pid and $redis_pid.

app_pid=""
sub_pid=""
redis_pid=""

fail() { echo "FAIL: $*" >&2; exit 1; }

# quickstart_build SOURCE_DIR PREFIX WORK: the README's code, as written, in
# WORK/app, built with CMake against PREFIX; its program in $quickstart_exe.
quickstart_build() {
    local src=$1 prefix=$2 work=$3
    mkdir -p "$work/app"
    awk '/<!-- quickstart-cpp -->/{f=1;next} f&&/^```cpp/{g=1;next} g&&/^```/{exit} g' "$src/README.md" > "$work/app/main.cpp"
    awk '/<!-- quickstart-cmake -->/{f=1;next} f&&/^```cmake/{g=1;next} g&&/^```/{exit} g' "$src/README.md" > "$work/app/CMakeLists.txt"
    [ -s "$work/app/main.cpp" ] && [ -s "$work/app/CMakeLists.txt" ] || fail "quick start code not found in README.md"
    cmake -S "$work/app" -B "$work/app/build" -DCMAKE_PREFIX_PATH="$prefix" >"$work/app-configure.log" 2>&1 \
        || { cat "$work/app-configure.log" >&2; fail "find_package(ClustrQt) failed against $prefix"; }
    cmake --build "$work/app/build" >"$work/app-build.log" 2>&1 \
        || { cat "$work/app-build.log" >&2; fail "the quick start does not build against $prefix"; }
    quickstart_exe=$(find "$work/app/build" -maxdepth 1 -type f -executable | head -1)
    [ -n "$quickstart_exe" ] || fail "no executable built"
}

# start_redis WORK: a private redis-server on a free loopback port ($redis_port).
start_redis() {
    local work=$1
    redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
                 || shuf -i 20000-60000 -n 1)
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" --logfile "$work/redis.log" &
    redis_pid=$!
    for _ in $(seq 100); do redis-cli -p "$redis_port" PING >/dev/null 2>&1 && break; sleep 0.05; done
    redis-cli -p "$redis_port" PING >/dev/null || fail "redis-server did not start"
}

# quickstart_talk EXE LIBDIR WORK: runs the worker with the library of LIBDIR
# against the redis-server of start_redis, talks to it by hand as README.md
# shows, then kills it with exit code 0 (its kill handler says "bye").
quickstart_talk() {
    local exe=$1 libdir=$2 work=$3
    local cli=(redis-cli -p "$redis_port")
    LD_LIBRARY_PATH="$libdir" "$exe" --cluster-redis="redis://127.0.0.1:$redis_port" > "$work/app.out" 2>&1 &
    app_pid=$!
    "${cli[@]}" --raw SUBSCRIBE private:4242 > "$work/replies" &
    sub_pid=$!
    local got=""
    for _ in $(seq 200); do
        "${cli[@]}" PUBLISH group:greeter '{"meta":{"pid":4242,"group":"cli"},"data":"world"}' >/dev/null
        if grep -q '"hello, world"' "$work/replies"; then got=1; break; fi
        sleep 0.05
    done
    [ -n "$got" ] || { cat "$work/app.out" >&2; fail "the quick start worker never answered"; }
    grep -q '"meta":{"pid":'"$app_pid"',"group":"greeter"}' "$work/replies" || { cat "$work/replies" >&2; fail "unexpected reply format"; }

    "${cli[@]}" PUBLISH "kill:$app_pid" '{"meta":{"pid":4242,"group":"cli"},"data":0}' >/dev/null
    local code=0
    wait "$app_pid" || code=$?
    app_pid=""
    [ "$code" -eq 0 ] || fail "kill with exit code 0 ended the worker with $code"
    grep -q "bye" "$work/app.out" || fail "the kill handler did not run"
    # README's qInfo() line prints the data as it was sent, not as QJsonValue(...).
    grep -q 'from 4242 "world"' "$work/app.out" || { cat "$work/app.out" >&2; fail "the worker did not print what README.md says"; }
    kill "$sub_pid" 2>/dev/null || true
    wait "$sub_pid" 2>/dev/null || true
    sub_pid=""
}

# qml_module_check BUILD_DIR QML_DIR LIB_DIR: the installed QML module (import
# ClustrQt) in QML_DIR/ClustrQt loads by itself: its plugin finds the
# libclustr-qt.so.0 of LIB_DIR through its RPATH, and Qt's qmlplugindump
# loads it from QML_DIR alone and finds both elements. Skipped (a line
# saying so) when BUILD_DIR has no QML module.
qml_module_check() {
    local build=$1 qmldir=$2 libdir=$3 plugin dump file
    [ -f "$build/qml/ClustrQt/qmldir" ] || { echo "no QML module in this build: not checked"; return 0; }
    plugin="$qmldir/ClustrQt/libclustr-qt-qmlplugin.so"
    for file in qmldir clustr-qt-qmlplugin.qmltypes libclustr-qt-qmlplugin.so; do
        [ -f "$qmldir/ClustrQt/$file" ] || fail "the QML module's $file is not in $qmldir/ClustrQt"
    done
    local loaded
    loaded=$(env -u LD_LIBRARY_PATH ldd "$plugin" | sed -n 's|^[[:space:]]*libclustr-qt\.so\.0 => \(.*\) (0x.*|\1|p')
    [ -n "$loaded" ] && [ "$(realpath "$loaded")" = "$(realpath "$libdir/libclustr-qt.so.0")" ] \
        || fail "the QML plugin does not load $libdir/libclustr-qt.so.0 but '$loaded'"
    dump=$(env -u LD_LIBRARY_PATH -u QML_IMPORT_PATH QT_QPA_PLATFORM=offscreen \
        /usr/lib/qt6/bin/qmlplugindump -nonrelocatable ClustrQt 1.0 "$qmldir" 2>&1) \
        || fail "Qt cannot load the QML module from $qmldir: $dump"
    grep -q '"ClustrQt/Worker 1.0"' <<<"$dump" || fail "the QML module has no Worker: $dump"
    grep -q '"ClustrQt/ClusterModel 1.0"' <<<"$dump" || fail "the QML module has no ClusterModel: $dump"
}
