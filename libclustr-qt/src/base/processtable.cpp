// SPDX-License-Identifier: MIT
#include "processtable_p.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace Clustr {

namespace {

// Parents are followed at most this far: a loop in a table read while it
// changes must not keep us here.
constexpr int MaxDepth = 64;

} // namespace

std::optional<ProcessTable::Entry> ProcessTable::read(qint64 pid)
{
    if (pid < 0)
        return std::nullopt;
    char path[48];
    if (pid > 0)
        std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
    else
        std::snprintf(path, sizeof path, "/proc/self/stat");
    // Plain system calls: this runs for every process a master checks, and
    // a stat line is a few hundred bytes.
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    char buffer[1024];
    ssize_t size;
    do {
        size = ::read(fd, buffer, sizeof buffer - 1);
    } while (size < 0 && errno == EINTR);
    ::close(fd);
    if (size <= 0)
        return std::nullopt;
    buffer[size] = '\0';

    // "pid (comm) state ppid pgrp ...": comm may hold spaces and
    // parentheses, so the fields are counted from the last ')'.
    const char *close = std::strrchr(buffer, ')');
    if (!close || close[1] != ' ' || close[2] == '\0')
        return std::nullopt;
    Entry entry;
    entry.pid = pid > 0 ? pid : ::getpid();
    entry.state = close[2];
    const char *field = close + 3; // the space before ppid
    for (int index = 1; index <= 19 && field && *field; ++index) {
        char *end = nullptr;
        const long long value = std::strtoll(field + 1, &end, 10);
        switch (index) {
        case 1: entry.ppid = value; break;
        case 2: entry.processGroup = value; break;
        case 11: entry.userTicks = value; break;
        case 12: entry.systemTicks = value; break;
        case 19: entry.startTime = std::strtoull(field + 1, nullptr, 10); break;
        default: break;
        }
        field = std::strchr(field + 1, ' ');
    }
    return entry;
}

bool ProcessTable::isRunning(qint64 pid)
{
    return isRunning(pid, 0);
}

bool ProcessTable::isRunning(qint64 pid, quint64 startTime)
{
    if (pid <= 0)
        return false;
    // EPERM: it exists, as another user's process.
    if (::kill(pid_t(pid), 0) != 0 && errno != EPERM)
        return false;
    const auto entry = read(pid);
    if (!entry)
        return ::access("/proc/self/stat", F_OK) != 0; // no /proc: kill() is all there is
    if (entry->state == 'Z' || entry->state == 'X')
        return false;
    return startTime == 0 || entry->startTime == startTime;
}

quint64 ProcessTable::startTime(qint64 pid)
{
    const auto entry = read(pid);
    return entry ? entry->startTime : 0;
}

bool ProcessTable::descendsFrom(qint64 pid, qint64 ancestor)
{
    for (int depth = 0; depth < MaxDepth && pid > 1; ++depth) {
        if (pid == ancestor)
            return true;
        const auto entry = read(pid);
        if (!entry)
            return false;
        pid = entry->ppid;
    }
    return pid == ancestor;
}

QByteArray ProcessTable::identity()
{
    char boot[64] = {};
    const int fd = ::open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return QByteArray();
    const ssize_t size = ::read(fd, boot, sizeof boot - 1);
    ::close(fd);
    char link[64] = {};
    // "pid:[4026531836]"
    const ssize_t length = ::readlink("/proc/self/ns/pid", link, sizeof link - 1);
    const char *open = length > 0 ? std::strchr(link, '[') : nullptr;
    const char *close = open ? std::strchr(open, ']') : nullptr;
    if (size <= 0 || !close)
        return QByteArray();
    return QByteArray(boot, int(size)).trimmed() + ':' + QByteArray(open + 1, int(close - open - 1));
}

} // namespace Clustr
