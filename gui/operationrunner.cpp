// SPDX-License-Identifier: MIT
#include "operationrunner.h"

#include "clustermonitor.h"

#include <ClustrQt/clusterclient.h>

using Clustr::ReloadJob;
using Severity = ActivityLog::Severity;

namespace {

QString capitalized(const QString &text)
{
    return text.isEmpty() ? text : text.at(0).toUpper() + text.mid(1);
}

// How each way a command can end reads in the activity log.
Severity severityOf(ReloadJob::Error error)
{
    switch (error) {
    case ReloadJob::Error::NoError: return Severity::Success;
    case ReloadJob::Error::NothingToDo: return Severity::Info;
    case ReloadJob::Error::NoSuchTarget:
    case ReloadJob::Error::Rejected:
    case ReloadJob::Error::StepsTimedOut:
    case ReloadJob::Error::Refused: return Severity::Warning;
    default: break;
    }
    return Severity::Error;
}

QString headingOf(ReloadJob::Error error)
{
    switch (error) {
    case ReloadJob::Error::NothingToDo: return QStringLiteral("Nothing to do");
    case ReloadJob::Error::NoSuchTarget: return QStringLiteral("No such target");
    case ReloadJob::Error::Rejected: return QStringLiteral("Refused");
    case ReloadJob::Error::Refused: return QStringLiteral("Not allowed");
    case ReloadJob::Error::Failed: return QStringLiteral("Failed");
    case ReloadJob::Error::Timeout: return QStringLiteral("Timed out");
    case ReloadJob::Error::StepsTimedOut: return QStringLiteral("Partly done");
    default: break;
    }
    return QStringLiteral("Interrupted");
}

} // namespace

OperationRunner::OperationRunner(ClusterMonitor *monitor, QObject *parent)
    : QObject(parent)
    , m_monitor(monitor)
{
}

OperationRunner::~OperationRunner()
{
    // The job belongs to the client; nothing of ours may run once we are gone.
    if (m_job)
        disconnect(m_job, nullptr, this, nullptr);
}

void OperationRunner::setTimeouts(std::chrono::milliseconds restart, std::chrono::milliseconds group)
{
    m_restartTimeout = restart;
    m_groupTimeout = group;
}

bool OperationRunner::restartCluster()
{
    Clustr::ClusterClient *client = m_monitor->client();
    return run(client ? client->restartCluster() : nullptr, QStringLiteral("restart the cluster"));
}

bool OperationRunner::restartGroup(const QString &group)
{
    Clustr::ClusterClient *client = m_monitor->client();
    return run(client ? client->restartGroup(group) : nullptr, QStringLiteral("restart group %1").arg(group));
}

bool OperationRunner::restartProcess(qint64 pid, const QString &group)
{
    Clustr::ClusterClient *client = m_monitor->client();
    return run(client ? client->restartProcess(pid) : nullptr, QStringLiteral("restart %1 %2").arg(group).arg(pid));
}

bool OperationRunner::stopGroup(const QString &group)
{
    Clustr::ClusterClient *client = m_monitor->client();
    return run(client ? client->stopGroup(group) : nullptr, QStringLiteral("stop group %1").arg(group));
}

bool OperationRunner::startGroup(const QString &group)
{
    Clustr::ClusterClient *client = m_monitor->client();
    return run(client ? client->startGroup(group) : nullptr, QStringLiteral("start group %1").arg(group));
}

bool OperationRunner::scale(const QString &group, int instances)
{
    Clustr::ClusterClient *client = m_monitor->client();
    return run(client ? client->scale(group, instances) : nullptr, QStringLiteral("scale group %1").arg(group));
}

bool OperationRunner::planUpdate()
{
    Clustr::ClusterClient *client = m_monitor->client();
    return run(client ? client->updateConfig(true) : nullptr, QStringLiteral("plan the update from the cluster file"));
}

bool OperationRunner::applyUpdate()
{
    Clustr::ClusterClient *client = m_monitor->client();
    return run(client ? client->updateConfig(false) : nullptr, QStringLiteral("update from the cluster file"));
}

bool OperationRunner::run(ReloadJob *job, const QString &what)
{
    if (!job) {
        Q_EMIT outcome(Severity::Error, QStringLiteral("Cannot %1: not connected to Redis").arg(what));
        return false;
    }
    if (m_job) {
        // One at a time: the bar shows one, and the master runs them one after the other anyway.
        Q_EMIT outcome(Severity::Warning, QStringLiteral("Cannot %1: the %2 is not done yet").arg(what, m_job->description()));
        job->deleteLater();
        return false;
    }
    // An update may roll groups: it gets a restart's time.
    const bool restart = job->operation() == ReloadJob::Operation::Restart || job->operation() == ReloadJob::Operation::Update;
    job->setTimeout(restart ? m_restartTimeout : m_groupTimeout);
    m_job = job;
    watch(job);
    Q_EMIT outcome(Severity::Info, QStringLiteral("%1 requested from master %2").arg(capitalized(job->description())).arg(m_monitor->masterPid()));
    Q_EMIT started(job->description());
    Q_EMIT progressChanged(0, progressText());
    return job->start(); // a refusal comes as result(), like every other end
}

