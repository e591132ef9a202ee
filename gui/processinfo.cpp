// SPDX-License-Identifier: MIT
#include "processinfo.h"

#include <cmath>

namespace {

bool sameNumber(double a, double b)
{
    return a == b || (std::isnan(a) && std::isnan(b));
}

// The library says -1 for "not known"; the tree's columns show a dash for any negative size.
double bytesOrUnknown(qint64 bytes)
{
    return bytes >= 0 ? double(bytes) : -1;
}

const QColor Fine(0x2e, 0x9d, 0x4f);      // green
const QColor OnItsWay(0x2a, 0x7a, 0xd5);  // blue
const QColor Attention(0xe0, 0x8e, 0x0b); // amber
const QColor Broken(0xd0, 0x31, 0x2d);    // red
const QColor Inactive(0x8a, 0x8a, 0x8a);  // grey: stopped, not started, gone, unknown

QColor childColor(Clustr::ChildInfo::State state)
{
    using State = Clustr::ChildInfo::State;
    switch (state) {
    case State::Running: return Fine;
    case State::Starting: return OnItsWay;
    case State::BackingOff:
    case State::Stopping: return Attention;
    case State::Failed: return Broken;
    case State::NotStarted:
    case State::Stopped: break;
    }
    return Inactive;
}

QColor masterColor(Clustr::MasterInfo::State state)
{
    using State = Clustr::MasterInfo::State;
    switch (state) {
    case State::Running: return Fine;
    case State::Starting:
    case State::Reloading: return OnItsWay;
    case State::Stopping: return Attention;
    }
    return Inactive;
}

} // namespace

// ---- ProcessState ----

bool ProcessState::is(Clustr::ChildInfo::State state) const
{
    const auto *own = std::get_if<Clustr::ChildInfo::State>(&m_state);
    return own && *own == state;
}

bool ProcessState::is(Clustr::MasterInfo::State state) const
{
    const auto *own = std::get_if<Clustr::MasterInfo::State>(&m_state);
    return own && *own == state;
}

bool ProcessState::isRunning() const
{
    return is(Clustr::ChildInfo::State::Running) || is(Clustr::MasterInfo::State::Running) || is(Clustr::MasterInfo::State::Reloading);
}

QString ProcessState::text() const
{
    if (const auto *child = std::get_if<Clustr::ChildInfo::State>(&m_state))
        return Clustr::ChildInfo::stateName(*child);
    if (const auto *master = std::get_if<Clustr::MasterInfo::State>(&m_state))
        return Clustr::MasterInfo::stateName(*master);
    return QString();
}

QColor ProcessState::color() const
{
    if (const auto *child = std::get_if<Clustr::ChildInfo::State>(&m_state))
        return childColor(*child);
    if (const auto *master = std::get_if<Clustr::MasterInfo::State>(&m_state))
        return masterColor(*master);
    return Inactive;
}

// ---- ProcessInfo ----

ProcessInfo ProcessInfo::fromProcess(const Clustr::ProcessStatus &process)
{
    ProcessInfo p;
    p.pid = p.key = process.pid();
    p.group = process.group();
    p.host = process.host();
    p.ppid = process.ppid();
    p.state = process.state();
    p.startedAt = process.startedAt();
    p.uptimeMs = process.uptimeMs();
    p.restarts = process.restarts();
    p.cpus = process.cpus();
    p.rss = bytesOrUnknown(process.rssBytes());
    p.cpu = process.cpuPercent();
    p.heartbeat = process.heartbeat();
    p.lastSeenMs = process.lastSeenMs();
    if (process.heartbeat())
        p.stats = process.stats(); // without heartbeats the counters are not known, not zero
    p.registered = true;
    return p;
}

ProcessInfo ProcessInfo::fromMaster(const Clustr::MasterInfo &master, const QDateTime &now)
{
    ProcessInfo p;
    p.pid = p.key = master.pid();
    p.group = QStringLiteral("master");
    p.host = master.host();
    p.state = master.state();
    p.startedAt = master.startedAt();
    p.uptimeMs = p.startedAt.isValid() && now.isValid() ? p.startedAt.msecsTo(now) : -1;
    p.cpus = master.cpus();
    p.rss = bytesOrUnknown(master.rssBytes());
    p.cpu = master.cpuPercent();
    p.stats = master.stats();
    p.lastSeenMs = 0; // the announcement is as fresh as the snapshot
    p.heartbeat = true;
    p.registered = true;
    p.isMaster = true;
    return p;
}

ProcessInfo ProcessInfo::fromChild(const Clustr::ChildInfo &child, int index, const QString &host, qint64 masterPid, const QDateTime &now)
{
    ProcessInfo p;
    p.pid = child.pid();
    p.key = p.pid > 0 ? p.pid : -(index + 1);
    p.group = child.group();
    p.host = host;
    p.ppid = masterPid;
    p.state = child.state();
    p.startedAt = child.startedAt();
    p.uptimeMs = p.pid > 0 && p.startedAt.isValid() && now.isValid() ? p.startedAt.msecsTo(now) : -1;
    p.restarts = child.restarts();
    p.cpus = child.cpu();
    p.addChildDetails(child);
    return p;
}

ProcessInfo ProcessInfo::registeredProcess(qint64 pid, const QString &group)
{
    ProcessInfo p;
    p.pid = p.key = pid;
    p.group = group;
    p.state = Clustr::ChildInfo::State::Running; // it registered: it runs
    p.registered = true;
    return p;
}

void ProcessInfo::addChildDetails(const Clustr::ChildInfo &child)
{
    file = child.file();
    commandLine = child.commandLine();
    error = child.error();
}

QString ProcessInfo::commandLineText() const
{
    QStringList quoted;
    for (const QString &arg : commandLine) {
        if (arg.isEmpty() || arg.contains(QLatin1Char(' ')) || arg.contains(QLatin1Char('"')) || arg.contains(QLatin1Char('\''))) {
            QString escaped = arg;
            escaped.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
            quoted.append(QLatin1Char('\'') + escaped + QLatin1Char('\''));
        } else {
            quoted.append(arg);
        }
    }
    return quoted.join(QLatin1Char(' '));
}

bool ProcessInfo::operator==(const ProcessInfo &o) const
{
    return key == o.key && pid == o.pid && lastPid == o.lastPid && group == o.group && host == o.host && ppid == o.ppid && state == o.state
        && startedAt == o.startedAt && uptimeMs == o.uptimeMs && restarts == o.restarts && cpus == o.cpus
        && sameNumber(rss, o.rss) && sameNumber(cpu, o.cpu) && lastSeenMs == o.lastSeenMs && heartbeat == o.heartbeat
        && registered == o.registered && isMaster == o.isMaster && stats == o.stats && file == o.file
        && commandLine == o.commandLine && error == o.error;
}
