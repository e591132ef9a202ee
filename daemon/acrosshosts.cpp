// SPDX-License-Identifier: MIT
#include "acrosshosts.h"

#include "cli.h"
#include "commandargs.h"
#include "controlsession.h"
#include "statustable.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>

namespace ControlCommands::AcrossHosts {

namespace {

// What a session of one host is started with: the cluster's Redis and name, and the host.
QStringList hostArguments(const Session &session, const QString &host)
{
    return {QStringLiteral("--redis"), session.redisUrl(), QStringLiteral("--cluster"), session.clusterNamespace(),
            QStringLiteral("--host"), host};
}

QString ago(const QDateTime &when, const QDateTime &now)
{
    if (!when.isValid())
        return QStringLiteral("-");
    const qint64 ms = std::max<qint64>(0, when.msecsTo(now));
    return ms < 60000 ? QString::number(ms / 1000.0, 'f', 1) + QLatin1Char('s') : StatusTable::humanDuration(ms);
}

} // namespace

std::optional<std::pair<QString, qint64>> splitHostPid(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return std::nullopt;
    const QString host = text.left(colon);
    const auto pid = parsePid(text.mid(colon + 1));
    if (!pid || !Clustr::isValidHostName(host))
        return std::nullopt;
    return std::make_pair(host, *pid);
}

QList<HostState> read(const Session &session, bool fresh)
{
    QList<HostState> states;
    for (const Clustr::ClusterHost &host : session.hosts()) {
        HostState state{host, std::nullopt};
        if (!host.lost) {
            QStringList args = hostArguments(session, host.name);
            Session hostSession(args, Clustr::AccessControl::Role::Monitor);
            // A host that went away since the list was read says so itself (on stderr) and counts as lost.
            if (hostSession.connect() == Cli::Ok && hostSession.waitForStatus() == Cli::Ok) {
                if (fresh)
                    hostSession.waitForFreshFigures();
                state.status = hostSession.client().status();
            } else {
                state.host.lost = true;
            }
        }
        states.append(state);
    }
    return states;
}

int status(const Session &session, bool json, bool compact)
{
    const QList<HostState> states = read(session, true);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    int running = 0;
    int workers = 0;
    for (const HostState &state : states) {
        if (state.status) {
            ++running;
            workers += int(state.status->processes().size());
        }
    }
    const int lost = int(states.size()) - running;

    if (json) {
        QList<Clustr::ClusterHost> hosts;
        QList<Clustr::ClusterStatus> statuses;
        for (const HostState &state : states) {
            hosts.append(state.host);
            statuses.append(state.status.value_or(Clustr::ClusterStatus()));
        }
        const QJsonObject document = Clustr::statusAcrossHostsToJson(session.clusterNamespace(), hosts, statuses);
        Cli::out(QString::fromUtf8(QJsonDocument(document).toJson(compact ? QJsonDocument::Compact : QJsonDocument::Indented)).trimmed());
        return Cli::Ok;
    }

    QStringList lines;
    lines.append(QStringLiteral("cluster \"%1\" across %2 at %3: %4 running, %5 lost; %6")
                     .arg(session.clusterNamespace(), Cli::count(states.size(), "host", "hosts"), session.displayUrl())
                     .arg(running)
                     .arg(lost)
                     .arg(Cli::count(workers, "registered process", "registered processes")));
    QList<QStringList> rows;
    for (const HostState &state : states) {
        if (state.status) {
            const Clustr::MasterInfo master = state.status->master();
            rows.append({state.host.name, QString::number(master.pid()), QStringLiteral("running"),
                         QString::number(state.status->processes().size()), ago(master.startedAt(), now), ago(state.host.updatedAt, now)});
        } else {
            rows.append({state.host.name, QString::number(state.host.masterPid), QStringLiteral("lost"), QStringLiteral("-"),
                         QStringLiteral("-"), ago(state.host.updatedAt, now)});
        }
    }
    lines += StatusTable::table({QStringLiteral("HOST"), QStringLiteral("MASTER"), QStringLiteral("STATE"), QStringLiteral("PROCESSES"),
                                 QStringLiteral("UPTIME"), QStringLiteral("LAST SEEN")},
                                rows);
    for (const HostState &state : states) {
        if (!state.status)
            continue;
        lines.append(QString());
        lines.append(QStringLiteral("== host %1 ==").arg(state.host.name));
        lines.append(StatusTable::render(*state.status, session.displayUrl(), now));
    }
    Cli::out(lines.join(QLatin1Char('\n')));
    return Cli::Ok;
}

QStringList holdersOf(const QList<HostState> &hosts, qint64 pid, QStringList *hostNames)
{
    QStringList holders;
    for (const HostState &state : hosts) {
        if (!state.status)
            continue;
        QString group;
        if (state.status->master().pid() == pid)
            group = QStringLiteral("master");
        for (const Clustr::ProcessStatus &process : state.status->processes()) {
            if (process.pid() == pid)
                group = process.group();
        }
        if (group.isEmpty())
            continue;
        holders.append(QStringLiteral("%1:%2 (%3)").arg(state.host.name).arg(pid).arg(group));
        hostNames->append(state.host.name);
    }
    return holders;
}

int groupSize(const QList<HostState> &hosts, const QString &group)
{
    int size = 0;
    for (const HostState &state : hosts) {
        if (!state.status)
            continue;
        for (const Clustr::ProcessStatus &process : state.status->processes())
            size += process.group() == group ? 1 : 0;
    }
    return size;
}

int forEachHost(const Session &session, const QStringList &arguments, const std::function<int(QStringList)> &command,
                bool stopOnFailure)
{
    int worst = Cli::Ok;
    for (const Clustr::ClusterHost &host : session.hosts()) {
        if (host.lost) {
            Cli::err(QStringLiteral("host %1 is lost (its master, pid %2, stopped heartbeating): skipped").arg(host.name).arg(host.masterPid));
            continue;
        }
        Cli::out(QStringLiteral("host %1:").arg(host.name));
        const int code = command(QStringList{QStringLiteral("--host"), host.name} + arguments);
        worst = std::max(worst, code);
        if (code != Cli::Ok && stopOnFailure) {
            Cli::err(QStringLiteral("stopped at host %1: the hosts after it were left as they are").arg(host.name));
            break;
        }
    }
    return worst;
}

} // namespace ControlCommands::AcrossHosts