void OperationRunner::watch(ReloadJob *job)
{
    auto report = [this] {
        if (m_job)
            Q_EMIT progressChanged(m_job->percent(), progressText());
    };
    connect(job, &ReloadJob::progressChanged, this, report);
    connect(job, &ReloadJob::stateChanged, this, report);
    connect(job, &ReloadJob::result, this, &OperationRunner::handleResult);
    // The client (the job's parent) went away with the connection.
    connect(job, &QObject::destroyed, this, [this, what = job->description()] {
        const QString text = QStringLiteral("The %1 is out of sight: the connection to the cluster was replaced").arg(what);
        Q_EMIT outcome(Severity::Warning, text);
        Q_EMIT finished(false, text);
    });
}

void OperationRunner::handleResult()
{
    ReloadJob *job = m_job;
    if (!job)
        return;
    m_job.clear();
    disconnect(job, nullptr, this, nullptr);
    job->deleteLater();
    const ReloadJob::Error error = job->error();
    const QString text = error == ReloadJob::Error::NoError
        ? successText(job)
        : QStringLiteral("%1: %2").arg(headingOf(error), job->errorText());
    Q_EMIT outcome(severityOf(error), text);
    Q_EMIT finished(error == ReloadJob::Error::NoError, text);
    if (error == ReloadJob::Error::NoError && job->isDryRun())
        Q_EMIT planned(job->plan());
}

void OperationRunner::abandon()
{
    if (!m_job)
        return;
    ReloadJob *job = m_job;
    m_job.clear();
    disconnect(job, nullptr, this, nullptr);
    const QString text = QStringLiteral("The %1 is out of sight (%2): see the cluster's state when it is back").arg(job->description(), job->position());
    job->deleteLater();
    Q_EMIT outcome(Severity::Warning, text);
    Q_EMIT finished(false, text);
}

bool OperationRunner::isRunning() const
{
    return m_job && m_job->state() == ReloadJob::State::Running;
}

QString OperationRunner::description() const
{
    return m_job ? m_job->description() : QString();
}

ReloadJob::Operation OperationRunner::operation() const
{
    return m_job ? m_job->operation() : ReloadJob::Operation::Reload;
}

QString OperationRunner::progressText() const
{
    const QString what = capitalized(m_job->description());
    if (m_job->state() != ReloadJob::State::Running)
        return m_job->sawEarlierReload() ? QStringLiteral("%1: waiting for the reload under way").arg(what)
                                         : QStringLiteral("%1: asked the master").arg(what);
    if (m_job->operation() == ReloadJob::Operation::Restart)
        return QStringLiteral("%1: %2 of %3 replaced").arg(what).arg(m_job->completedSteps()).arg(m_job->steps());
    return QStringLiteral("%1: %2 of %3 done").arg(what).arg(m_job->completedSteps()).arg(m_job->steps());
}

QString OperationRunner::successText(const ReloadJob *job) const
{
    const QString seconds = QString::number(double(job->durationMs()) / 1000, 'f', 1);
    const QString target = job->pid() > 0 ? QStringLiteral("process %1").arg(job->pid())
        : job->group().isEmpty()          ? QStringLiteral("the cluster")
                                          : QStringLiteral("group %1").arg(job->group());
    switch (job->operation()) {
    case ReloadJob::Operation::Restart:
        return job->durationMs() > 0 ? QStringLiteral("Restarted %1: %2 processes in %3 s").arg(target).arg(job->steps()).arg(seconds)
                                     : QStringLiteral("Restarted %1: %2 processes").arg(target).arg(job->steps());
    case ReloadJob::Operation::StopGroup:
        return QStringLiteral("Stopped %1: it stays stopped until it is started again").arg(target);
    case ReloadJob::Operation::StartGroup:
        return QStringLiteral("Started %1").arg(target);
    case ReloadJob::Operation::Scale:
        return QStringLiteral("Scaled %1 to %2 instances").arg(target).arg(job->instances());
    case ReloadJob::Operation::Update:
        return job->isDryRun() ? QStringLiteral("Planned the update from the cluster file: %1").arg(job->plan().join(QStringLiteral("; ")))
                               : QStringLiteral("Updated the spawn entries from the cluster file");
    case ReloadJob::Operation::Reload:
        break;
    }
    return QStringLiteral("Reloaded the cluster");
}
