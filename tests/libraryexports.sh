#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The shared library exports its public API only (CTest: library_exports).
# Private classes are compiled with hidden visibility and reach the tests
# through the static ClustrQtPrivate; an exported one would become ABI the
# project would have to keep, and enlarges every process' symbol tables.
#   libraryexports.sh LIBRARY READELF
set -u
library=${1:?usage: libraryexports.sh LIBRARY READELF}
readelf=${2:-readelf}
symbols=$("$readelf" -W --dyn-syms -C "$library") || { echo "$readelf failed on $library"; exit 2; }
defined=$(awk '$7 != "UND" && ($5 == "GLOBAL" || $5 == "WEAK") { $1 = $2 = $3 = $4 = $5 = $6 = $7 = ""; print }' <<<"$symbols" | grep 'Clustr::')
[ -n "$defined" ] || { echo "no Clustr:: symbols exported by $library: is it the library?"; exit 2; }
private='Clustr::(Protocol::|Logging::|Supervisor|ChildProcess|ChildCommand|CpuSet|OrphanReaper|OutputForwarder|ProcStat|QtRedisAdapter|RedisUrl|HostLookup|ReloadMachine|SigPipeGuard|RateLimiter|[A-Za-z]+Private::)'
leaks=$(grep -E "$private" <<<"$defined" | grep -vE 'Clustr::Process::Process\(Clustr::ProcessPrivate&')
if [ -n "$leaks" ]; then
    echo "private classes exported by $library:"
    echo "$leaks"
    exit 1
fi
echo "$(wc -l <<<"$defined") Clustr:: symbols exported, none of a private class"
