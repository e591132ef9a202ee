#!/usr/bin/env bash
# The Debian packages (cmake/packaging.cmake): cpack builds them from the
# build tree into a temporary directory; each one's control fields and
# contents are checked, then all are unpacked into a scratch root (dpkg -x:
# nothing is installed on this machine) where the programs run and README.md's
# quick start builds against libclustr-qt-dev and talks through a real Redis.
#   packages.sh SOURCE_DIR BUILD_DIR
# Exits 77 (skipped) where the Debian tools are missing.
set -euo pipefail
src=$1
build=$2
for tool in cpack dpkg-deb dpkg-shlibdeps; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (dpkg-dev, cmake)"; exit 77; }
done
work=$(mktemp -d)
source "$(dirname "$0")/quickstart.sh"
cleanup() {
    for p in $app_pid $sub_pid $redis_pid; do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
release=$(sed -n 's/^CLUSTR_PACKAGE_RELEASE:STRING=//p' "$build/CMakeCache.txt")
[ -n "$version" ] && [ -n "$release" ] || fail "no version or release in $build/CMakeCache.txt"
full="$version-$release"

# 1. Build the packages. The build is done (CTest runs after it): naming a
# generator without a preinstall step keeps cpack from running the Makefiles'
# `preinstall`, which checks every target of the tree again (20 s here).
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/out" -D CPACK_CMAKE_GENERATOR=Ninja >"$work/cpack.log" 2>&1 \
    || { cat "$work/cpack.log" >&2; fail "cpack failed"; }
deb() {
    local file
    file=$(find "$work/out" -maxdepth 1 -name "$1_${full}_*.deb" | head -1)
    [ -n "$file" ] || { ls "$work/out" >&2; fail "no package $1 $full"; }
    echo "$file"
}
# Each package's file list, once (grep -q reads files here: an early exit of
# grep in a pipe would fail the pipe under pipefail).
contents() {
    [ -f "$work/$1.contents" ] || dpkg-deb -c "$(deb "$1")" | awk '{print $6}' | sed 's|^\./|/|' > "$work/$1.contents"
    echo "$work/$1.contents"
}
has() { grep -qE "^$2\$" "$(contents "$1")" || fail "$1 does not contain $2"; }
lacks() { if grep -qE "$2" "$(contents "$1")"; then fail "$1 contains $2"; fi; }
# depends_on PACKAGE ITEM: one of PACKAGE's Depends is ITEM (an extended
# regular expression: a name, or a name and its version condition).
depends_on() {
    local depends
    depends=$(dpkg-deb -f "$(deb "$1")" Depends)
    grep -qE "^$2( \(|\$)" <<<"${depends//, /$'\n'}" || fail "$1 does not depend on $2: Depends: $depends"
}

packages=(libclustr-qt0 libclustr-qt-dev clustr-qt clustr-qt-gui)
[ -x "$build/bin/clustr-qt-gui" ] || packages=(libclustr-qt0 libclustr-qt-dev clustr-qt)
qml_built=""
[ -f "$build/qml/ClustrQt/qmldir" ] && qml_built=1 && packages+=(qml6-module-clustrqt)
[ "$(find "$work/out" -maxdepth 1 -name '*.deb' | wc -l)" -eq ${#packages[@]} ] \
    || { ls "$work/out" >&2; fail "expected the packages ${packages[*]}"; }

# 2. What each package holds, and what it depends on.
for p in "${packages[@]}"; do
    [ "$(dpkg-deb -f "$(deb "$p")" Package)" = "$p" ] || fail "$(deb "$p") is not named $p"
    [ "$(dpkg-deb -f "$(deb "$p")" Version)" = "$full" ] || fail "$p is not version $full"
    has "$p" "/usr/share/doc/$p/copyright"
    has "$p" "/usr/share/doc/$p/changelog.gz"
done
has libclustr-qt0 '/usr/lib[^ ]*/libclustr-qt\.so\.0'
has libclustr-qt0 "/usr/lib[^ ]*/libclustr-qt\\.so\\.$version"
lacks libclustr-qt0 '/include/|\.pc$|cmake|libclustr-qt\.so$'
depends_on libclustr-qt0 libqt6core6
depends_on libclustr-qt0 "libhiredis[0-9.]+"
[ -f "$build/lib/clustr-qt/libclustr-qt-tls.so" ] && has libclustr-qt0 '/usr/lib[^ ]*/clustr-qt/libclustr-qt-tls\.so'
shlibs=$(dpkg-deb --info "$(deb libclustr-qt0)" shlibs) || fail "libclustr-qt0 has no shlibs file"
grep -q "^libclustr-qt 0 libclustr-qt0" <<<"$shlibs" || fail "libclustr-qt0's shlibs has no entry for libclustr-qt.so.0: $shlibs"

has libclustr-qt-dev '/usr/include/ClustrQt/worker\.h'
has libclustr-qt-dev '/usr/include/ClustrQt/version\.h'
has libclustr-qt-dev '/usr/lib[^ ]*/cmake/ClustrQt/ClustrQtConfig\.cmake'
has libclustr-qt-dev '/usr/lib[^ ]*/pkgconfig/clustr-qt\.pc'
has libclustr-qt-dev '/usr/lib[^ ]*/libclustr-qt\.so'
lacks libclustr-qt-dev 'libclustr-qt\.so\.|_p\.h$'
depends_on libclustr-qt-dev "libclustr-qt0 \\(= $full\\)"
depends_on libclustr-qt-dev qt6-base-dev
depends_on libclustr-qt-dev libhiredis-dev

has clustr-qt /usr/bin/clustr-qt
has clustr-qt '/usr/lib/systemd/system/clustr-qt@\.service'
has clustr-qt /usr/share/man/man1/clustr-qt\\.1\\.gz
has clustr-qt /usr/share/man/man5/clustr-qt\\.json\\.5\\.gz
lacks clustr-qt 'libclustr-qt\.so|clustr-qt-gui'
depends_on clustr-qt "libclustr-qt0 \\(= $full\\)"
depends_on clustr-qt libqt6core6

if [ -x "$build/bin/clustr-qt-gui" ]; then
    has clustr-qt-gui /usr/bin/clustr-qt-gui
    has clustr-qt-gui /usr/share/applications/clustr-qt-gui\\.desktop
    has clustr-qt-gui /usr/share/icons/hicolor/scalable/apps/clustr-qt-gui\\.svg
    has clustr-qt-gui /usr/share/man/man1/clustr-qt-gui\\.1\\.gz
    lacks clustr-qt-gui 'libclustr-qt\.so|/usr/bin/clustr-qt$'
    depends_on clustr-qt-gui "libclustr-qt0 \\(= $full\\)"
    depends_on clustr-qt-gui libqt6widgets6
fi

if [ -n "$qml_built" ]; then
    qml="/usr/lib/$(gcc -print-multiarch)/qt6/qml/ClustrQt"
    has qml6-module-clustrqt "$qml/qmldir"
    has qml6-module-clustrqt "$qml/libclustr-qt-qmlplugin\\.so"
    has qml6-module-clustrqt "$qml/clustr-qt-qmlplugin\\.qmltypes"
    lacks qml6-module-clustrqt 'libclustr-qt\.so|/usr/bin/'
    depends_on qml6-module-clustrqt "libclustr-qt0 \\(= $full\\)"
    depends_on qml6-module-clustrqt libqt6qml6
fi

# 3. Unpacked into a scratch root, never installed.
root="$work/root"
for p in "${packages[@]}"; do dpkg -x "$(deb "$p")" "$root"; done

for p in "${packages[@]}"; do
    [ "$(sed -n 1p "$root/usr/share/doc/$p/copyright")" = 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' ] \
        || fail "$p's copyright file is not in the machine-readable format"
    grep -qx 'License: MIT' "$root/usr/share/doc/$p/copyright" || fail "$p's copyright file names no MIT license"
    case "$(zcat "$root/usr/share/doc/$p/changelog.gz" | sed -n 1p)" in "clustr-qt ($full) "*) ;;
        *) fail "$p's changelog does not start with $full (packaging/changelog)" ;; esac
done
grep -qx "ExecStart=/usr/bin/clustr-qt run /etc/clustr-qt/%i.json" "$root/usr/lib/systemd/system/clustr-qt@.service" \
    || fail "the systemd unit does not run /usr/bin/clustr-qt"
if [ -x "$build/bin/clustr-qt-gui" ] && command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$root/usr/share/applications/clustr-qt-gui.desktop" || fail "the .desktop file is not valid"
fi

# The programs run from the root, finding its library through their RPATH.
unset LD_LIBRARY_PATH
out=$("$root/usr/bin/clustr-qt" --version) || fail "clustr-qt --version from the package failed: $out"
[ "$(echo "$out" | head -1)" = "clustr-qt $version" ] || fail "clustr-qt --version said: $out"
grep -qx "libclustr-qt $version" <<<"$out" || fail "clustr-qt --version names no libclustr-qt $version: $out"
libs=$(ldd "$root/usr/bin/clustr-qt")
grep -q "libclustr-qt.so.0 => $root/usr/" <<<"$libs" || fail "the packaged clustr-qt does not load the packaged library: $libs"
if [ -x "$build/bin/clustr-qt-gui" ]; then
    out=$("$root/usr/bin/clustr-qt-gui" --version) || fail "clustr-qt-gui --version from the package failed: $out"
    [ "$(echo "$out" | head -1)" = "clustr-qt-gui $version" ] || fail "clustr-qt-gui --version said: $out"
fi
example="$build/bin/messaging-cluster.json"
[ -f "$example" ] || fail "$example is not built (the examples are part of the build)"
out=$("$root/usr/bin/clustr-qt" check "$example" 2>&1) || fail "clustr-qt check $example: $out"
grep -q ": OK: " <<<"$out" || fail "clustr-qt check said: $out"

# The QML module, where Debian's Qt looks for it, loads from the root.
qml_module_check "$build" "$root/usr/lib/$(gcc -print-multiarch)/qt6/qml" \
    "$(dirname "$(find "$root/usr" -name libclustr-qt.so.0 | head -1)")"

# 4. README.md's quick start against libclustr-qt-dev, run with libclustr-qt0.
quickstart_build "$src" "$root/usr" "$work"
start_redis "$work"
quickstart_talk "$quickstart_exe" "$(dirname "$(find "$root/usr" -name libclustr-qt.so.0 | head -1)")" "$work"
echo "packages: ${packages[*]} built, checked, unpacked; the programs and the quick start run from them"
