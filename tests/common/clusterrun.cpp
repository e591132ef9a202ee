// SPDX-License-Identifier: MIT
#include "clusterrun.h"

#include "redisserver.h"
#include "testprocess.h"

#include <QtCore/QDir>
#include <QtCore/QFile>

#include <csignal>

#include <sys/prctl.h>

namespace {

// The arguments of a running process, or nothing if it is gone.
QList<QByteArray> commandLineOf(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/cmdline").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray data = file.readAll();
    if (data.endsWith('\0'))
        data.chop(1);
    return data.split('\0');
}

} // namespace

ClusterRun::ClusterRun(QObject *parent)
    : QObject(parent)
{
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &ClusterRun::readStandardOutput);
    connect(&m_process, &QProcess::readyReadStandardError, this, [this] {
        const QByteArray chunk = m_process.readAllStandardError();
        m_stderr += chunk;
        if (qEnvironmentVariableIsSet("CLUSTR_TEST_STDERR"))
            fprintf(stderr, "[%lld stderr] %s", m_pid, chunk.constData());
    });
}

ClusterRun::~ClusterRun()
{
    killTree();
}

bool ClusterRun::start(const QString &program, const QStringList &arguments)
{
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process.start(buildBinary(program), arguments);
    if (!m_process.waitForStarted(10000))
        return false;
    m_pid = m_process.processId();
    return true;
}

void ClusterRun::readStandardOutput()
{
    m_partial += m_process.readAllStandardOutput();
    qsizetype newline;
    while ((newline = m_partial.indexOf('\n')) >= 0) {
        const QString line = QString::fromUtf8(m_partial.left(newline));
        m_partial.remove(0, newline + 1);
        m_lines.append(line);
        if (qEnvironmentVariableIsSet("CLUSTR_TEST_STDERR"))
            fprintf(stderr, "[%lld] %s\n", m_pid, qPrintable(line));
    }
}

QList<QRegularExpressionMatch> ClusterRun::matches(const QRegularExpression &pattern) const
{
    QList<QRegularExpressionMatch> result;
    for (const QString &line : m_lines) {
        QRegularExpressionMatch match = pattern.match(line);
        if (match.hasMatch())
            result.append(match);
    }
    return result;
}

QRegularExpressionMatch ClusterRun::waitForLine(const QRegularExpression &pattern, int timeoutMs)
{
    // The test may be generating load meanwhile (httpReloadUnderLoad).
    waitUnderLoad([&] { return !matches(pattern).isEmpty() || !isRunning(); }, timeoutMs);
    readStandardOutput(); // what an exiting master printed last
    const auto found = matches(pattern);
    return found.isEmpty() ? QRegularExpressionMatch() : found.constFirst();
}

void ClusterRun::signal(int signum)
{
    if (m_pid > 0 && isRunning())
        ::kill(pid_t(m_pid), signum);
}

bool ClusterRun::waitForExit(int timeoutMs)
{
    waitUnderLoad([this] { return !isRunning(); }, timeoutMs);
    readStandardOutput();
    return !isRunning();
}

QSet<qint64> ClusterRun::treePids() const
{
    // "[group pid] " prefixes, nested for grandchildren, and the master's
    // own "child <pid>" lines.
    static const QRegularExpression prefix(QStringLiteral(R"(\[[^\]\s]+ (\d+)\] )"));
    static const QRegularExpression child(QStringLiteral(R"(^master: child (\d+) )"));
    QSet<qint64> pids;
    if (m_pid > 0)
        pids.insert(m_pid);
    for (const QString &line : m_lines) {
        auto it = prefix.globalMatch(line);
        while (it.hasNext())
            pids.insert(it.next().captured(1).toLongLong());
        const auto match = child.match(line);
        if (match.hasMatch())
            pids.insert(match.captured(1).toLongLong());
    }
    return pids;
}

QList<qint64> ClusterRun::liveClusterProcesses() const
{
    QList<qint64> result;
    if (m_pid <= 0)
        return result;
    const QByteArray marker = "--cluster-master-pid=" + QByteArray::number(m_pid);
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        if (isPid && !processGone(pid) && commandLineOf(pid).contains(marker))
            result.append(pid);
    }
    return result;
}

void ClusterRun::killTree()
{
    if (m_pid <= 0)
        return;
    // Only processes that are certainly ours: the master, and whatever names
    // it as master or runs a program of build/bin (pids are reused).
    const QByteArray binDir = QDir(buildBinary(QString())).absolutePath().toUtf8();
    QList<qint64> victims = liveClusterProcesses();
    for (qint64 pid : treePids()) {
        const QList<QByteArray> args = commandLineOf(pid);
        for (const QByteArray &arg : args) {
            if (arg.startsWith(binDir)) {
                victims.append(pid);
                break;
            }
        }
    }
    if (isRunning()) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    for (qint64 pid : std::as_const(victims)) {
        if (pid != m_pid && !processGone(pid))
            ::kill(pid_t(pid), SIGKILL);
    }
}

QByteArray ClusterRun::transcript(int count) const
{
    QByteArray text = "--- output (last lines) ---\n";
    for (qsizetype i = qMax<qsizetype>(0, m_lines.size() - count); i < m_lines.size(); ++i)
        text += m_lines.at(i).toUtf8() + '\n';
    const QList<QByteArray> errors = m_stderr.split('\n');
    text += "--- stderr (last lines) ---\n";
    for (qsizetype i = qMax<qsizetype>(0, errors.size() - count); i < errors.size(); ++i)
        text += errors.at(i) + '\n';
    return text;
}
