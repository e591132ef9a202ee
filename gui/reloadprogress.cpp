// SPDX-License-Identifier: MIT
#include "reloadprogress.h"

#include <ClustrQt/clusterclient.h>
#include <ClustrQt/reloadjob.h>

using Clustr::ClusterClient;
using Clustr::MasterInfo;
using Clustr::ReloadJob;

ReloadProgress::ReloadProgress(QObject *parent)
    : QObject(parent)
{
}

ReloadProgress::~ReloadProgress() = default;

void ReloadProgress::setClient(ClusterClient *client)
{
    if (m_client)
        disconnect(m_client, nullptr, this, nullptr);
    m_job.reset();
    m_following = false;
    m_client = client;
    if (!client)
        return;
    // The job must never outlive its client (it keeps a plain pointer).
    connect(client, &QObject::destroyed, this, [this] {
        m_job.reset();
        m_following = false;
    });
    connect(client, &ClusterClient::refreshed, this, &ReloadProgress::followWhenCaughtUp);
    // A new client knows no announcement yet: nothing stale to mistake for a reload.
    follow();
}

void ReloadProgress::createJob()
{
    m_job = std::make_unique<ReloadJob>(m_client.data());
    ReloadJob *job = m_job.get();
    connect(job, &ReloadJob::started, this, &ReloadProgress::handleStarted);
    connect(job, &ReloadJob::stepStarted, this, [this](int step, int steps, qint64 oldPid) {
        report(QStringLiteral("Reloading: step %1 of %2, replacing %3").arg(step).arg(steps).arg(oldPid));
    });
    auto stepOver = [this](int, int steps) {
        report(QStringLiteral("Reloading: %1 of %2 replaced").arg(m_job->completedSteps()).arg(steps));
    };
    connect(job, &ReloadJob::stepFinished, this, stepOver);
    connect(job, &ReloadJob::stepTimedOut, this, stepOver);
    connect(job, &ReloadJob::result, this, &ReloadProgress::handleResult);
}

void ReloadProgress::follow()
{
    if (!m_client)
        return;
    if (!m_job)
        createJob();
    m_following = true;
    m_abandoned = false;
    m_job->follow();
}

/*
  The client's announcement is up to one read old. Right after a reload
  ended it still says "reloading", and a job told to follow() then would
  take that for a reload under way, one whose end never comes. So the job
  follows again only once a read shows an announcement written after the
  end (the master announces at once when a reload finishes).
*/
void ReloadProgress::followWhenCaughtUp()
{
    if (m_following || !m_client || !m_client->isConnected() || !m_client->isClusterRunning())
        return;
    if (announcementCaughtUp(m_client->master()))
        follow();
}

bool ReloadProgress::announcementCaughtUp(const MasterInfo &master) const
{
    if (master.pid() != m_endedAt.pid() || master.state() != MasterInfo::State::Reloading
        || master.reloadCount() != m_endedAt.reloadCount())
        return true;
    // Abandoned while out of sight, the reload may well go on: a step further is news.
    return m_abandoned && master.reloadStep() != m_endedAt.reloadStep();
}

void ReloadProgress::stopFollowing()
{
    m_following = false;
    m_active = false;
    m_endedAt = m_client ? m_client->master() : MasterInfo();
}

void ReloadProgress::handleStarted(int steps)
{
    m_active = true;
    Q_EMIT started(steps);
    const int current = m_job->currentStep();
    report(current > 0 ? QStringLiteral("Reloading: step %1 of %2").arg(current).arg(steps) // found under way
                       : QStringLiteral("Reloading: %1 workers to replace").arg(steps));
}

void ReloadProgress::handleResult()
{
    stopFollowing();
    const ReloadJob::Error error = m_job->error();
    if (error != ReloadJob::Error::NoError && error != ReloadJob::Error::StepsTimedOut) {
        // Stopping, the master or Redis gone: the reload did not finish.
        m_completed = m_job->completedSteps();
        m_steps = m_job->steps();
        m_text = interruptedText();
        Q_EMIT finished(false, m_text);
        return;
    }
    const qsizetype timedOut = m_job->failures().size();
    // The activity log lists each of them (reloadExcluded events); the bar counts them.
    const qsizetype excluded = m_job->excluded().size();
    report(QStringLiteral("Reloaded %1 workers in %2 s%3%4")
               .arg(m_job->workerCount())
               .arg(double(m_job->durationMs()) / 1000, 0, 'f', 1)
               .arg(timedOut ? QStringLiteral(" (%1 steps timed out)").arg(timedOut) : QString())
               .arg(excluded ? QStringLiteral("; %1 processes no step of their own (see the log)").arg(excluded) : QString()));
    Q_EMIT finished(timedOut == 0, m_text);
}

void ReloadProgress::abandon()
{
    if (!m_active)
        return;
    // A job cannot be told to stop following: this one goes, a new one follows later.
    m_job.reset();
    stopFollowing();
    m_abandoned = true;
    m_text = interruptedText();
    Q_EMIT finished(false, m_text);
}

void ReloadProgress::report(const QString &text)
{
    m_text = text;
    m_percent = m_job->percent();
    m_completed = m_job->completedSteps();
    m_steps = m_job->steps();
    Q_EMIT progressChanged(m_percent, m_text);
}

QString ReloadProgress::interruptedText() const
{
    return QStringLiteral("Reload interrupted after %1 of %2 steps").arg(m_completed).arg(m_steps);
}
