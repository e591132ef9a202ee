#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The library's layers, as docs/ARCHITECTURE.md draws them: a file includes
# only headers of its own layer or of layers below it.
#
#   base                      0   logging gate, decimal writers, export macros
#   redis  protocol           1   (side by side: neither includes the other)
#   supervision  control  tls 2   (side by side; tls is the TLS plugin, built
#                                  apart and loaded at run time, never included)
#   core (src/ itself)        3   Process, Worker, Master
#
# And everything outside the library (daemon/, gui/, qml/, examples/, bench/
# programs) uses the public headers only: no "..._p.h", no path into src/.
# Tests of private classes may include private headers; they are not checked.
#
# Usage: check.sh SOURCE_DIR
set -u
root=$(cd "${1:?usage: check.sh SOURCE_DIR}" && pwd) || exit 2
for dir in libclustr-qt/src daemon gui qml examples; do
    [ -d "$root/$dir" ] || { echo "no $dir in $root: is it the source directory?"; exit 2; }
done
cd "$root/libclustr-qt/src" || exit 2

rank() {
    case "$1" in
        base) echo 0 ;;
        redis|protocol) echo 1 ;;
        supervision|control|tls) echo 2 ;;
        core) echo 3 ;;
        *) echo 99 ;;
    esac
}

failures=0
checked=0
while IFS= read -r file; do
    dir=$(dirname "$file")
    layer=${dir#./}
    [ "$layer" = "." ] && layer=core
    own=$(rank "$layer")
    while IFS=: read -r line include; do
        header=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/' <<<"$include")
        case "$header" in
            moc_*|ClustrQt/*) continue ;;
        esac
        checked=$((checked + 1))
        if [[ "$header" == */* ]]; then
            target=${header%%/*}
        elif [ -e "$dir/$header" ]; then
            target=$layer
        else
            target=core
        fi
        theirs=$(rank "$target")
        if [ "$theirs" -eq 99 ]; then
            echo "${file#./}:$line: includes \"$header\" from an unknown place"
            failures=$((failures + 1))
        elif [ "$theirs" -gt "$own" ] || { [ "$theirs" -eq "$own" ] && [ "$target" != "$layer" ]; }; then
            echo "${file#./}:$line: the $layer layer includes \"$header\" of the $target layer"
            failures=$((failures + 1))
        fi
    done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file")
done < <(find . -name '*.cpp' -o -name '*.h' | sort)

cd "$root" || exit 2
while IFS= read -r hit; do
    echo "$hit: uses a private header of the library; use the public API (include/ClustrQt/)"
    failures=$((failures + 1))
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^">]*_p\.h|[^">]*src/[^">]*)[">]' daemon gui qml examples \
             --include='*.cpp' --include='*.h' | cut -d: -f1,2)

if [ "$checked" -eq 0 ]; then
    echo "no library includes found: is $root the source directory?"
    exit 2
fi
if [ "$failures" -gt 0 ]; then
    echo "$failures include(s) break the layering"
    exit 1
fi
echo "layers respected: $checked includes of the library checked; daemon/, gui/, qml/, examples/ use the public API only"
