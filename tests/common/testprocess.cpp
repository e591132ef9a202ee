// SPDX-License-Identifier: MIT
#include "testprocess.h"

#include "redisserver.h"

#include <QtCore/QDeadlineTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QTimer>

#include <cerrno>
#include <csignal>
#include <sys/prctl.h>

TestProcess::TestProcess(QObject *parent)
    : QObject(parent)
{
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &TestProcess::readOutput);
    connect(&m_process, &QProcess::readyReadStandardError, this, [this] {
        const QByteArray chunk = m_process.readAllStandardError();
        m_stderr += chunk;
        if (qEnvironmentVariableIsSet("CLUSTR_TEST_STDERR"))
            fprintf(stderr, "[%lld] %s", m_pid, chunk.constData());
    });
}

TestProcess::~TestProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool TestProcess::start(const QString &program, const QStringList &arguments, const QProcessEnvironment &environment)
{
    const QString path = program.contains(QLatin1Char('/')) ? program : buildBinary(program);
    m_process.setProcessEnvironment(environment);
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process.start(path, arguments);
    if (!m_process.waitForStarted(10000))
        return false;
    m_pid = m_process.processId();
    return waitForEvent(QStringLiteral("started")).has_value();
}

bool TestProcess::startWorker(const QStringList &arguments)
{
    return start(QStringLiteral("clustr-test-worker"), arguments)
        && waitForEvent(QStringLiteral("connected")).has_value();
}

void TestProcess::send(const QJsonObject &command)
{
    m_process.write(QJsonDocument(command).toJson(QJsonDocument::Compact) + '\n');
    // Written now, not when the event loop next runs: the test may wait on
    // another process next.
    m_process.waitForBytesWritten(5000);
}

void TestProcess::readOutput()
{
    const QByteArray chunk = m_process.readAllStandardOutput();
    m_stdoutAll += chunk;
    m_buffer += chunk;
    int newline;
    while ((newline = m_buffer.indexOf('\n')) >= 0) {
        QByteArray line = m_buffer.left(newline);
        m_buffer.remove(0, newline + 1);
        // Output of children comes forwarded as "[group pid] line", nested
        // once per generation: the innermost prefix names who printed it.
        QString group;
        qint64 from = 0;
        while (line.startsWith('[')) {
            const int close = line.indexOf("] ");
            const int space = line.lastIndexOf(' ', close);
            if (close < 0 || space < 0)
                break;
            group = QString::fromUtf8(line.mid(1, space - 1));
            from = line.mid(space + 1, close - space - 1).toLongLong();
            line = line.mid(close + 2);
        }
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (!doc.isObject())
            continue; // not one of ours: a library log line on stdout, say
        QJsonObject event = doc.object();
        if (from) {
            event.insert(QStringLiteral("_from"), double(from));
            event.insert(QStringLiteral("_group"), group);
        }
        m_events.append(event);
        Q_EMIT eventRecorded(event);
    }
}

QList<QJsonObject> TestProcess::events(const QString &event, const Predicate &predicate) const
{
    QList<QJsonObject> result;
    for (const QJsonObject &e : m_events) {
        if (e.value(QStringLiteral("event")).toString() == event && (!predicate || predicate(e)))
            result.append(e);
    }
    return result;
}

std::optional<QJsonObject> TestProcess::waitForEvent(const QString &event, const Predicate &predicate, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        const auto found = events(event, predicate);
        if (!found.isEmpty())
            return found.constFirst();
        if (deadline.hasExpired() || m_process.state() == QProcess::NotRunning) {
            // A last read: the process may have printed it right before exiting.
            readOutput();
            const auto late = events(event, predicate);
            if (!late.isEmpty())
                return late.constFirst();
            return std::nullopt;
        }
        QEventLoop loop;
        QTimer timer;
        timer.setSingleShot(true);
        connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
        connect(this, &TestProcess::eventRecorded, &loop, &QEventLoop::quit);
        connect(&m_process, &QProcess::finished, &loop, &QEventLoop::quit);
        timer.start(int(std::max<qint64>(1, deadline.remainingTime())));
        loop.exec();
    }
}

