#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Nothing outside the library's protocol layer writes or parses a protocol
# JSON key (issue 10): the daemon and the GUI use the typed records
# (ClusterStatus, ClusterEvent, MasterInfo, ChildInfo, Stats...) and their
# enums. This fails on every line of daemon/ or gui/ that
#   - looks a protocol key up or writes it: .value("pid"), .insert("group", ...),
#     .contains/.remove/.take("state"), obj["event"],
#   - builds a JSON object with it: {QStringLiteral("pid"), ...},
#   - compares a state or an event kind as text: == QLatin1String("backing off").
# Literals count in every spelling that can become a JSON key: u"k",
# QStringLiteral("k"), QLatin1String("k"), QLatin1StringView("k"),
# QString::fromLatin1("k"), "k"_L1, "k"_s. A plain "k" cannot (the build
# defines QT_NO_CAST_FROM_ASCII), so plain strings such as the CLI's command
# names are left alone.
#
# Not checked: daemon/clusterfile.* (the cluster file is the daemon's own
# format, not the wire protocol) and daemon/metrics.cpp (Prometheus label
# names). A line that uses such a name for something else on purpose (a
# file format of its own) says so with a "not-protocol:" comment and a reason.
#
# Usage: check.sh SOURCE_DIR
set -u
root=${1:?usage: check.sh SOURCE_DIR}
cd "$root" || exit 2

keys='pid|ppid|group|state|event|processes|children|master|stats|host|rss|cpu|cpus|phase|step|steps|workers'
keys+='|oldPid|newPid|reason|code|signal|file|error|commandLine|restarts|startedAt|uptimeMs|lastSeenMs'
keys+='|heartbeat|clusterInfo|redis|reload|durationMs|registers|respawn|ready|updatedAt|meta|instance|droppedOutputLines'
states='not started|starting|running|backing off|stopping|stopped|failed|reloading'
events='registered|deregistered|lost|spawned|exited|respawned|gaveUp|spawnFailed|clusterStarted'
events+='|reloadStarted|reloadStep|clusterReloaded'

# One string literal whose text is one of the alternatives in $1.
literal() {
    local text="u?\"(?:$1)\""
    local wrapped="(?:QStringLiteral|QLatin1String|QLatin1StringView|QStringView|QString::fromLatin1|QString::fromUtf8)\\(\\s*$text\\s*\\)"
    echo "(?:$wrapped|u\"(?:$1)\"(?:_s|_qs)?|\"(?:$1)\"(?:_L1|_s|_qs))"
}
key=$(literal "$keys")
name=$(literal "$states|$events")

lookup="(?:\\.|->)(?:value|insert|contains|remove|take|find|constFind)\\(\\s*$key\\s*[,)]"
subscript="\\[\\s*$key\\s*\\]"
# A pair in an initializer list ({"pid", 1}), not a variable's braces (QCommandLineOption redis{"redis", ...}).
pair="(?:^|[{,(=]|return)\\s*\\{\\s*$key\\s*,"
compare="(?:[!=]=\\s*$name|$name\\s*[!=]=)"
pattern="$lookup|$subscript|$pair|$compare"

mapfile -t files < <(find daemon gui -type f \( -name '*.cpp' -o -name '*.h' \) \
                         ! -path 'daemon/clusterfile.*' ! -path 'daemon/metrics.cpp' 2>/dev/null | sort)
if [ ${#files[@]} -eq 0 ]; then
    echo "no sources found under $root/daemon or $root/gui" >&2
    exit 2
fi

found=$(grep -nHP -- "$pattern" "${files[@]}" | grep -v 'not-protocol:')
if [ -n "$found" ]; then
    echo "Protocol JSON keys (or states/events as text) outside the protocol layer;"
    echo "use the typed records of <ClustrQt/...> and their enums instead:"
    echo "$found"
    echo "$(echo "$found" | wc -l) line(s) in $(echo "$found" | cut -d: -f1 | sort -u | wc -l) file(s)"
    exit 1
fi
echo "no protocol JSON keys in daemon/ or gui/ (${#files[@]} files checked)"
