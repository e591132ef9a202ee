// SPDX-License-Identifier: MIT
#include "reloadprogress.h"

#include "cli.h"
#include "controlsession.h"

#include "supervision/unixsignals_p.h"

#include <QtCore/QEventLoop>
#include <QtCore/QTimer>

#include <csignal>
#include <optional>
#include <cstdio>
#include <unistd.h>

namespace ControlCommands {

namespace {

// A master answers a reload request at once (or queues it behind a running
// reload, which we can see): silence for this long means it did not hear it.
constexpr int StartTimeoutMs = 5000;
constexpr int RedisLostTimeoutMs = 5000;
constexpr int BarWidth = 20;

qint64 pidOf(const QJsonObject &event, const char *key)
{
    return qint64(event.value(QLatin1String(key)).toDouble());
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
    const int filled = m_steps > 0 ? m_done * BarWidth / m_steps : BarWidth;
    // \r and "erase to the end of the line": the previous, longer detail must not show through.
    return QStringLiteral("\rreloading [%1%2] %3/%4  %5\x1b[K")
        .arg(QString(filled, QLatin1Char('#')), QString(BarWidth - filled, QLatin1Char('-')))
        .arg(m_current)
        .arg(m_steps)
        .arg(detail);
}

QString ReloadProgress::endLine() const
{
    return m_terminal && m_lineOpen ? QStringLiteral("\n") : QString();
}

QString ReloadProgress::position() const
{
    if (!m_started)
        return QStringLiteral("it had not started");
    if (m_current == 0)
        return QStringLiteral("before the first of %1 steps").arg(m_steps);
    return QStringLiteral("at step %1/%2").arg(m_current).arg(m_steps);
}

QString ReloadProgress::handle(const QJsonObject &event)
{
    const QString name = event.value(QStringLiteral("event")).toString();
    if (!m_started) {
        if (name == QLatin1String("reloadStarted")) {
            m_started = true;
            m_steps = event.value(QStringLiteral("steps")).toInt();
            if (m_terminal) {
                m_lineOpen = true;
                return bar(m_steps == 0 ? QStringLiteral("nothing to replace") : QString());
            }
            return QStringLiteral("reload started: %1 step%2\n").arg(m_steps).arg(m_steps == 1 ? QLatin1String() : QLatin1String("s"));
        }
        if (name == QLatin1String("reloadStep") || name == QLatin1String("clusterReloaded"))
            m_sawEarlier = true;
        return QString();
    }
    if (m_finished)
        return QString();

    if (name == QLatin1String("reloadStep")) {
        const QString phase = event.value(QStringLiteral("phase")).toString();
        m_current = event.value(QStringLiteral("step")).toInt();
        m_steps = std::max(m_steps, event.value(QStringLiteral("steps")).toInt());
        const QString step = QStringLiteral("step %1/%2: ").arg(m_current).arg(m_steps);
        const qint64 oldPid = pidOf(event, "oldPid");
        QString detail;
        QString lasting; // a line that stays, also on a terminal
        if (phase == QLatin1String("started")) {
            detail = QStringLiteral("replacing %1 (%2)").arg(oldPid).arg(event.value(QStringLiteral("group")).toString());
        } else if (phase == QLatin1String("finished")) {
            ++m_done;
            detail = QStringLiteral("%1 -> %2").arg(oldPid).arg(pidOf(event, "newPid"));
            if (m_terminal)
                detail = QStringLiteral("%1 \u2192 %2").arg(oldPid).arg(pidOf(event, "newPid"));
        } else if (phase == QLatin1String("skipped")) {
            ++m_done;
            detail = QStringLiteral("%1 was gone, skipped").arg(oldPid);
        } else if (phase == QLatin1String("timedOut")) {
            ++m_done;
            const QString reason = QStringLiteral("no replacement of %1 (%2) became ready in time")
                                       .arg(oldPid)
                                       .arg(event.value(QStringLiteral("group")).toString());
            m_failures.append(step + reason);
            detail = QStringLiteral("timed out: ") + reason;
            lasting = step + detail;
        } else {
            return QString();
        }
        if (!m_terminal)
            return step + detail + QLatin1Char('\n');
        QString out;
        if (!lasting.isEmpty())
            out = QStringLiteral("\r\x1b[K") + lasting + QLatin1Char('\n');
        m_lineOpen = true;
        return out + bar(detail);
    }
    if (name == QLatin1String("clusterReloaded")) {
        m_finished = true;
        const int workers = event.value(QStringLiteral("workers")).toInt();
        const qint64 ms = qint64(event.value(QStringLiteral("durationMs")).toDouble());
        const QString summary = QStringLiteral("reloaded: %1 worker%2 in %3\n")
                                    .arg(workers)
                                    .arg(workers == 1 ? QLatin1String() : QLatin1String("s"))
                                    .arg(ms < 1000 ? QStringLiteral("%1 ms").arg(ms) : QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', 1));
        if (!m_terminal)
            return summary;
        m_done = m_steps;
        m_current = m_steps;
        const QString full = bar(QStringLiteral("done")) + QLatin1Char('\n');
        m_lineOpen = false;
        return full + summary;
    }
    return QString();
}

int reloadCommand(Session &session, bool noWait, int timeoutSeconds)
{
    Clustr::ClusterClient &client = session.client();
    const qint64 masterPid = client.masterPid();
    if (noWait) {
        if (!client.reload() || !session.waitUntilWritten()) {
            Cli::err(QStringLiteral("Redis at %1 did not take the reload request").arg(session.displayUrl()));
            return Cli::Failed;
        }
        Cli::out(QStringLiteral("reload requested from the master (pid %1) of %2").arg(masterPid).arg(session.clusterLabel()));
        return Cli::Ok;
    }
    if (!session.waitForEvents())
        return Cli::Failed;
    if (client.master().value(QStringLiteral("state")).toString() == QLatin1String("reloading"))
        Cli::err(QStringLiteral("a reload is running; this one follows when it is done"));

    // Everything is in place before the request goes out: the master answers
    // within milliseconds, and an event nobody listens to is lost.
    ReloadProgress progress(::isatty(STDOUT_FILENO) == 1);
    QEventLoop loop;
    std::optional<int> result;
    QString failure;
    auto finish = [&](int code) {
        if (result)
            return;
        result = code;
        loop.exit(code);
    };
    auto fail = [&](const QString &reason) {
        if (result)
            return;
        failure = reason;
        finish(Cli::Failed);
    };

    QTimer startTimer;
    startTimer.setSingleShot(true);
    QObject::connect(&startTimer, &QTimer::timeout, &loop, [&] {
        if (!progress.hasStarted())
            fail(QStringLiteral("the master (pid %1) did not start a reload within %2 s").arg(masterPid).arg(StartTimeoutMs / 1000));
    });

    QTimer overall;
    overall.setSingleShot(true);
    QObject::connect(&overall, &QTimer::timeout, &loop, [&] {
        fail(QStringLiteral("the reload did not finish within %1 s (%2)").arg(timeoutSeconds).arg(progress.position()));
    });

    QObject::connect(&client, &Clustr::ClusterClient::eventReceived, &loop, [&](const QJsonObject &event) {
        if (result)
            return;
        write(progress.handle(event));
        // A reload queued behind a running one starts when that one is done:
        // as long as that one makes progress, ours is not lost.
        if (!progress.hasStarted() && progress.sawEarlierReload())
            startTimer.start(StartTimeoutMs);
        const QString name = event.value(QStringLiteral("event")).toString();
        if (name == QLatin1String("stopping"))
            fail(QStringLiteral("the cluster is stopping (exit code %1); the reload is abandoned (%2)")
                     .arg(event.value(QStringLiteral("code")).toInt())
                     .arg(progress.position()));
        else if (progress.isFinished())
            finish(progress.failures().isEmpty() ? Cli::Ok : Cli::Failed);
    });
    auto checkMaster = [&] {
        if (!client.isClusterRunning() || client.masterPid() != masterPid)
            fail(QStringLiteral("the master (pid %1) went away during the reload (%2)").arg(masterPid).arg(progress.position()));
    };
    QObject::connect(&client, &Clustr::ClusterClient::clusterRunningChanged, &loop, checkMaster);
    QObject::connect(&client, &Clustr::ClusterClient::masterChanged, &loop, checkMaster);
    // A master killed outright leaves its announcement for a few seconds;
    // on this machine its pid tells at once.
    QTimer processCheck;
    if (session.isMasterLocal()) {
        QObject::connect(&processCheck, &QTimer::timeout, &loop, [&] {
            if (Session::processGone(masterPid))
                fail(QStringLiteral("the master (pid %1) went away during the reload (%2)").arg(masterPid).arg(progress.position()));
        });
    }
    // Without Redis nothing can be followed (and the client keeps showing the
    // last state it saw): a short outage is waited out, a long one ends it.
    QTimer redisLost;
    redisLost.setSingleShot(true);
    QObject::connect(&redisLost, &QTimer::timeout, &loop, [&] {
        fail(QStringLiteral("lost Redis at %1 for %2 s during the reload (%3)")
                 .arg(session.displayUrl()).arg(RedisLostTimeoutMs / 1000).arg(progress.position()));
    });
    QObject::connect(&client, &Clustr::ClusterClient::connectedChanged, &loop, [&](bool connected) {
        if (connected)
            redisLost.stop();
        else
            redisLost.start(RedisLostTimeoutMs);
    });

    // Ctrl-C stops following, not the reload: say so, and leave the terminal tidy.
    Clustr::UnixSignalWatcher unixSignals;
    unixSignals.watch(SIGINT);
    unixSignals.watch(SIGTERM);
    QObject::connect(&unixSignals, &Clustr::UnixSignalWatcher::signalReceived, &loop, [&](int signum) {
        if (result)
            return;
        write(progress.endLine());
        Cli::err(QStringLiteral("stopped following the reload (%1); the master goes on with it").arg(progress.position()));
        finish(128 + signum);
    });

    if (!client.reload()) {
        Cli::err(QStringLiteral("no master to ask for a reload"));
        return Cli::Failed;
    }
    startTimer.start(StartTimeoutMs);
    overall.start(std::chrono::seconds(timeoutSeconds));
    if (session.isMasterLocal())
        processCheck.start(250);
    if (!session.waitUntilWritten()) // the events that come meanwhile are handled above
        fail(QStringLiteral("Redis at %1 did not take the reload request").arg(session.displayUrl()));
    if (!result)
        loop.exec();

    if (!failure.isEmpty()) {
        write(progress.endLine());
        Cli::err(failure);
    } else if (*result == Cli::Failed && !progress.failures().isEmpty()) {
        Cli::err(QStringLiteral("the reload finished, but %1 of its steps timed out: %2")
                     .arg(progress.failures().size())
                     .arg(progress.failures().join(QStringLiteral("; "))));
    }
    return *result;
}

} // namespace ControlCommands
