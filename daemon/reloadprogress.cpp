// SPDX-License-Identifier: MIT
#include "reloadprogress.h"

#include "cli.h"
#include "controlsession.h"

#include <ClustrQt/clusterclient.h>
#include <ClustrQt/reloadjob.h>
#include <ClustrQt/unixsignalwatcher.h>

#include <QtCore/QEventLoop>
#include <QtCore/QTimer>

#include <csignal>
#include <cstdio>
#include <optional>
#include <unistd.h>

namespace ControlCommands {

namespace {

// A master answers a reload request at once (or queues it behind a running
// reload, which the job sees): silence for this long means it did not hear it.
constexpr std::chrono::milliseconds StartTimeout{5000};
constexpr std::chrono::milliseconds RedisLostTimeout{5000};
constexpr int BarWidth = 20;

// The bar's word: "reloading [####----] 1/2".
QString verb(Clustr::ReloadJob::Operation operation)
{
    using Operation = Clustr::ReloadJob::Operation;
    switch (operation) {
    case Operation::Reload: return QStringLiteral("reloading");
    case Operation::Restart: return QStringLiteral("restarting");
    case Operation::StopGroup: return QStringLiteral("stopping");
    case Operation::StartGroup: return QStringLiteral("starting");
    case Operation::Scale: return QStringLiteral("scaling");
    case Operation::Update: return QStringLiteral("updating");
    }
    return QString();
}

void write(const QString &text)
{
    if (text.isEmpty())
        return;
    const QByteArray bytes = text.toUtf8();
    fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    fflush(stdout);
}

} // namespace

QString ReloadProgress::bar(const QString &detail) const
{
    const int steps = m_job->steps();
    const int filled = steps > 0 ? m_job->completedSteps() * BarWidth / steps : BarWidth;
    // \r and "erase to the end of the line": the previous, longer detail must not show through.
    return QStringLiteral("\r%1 [%2%3] %4/%5  %6\x1b[K")
        .arg(verb(m_job->operation()), QString(filled, QLatin1Char('#')), QString(BarWidth - filled, QLatin1Char('-')))
        .arg(m_job->currentStep())
        .arg(steps)
        .arg(detail);
}

QString ReloadProgress::endLine() const
{
    return m_terminal && m_lineOpen ? QStringLiteral("\n") : QString();
}

QString ReloadProgress::started(int steps)
{
    if (m_job->isDryRun())
        return QString(); // the plan is all there is
    if (m_terminal) {
        m_lineOpen = true;
        return bar(steps == 0 ? QStringLiteral("nothing to replace") : QString());
    }
    return QStringLiteral("%1 started: %2\n").arg(m_job->description(), Cli::count(steps, "step", "steps"));
}

QString ReloadProgress::planned(const QStringList &plan)
{
    QString text = endLine() + (m_job->isDryRun() ? QStringLiteral("the update would change:\n") : QStringLiteral("the update changes:\n"));
    for (const QString &line : plan)
        text += QStringLiteral("  %1\n").arg(line);
    if (m_lineOpen)
        text += bar(QString()); // the bar goes on below the plan
    return text;
}

QString ReloadProgress::progressed(int completed, int steps)
{
    if (m_job->isDryRun())
        return QString();
    if (m_job->operation() == Clustr::ReloadJob::Operation::Reload || m_job->operation() == Clustr::ReloadJob::Operation::Restart)
        return QString(); // their steps say it
    if (m_terminal)
        return bar(QString());
    return QStringLiteral("%1/%2 done\n").arg(completed).arg(steps);
}

QString ReloadProgress::line(int step, int steps, const QString &detail, bool lasting)
{
    const QString prefix = QStringLiteral("step %1/%2: ").arg(step).arg(steps);
    if (!m_terminal)
        return prefix + detail + QLatin1Char('\n');
    QString out;
    if (lasting) // a line that stays, also on a terminal
        out = QStringLiteral("\r\x1b[K") + prefix + detail + QLatin1Char('\n');
    m_lineOpen = true;
    return out + bar(detail);
}

QString ReloadProgress::stepStarted(int step, int steps, qint64 oldPid, const QString &group)
{
    return line(step, steps, QStringLiteral("replacing %1 (%2)").arg(oldPid).arg(group), false);
}

QString ReloadProgress::stepFinished(int step, int steps, qint64 oldPid, qint64 newPid)
{
    if (newPid == 0)
        return line(step, steps, QStringLiteral("%1 was gone, skipped").arg(oldPid), false);
    const QString arrow = m_terminal ? QStringLiteral(" \u2192 ") : QStringLiteral(" -> ");
    return line(step, steps, QString::number(oldPid) + arrow + QString::number(newPid), false);
}

QString ReloadProgress::stepTimedOut(int step, int steps, qint64 oldPid, const QString &group)
{
    return line(step, steps,
                QStringLiteral("timed out: no replacement of %1 (%2) became ready in time").arg(oldPid).arg(group), true);
}

QString ReloadProgress::finished()
{
    using Operation = Clustr::ReloadJob::Operation;
    const qint64 ms = m_job->durationMs();
    const QString took = ms < 1000 ? QStringLiteral("%1 ms").arg(ms) : QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', 1);
    const QString group = m_job->group();
    QString summary;
    switch (m_job->operation()) {
    case Operation::Reload:
        summary = QStringLiteral("reloaded: %1 in %2\n").arg(Cli::count(m_job->workerCount(), "worker", "workers"), took);
        break;
    case Operation::Restart:
        summary = QStringLiteral("restarted: %1 in %2\n").arg(Cli::count(m_job->steps(), "process", "processes"), took);
        break;
    case Operation::StopGroup:
        summary = QStringLiteral("stopped group %1: it stays stopped until clustr-qt start %1\n").arg(group);
        break;
    case Operation::StartGroup:
        summary = QStringLiteral("started group %1\n").arg(group);
        break;
    case Operation::Scale:
        summary = QStringLiteral("scaled group %1 to %2\n").arg(group, Cli::count(m_job->instances(), "instance", "instances"));
        break;
    case Operation::Update:
        if (m_job->isDryRun())
            return QStringLiteral("dry run: nothing was changed (clustr-qt reload --config applies it)\n");
        summary = QStringLiteral("updated the spawn entries\n");
        break;
    }
    // "reloaded: N workers" must not hide what was left alone, or replaced only with its parent.
    const QStringList excluded = m_job->excluded();
    for (const QString &process : excluded)
        summary += QStringLiteral("  no step of its own: %1\n").arg(process);
    if (!m_terminal)
        return summary;
    const QString full = bar(QStringLiteral("done")) + QLatin1Char('\n');
    m_lineOpen = false;
    return full + summary;
}

namespace {

// --no-wait: the request is written, the master is trusted to act on it.
int requestReload(Session &session)
{
    Clustr::ClusterClient &client = session.client();
    if (!client.reload() || !session.waitUntilWritten()) {
        Cli::err(QStringLiteral("Redis at %1 did not take the reload request").arg(session.displayUrl()));
        return Cli::Failed;
    }
    if (const int refused = session.reportRefusal(); refused != Cli::Ok)
        return refused;
    Cli::out(QStringLiteral("reload requested from the master (pid %1) of %2").arg(client.masterPid()).arg(session.clusterLabel()));
    return Cli::Ok;
}

// How following ends: the first of the job's result, the master going away
// and Ctrl-C decides the exit code; later ones are ignored.
class Outcome
{
public:
    void finish(int code, const QString &reason = QString())
    {
        if (m_code)
            return;
        m_failure = reason;
        m_code = code;
        m_loop.exit(code);
    }
    bool isDecided() const { return m_code.has_value(); }
    QEventLoop *loop() { return &m_loop; }
    int wait(ReloadProgress &progress)
    {
        if (!m_code)
            m_loop.exec();
        if (!m_failure.isEmpty()) {
            write(progress.endLine());
            Cli::err(m_failure);
        }
        return *m_code;
    }

private:
    QEventLoop m_loop;
    std::optional<int> m_code;
    QString m_failure;
};

void printSteps(Clustr::ReloadJob &job, ReloadProgress &progress, QObject *context)
{
    QObject::connect(&job, &Clustr::ReloadJob::planReceived, context, [&](const QStringList &plan) { write(progress.planned(plan)); });
    QObject::connect(&job, &Clustr::ReloadJob::started, context, [&](int steps) { write(progress.started(steps)); });
    QObject::connect(&job, &Clustr::ReloadJob::stepStarted, context, [&](int step, int steps, qint64 oldPid, const QString &group) {
        write(progress.stepStarted(step, steps, oldPid, group));
    });
    QObject::connect(&job, &Clustr::ReloadJob::stepFinished, context, [&](int step, int steps, qint64 oldPid, qint64 newPid) {
        write(progress.stepFinished(step, steps, oldPid, newPid));
    });
    QObject::connect(&job, &Clustr::ReloadJob::stepTimedOut, context, [&](int step, int steps, qint64 oldPid, const QString &group) {
        write(progress.stepTimedOut(step, steps, oldPid, group));
    });
    QObject::connect(&job, &Clustr::ReloadJob::progressChanged, context, [&](int completed, int steps) {
        if (job.state() == Clustr::ReloadJob::State::Running)
            write(progress.progressed(completed, steps));
    });
}

void finishOnResult(Clustr::ReloadJob &job, ReloadProgress &progress, Session &session, Outcome &outcome)
{
    QObject::connect(&job, &Clustr::ReloadJob::result, outcome.loop(), [&] {
        using Error = Clustr::ReloadJob::Error;
        if (job.error() == Error::NoError || job.error() == Error::StepsTimedOut)
            write(progress.finished());
        const bool isReload = job.operation() == Clustr::ReloadJob::Operation::Reload;
        if (job.error() == Error::NoError)
            outcome.finish(Cli::Ok);
        else if (job.error() == Error::NoSuchTarget)
            outcome.finish(Cli::NoSuchTarget, job.errorText());
        else if (job.error() == Error::NothingToDo)
            outcome.finish(Cli::NothingToDo, job.errorText());
        else if (job.error() == Error::Timeout && !isReload) // a reload's timeout stays 1, as it always was
            outcome.finish(Cli::TimedOut, job.errorText());
        else if (job.error() == Error::Refused)
            outcome.finish(Cli::PermissionDenied, job.errorText());
        else if (job.error() == Error::RedisLost)
            outcome.finish(Cli::Failed, QStringLiteral("lost Redis at %1 for %2 s during the %3 (%4)")
                                            .arg(session.displayUrl()).arg(RedisLostTimeout.count() / 1000).arg(job.description(), job.position()));
        else
            outcome.finish(Cli::Failed, job.errorText());
    });
}

// A master killed outright leaves its announcement for a few seconds; on
// this machine its pid tells at once.
void finishIfMasterGoes(QTimer &check, qint64 masterPid, const Clustr::ReloadJob &job, Outcome &outcome)
{
    QObject::connect(&check, &QTimer::timeout, outcome.loop(), [&, masterPid] {
        if (Session::processGone(masterPid))
            outcome.finish(Cli::Failed,
                           QStringLiteral("the master (pid %1) went away during the %2 (%3)").arg(masterPid).arg(job.description(), job.position()));
    });
    check.start(250);
}

// Ctrl-C stops following, not the reload: say so, and leave the terminal tidy.
void finishOnInterrupt(Clustr::UnixSignalWatcher &unixSignals, const Clustr::ReloadJob &job, ReloadProgress &progress,
                       Outcome &outcome)
{
    unixSignals.watch(SIGINT);
    unixSignals.watch(SIGTERM);
    QObject::connect(&unixSignals, &Clustr::UnixSignalWatcher::signalReceived, outcome.loop(), [&](int signum) {
        if (outcome.isDecided())
            return;
        write(progress.endLine());
        Cli::err(QStringLiteral("stopped following the %1 (%2); the master goes on with it").arg(job.description(), job.position()));
        outcome.finish(128 + signum);
    });
}

} // namespace

int reloadCommand(Session &session, bool noWait, int timeoutSeconds)
{
    if (noWait)
        return requestReload(session);
    Clustr::ReloadJob job(&session.client());
    return runJob(session, job, timeoutSeconds);
}

int runJob(Session &session, Clustr::ReloadJob &job, int timeoutSeconds)
{
    Clustr::ClusterClient &client = session.client();
    if (!session.waitForEvents())
        return Cli::Failed;
    if (client.master().state() == Clustr::MasterInfo::State::Reloading)
        Cli::err(job.operation() == Clustr::ReloadJob::Operation::Reload || job.operation() == Clustr::ReloadJob::Operation::Restart
                     ? QStringLiteral("a reload is running; this %1 follows when it is done").arg(job.description())
                     : QStringLiteral("a reload is running; the master may refuse the %1 until it is done").arg(job.description()));

    job.setStartTimeout(StartTimeout);
    job.setTimeout(std::chrono::seconds(timeoutSeconds));
    job.setRedisTimeout(RedisLostTimeout);
    ReloadProgress progress(&job, ::isatty(STDOUT_FILENO) == 1);
    Outcome outcome;
    printSteps(job, progress, outcome.loop());
    finishOnResult(job, progress, session, outcome);
    Clustr::UnixSignalWatcher unixSignals;
    finishOnInterrupt(unixSignals, job, progress, outcome);

    const qint64 masterPid = client.masterPid();
    if (!job.start()) {
        Cli::err(job.errorText());
        return Cli::Failed;
    }
    QTimer masterCheck;
    if (session.isMasterLocal())
        finishIfMasterGoes(masterCheck, masterPid, job, outcome);
    // Written, not waited for until received: the job's own time limits
    // (the master must start within 5 s) say it better, and the request is
    // published again meanwhile all the same.
    if (!session.waitUntilWritten(0)) // the events that come meanwhile are handled above
        outcome.finish(Cli::Failed, QStringLiteral("Redis at %1 did not take the %2 request").arg(session.displayUrl(), job.description()));
    else if (session.refusal() != Cli::Ok)
        outcome.finish(session.refusal(), session.refusalText());
    return outcome.wait(progress);
}

} // namespace ControlCommands