bool TestProcess::sync(int timeoutMs)
{
    const int id = ++m_syncCounter;
    send({{QStringLiteral("cmd"), QStringLiteral("ping")}, {QStringLiteral("id"), id}});
    return waitForEvent(QStringLiteral("pong"), [id](const QJsonObject &e) {
        return e.value(QStringLiteral("id")).toInt() == id;
    }, timeoutMs).has_value();
}

QJsonObject TestProcess::stats()
{
    const int before = count(QStringLiteral("stats"));
    send({{QStringLiteral("cmd"), QStringLiteral("stats")}});
    QDeadlineTimer deadline(10000);
    while (count(QStringLiteral("stats")) == before && !deadline.hasExpired()) {
        if (!waitForEvent(QStringLiteral("stats"), [&](const QJsonObject &) { return count(QStringLiteral("stats")) > before; },
                          int(deadline.remainingTime())))
            break;
    }
    const auto all = events(QStringLiteral("stats"));
    return all.isEmpty() ? QJsonObject() : all.constLast().value(QStringLiteral("stats")).toObject();
}

bool TestProcess::waitForFinished(int timeoutMs)
{
    if (m_process.state() == QProcess::NotRunning)
        return true;
    // An event loop, not QProcess::waitForFinished(): other processes'
    // output and the test's own objects keep being served meanwhile.
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    connect(&m_process, &QProcess::finished, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    if (m_process.state() != QProcess::NotRunning)
        loop.exec();
    readOutput();
    return m_process.state() == QProcess::NotRunning;
}

void TestProcess::signal(int signum)
{
    if (m_pid > 0)
        ::kill(pid_t(m_pid), signum);
}

TestProcess::Predicate ownEvents(const TestProcess::Predicate &also)
{
    return [also](const QJsonObject &e) { return !e.contains(QStringLiteral("_from")) && (!also || also(e)); };
}

QJsonObject testWorkerEntry(const QString &file, const QString &group, int instances)
{
    QJsonObject entry{{QStringLiteral("file"), file},
                      {QStringLiteral("instances"), instances},
                      {QStringLiteral("args"), QJsonObject{{QStringLiteral("group"), group},
                                                           {QStringLiteral("no-stdin"), true},
                                                           {QStringLiteral("ready"), true}}}};
    if (file.contains(u'/'))
        entry.insert(QStringLiteral("group"), group);
    return entry;
}

TestProcess::Predicate fromWorker(qint64 pid, const TestProcess::Predicate &also)
{
    return [pid, also](const QJsonObject &e) {
        return qint64(e.value(QStringLiteral("_from")).toDouble()) == pid && (!also || also(e));
    };
}

TestProcess::Predicate withData(const QString &data)
{
    return [data](const QJsonObject &e) { return e.value(QStringLiteral("data")).toString() == data; };
}

QSet<qint64> registeredPids(const TestProcess &master)
{
    QSet<qint64> pids;
    for (const QJsonObject &e : master.events(QStringLiteral("registered"), ownEvents()))
        pids.insert(qint64(e.value(QStringLiteral("pid")).toDouble()));
    for (const QJsonObject &e : master.events(QStringLiteral("deregistered"), ownEvents()))
        pids.remove(qint64(e.value(QStringLiteral("pid")).toDouble()));
    return pids;
}

bool processGone(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return true;
    // Field 3 is the state; Z (zombie) is dead but not yet reaped.
    const QByteArray line = status.readAll();
    const int close = line.lastIndexOf(')');
    return close < 0 || line.mid(close + 2, 1) == "Z";
}

bool processReaped(qint64 pid)
{
    // A zombie still answers kill(pid, 0); only a reaped pid is unknown.
    return ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
}
