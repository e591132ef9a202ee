// SPDX-License-Identifier: MIT
#include "embeddedredis.h"

#include <ClustrQt/clusterclient.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QStandardPaths>
#include <QtCore/QThread>
#include <QtNetwork/QLocalSocket>
#include <QtNetwork/QTcpSocket>

#include <csignal>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

EmbeddedRedis::~EmbeddedRedis()
{
    stop();
}

bool EmbeddedRedis::defaultRedisAnswers()
{
    QTcpSocket socket;
    socket.connectToHost(QStringLiteral("127.0.0.1"), 6379);
    if (!socket.waitForConnected(300))
        return false;
    socket.write("PING\r\n");
    if (!socket.waitForReadyRead(300))
        return false;
    // A Redis that wants a password (-NOAUTH) is no use without one.
    return socket.readAll().startsWith("+PONG");
}

bool EmbeddedRedis::start(const QString &name, QString *error)
{
    const QString program = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (program.isEmpty()) {
        *error = QStringLiteral("no Redis is configured, none answers at 127.0.0.1:6379, and redis-server is not installed "
                                "(apt-get install redis-server, or give --redis URL)");
        return false;
    }
    const QString directory = Clustr::ClusterClient::runtimeDirectory();
    if (!Clustr::ClusterClient::prepareRuntimeDirectory(error))
        return false;
    const QString base = name.isEmpty() ? QStringLiteral("default") : name;
    m_socket = QDir(directory).filePath(QStringLiteral("redis-%1.sock").arg(base));
    m_record = Clustr::ClusterClient::recordFile(name);
    QFile::remove(m_socket); // left by a daemon that was killed

    m_process = std::make_unique<QProcess>();
    m_process->setProgram(program);
    m_process->setArguments({
        QStringLiteral("--port"), QStringLiteral("0"),
        QStringLiteral("--unixsocket"), m_socket,
        QStringLiteral("--unixsocketperm"), QStringLiteral("700"),
        QStringLiteral("--save"), QString(),
        QStringLiteral("--appendonly"), QStringLiteral("no"),
        QStringLiteral("--dir"), directory,
        QStringLiteral("--daemonize"), QStringLiteral("no"),
        QStringLiteral("--logfile"), QString(),
        QStringLiteral("--loglevel"), QStringLiteral("warning"),
    });
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process->setStandardOutputFile(QProcess::nullDevice());
    // Out of our process group (a Ctrl-C must not take Redis away before the
    // workers are stopped), but it dies with us.
    m_process->setChildProcessModifier([] {
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    });
    m_process->start();
    if (!m_process->waitForStarted(5000)) {
        *error = QStringLiteral("cannot start redis-server: ") + m_process->errorString();
        m_process.reset();
        return false;
    }
    // Up once its socket answers; bounded so a broken server cannot hang us.
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        if (m_process->state() != QProcess::Running)
            break;
        QLocalSocket probe;
        probe.connectToServer(m_socket);
        if (probe.waitForConnected(100)) {
            probe.write("PING\r\n");
            if (probe.waitForReadyRead(500) && probe.readAll().startsWith("+PONG"))
                break;
        }
        QThread::msleep(20); // nothing to wait on until the server binds its socket
    }
    if (deadline.hasExpired() || m_process->state() != QProcess::Running) {
        *error = QStringLiteral("the embedded redis-server did not start");
        stop();
        return false;
    }
    QString recordError;
    if (!Clustr::ClusterClient::writeRecord(name, url(), pid(), &recordError))
        qWarning().noquote() << recordError; // the cluster runs; tools just cannot find it by name

    return true;
}

void EmbeddedRedis::stop()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(5000)) {
            m_process->kill();
            m_process->waitForFinished(2000);
        }
    }
    m_process.reset();
    if (!m_record.isEmpty())
        QFile::remove(m_record);
    if (!m_socket.isEmpty())
        QFile::remove(m_socket);
    m_record.clear();
    m_socket.clear();
}

QString EmbeddedRedis::url() const
{
    return QStringLiteral("unix://") + m_socket;
}

qint64 EmbeddedRedis::pid() const
{
    return m_process ? m_process->processId() : 0;
}
