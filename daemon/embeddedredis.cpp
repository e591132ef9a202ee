// SPDX-License-Identifier: MIT
#include "embeddedredis.h"

#include <ClustrQt/clusterclient.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QStandardPaths>
#include <QtCore/QThread>
#include <QtCore/QUrl>
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

void EmbeddedRedis::setListenAddress(const QString &host, int port)
{
    m_listenHost = host;
    m_listenPort = port;
}

namespace {

// One command in RESP, so that a cluster name in a user name is never split.
QByteArray command(const QByteArrayList &arguments)
{
    QByteArray out = '*' + QByteArray::number(arguments.size()) + "\r\n";
    for (const QByteArray &argument : arguments)
        out += '$' + QByteArray::number(argument.size()) + "\r\n" + argument + "\r\n";
    return out;
}

} // namespace

bool EmbeddedRedis::writeAclFile(const QString &name, QString *error)
{
    using Clustr::AccessControl;
    m_passwords = AccessControl::completePasswords();
    const std::optional<AccessControl::Role> defaultRole =
        m_listenPort > 0 ? std::optional(AccessControl::Role::Worker) : std::nullopt;
    const QByteArray acl = AccessControl::defaultUserRule(name, defaultRole) + '\n' + AccessControl::aclFile(name, m_passwords);
    return Clustr::ClusterClient::writeRuntimeFile(m_aclFile, acl, error);
}

bool EmbeddedRedis::start(const QString &name, const QString &clusterNamespace, QString *error)
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
    m_clusterNamespace = clusterNamespace;
    const QString base = name.isEmpty() ? QStringLiteral("default") : name;
    const QDir dir(directory);
    m_socket = dir.filePath(QStringLiteral("redis-%1.sock").arg(base));
    m_aclFile = dir.filePath(QStringLiteral("redis-%1.acl").arg(base));
    m_logFile = dir.filePath(QStringLiteral("redis-%1.log").arg(base));
    m_record = Clustr::ClusterClient::recordFile(name);
    QFile::remove(m_socket); // left by a daemon that was killed
    QFile::remove(m_logFile);
    if (!writeAclFile(clusterNamespace, error))
        return false;

    m_process = std::make_unique<QProcess>();
    m_process->setProgram(program);
    QStringList arguments{
        QStringLiteral("--port"), QString::number(m_listenPort),
        QStringLiteral("--unixsocket"), m_socket,
        QStringLiteral("--unixsocketperm"), QStringLiteral("700"),
        QStringLiteral("--aclfile"), m_aclFile,
        QStringLiteral("--save"), QString(),
        QStringLiteral("--appendonly"), QStringLiteral("no"),
        QStringLiteral("--dir"), directory,
        QStringLiteral("--daemonize"), QStringLiteral("no"),
        QStringLiteral("--logfile"), m_logFile,
        QStringLiteral("--loglevel"), QStringLiteral("warning"),
    };
    if (m_listenPort > 0)
        arguments << QStringLiteral("--bind") << m_listenHost << QStringLiteral("--protected-mode") << QStringLiteral("yes");
    m_process->setArguments(arguments);
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
    if (!waitUntilAnswering()) {
        *error = QStringLiteral("the embedded redis-server did not start") + failureReason();
        stop();
        return false;
    }
    QString recordError;
    if (!Clustr::ClusterClient::writeRecord(name, clusterNamespace, url(), pid(), m_passwords, &recordError))
        qWarning().noquote() << recordError; // the cluster runs; tools just cannot find it by name

    return true;
}

// Up once its socket answers our operator; bounded so a broken server cannot hang us.
bool EmbeddedRedis::waitUntilAnswering()
{
    using Clustr::AccessControl;
    const QByteArray hello = command({"AUTH", AccessControl::userName(m_clusterNamespace, AccessControl::Role::Operator).toUtf8(),
                                      m_passwords.value(AccessControl::Role::Operator).toLatin1()})
        + command({"PING"});
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired() && m_process->state() == QProcess::Running) {
        QLocalSocket probe;
        probe.connectToServer(m_socket);
        if (probe.waitForConnected(100)) {
            probe.write(hello);
            QByteArray answer;
            while (answer.count('\n') < 2 && probe.waitForReadyRead(500))
                answer += probe.readAll();
            if (answer == "+OK\r\n+PONG\r\n")
                return true;
        }
        QThread::msleep(20); // nothing to wait on until the server binds its socket
    }
    return false;
}

// What the server said before it gave up (its log), for the error message.
QString EmbeddedRedis::failureReason() const
{
    QFile log(m_logFile);
    if (!log.open(QIODevice::ReadOnly))
        return QString();
    const QList<QByteArray> lines = log.readAll().trimmed().split('\n');
    // A line is "pid:role date level message"; the message is what helps.
    const QByteArray last = lines.constLast();
    const qsizetype mark = last.indexOf(" # ");
    return last.isEmpty() ? QString() : QStringLiteral(": ") + QString::fromUtf8(mark >= 0 ? last.mid(mark + 3) : last);
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
    for (QString *file : {&m_record, &m_socket, &m_aclFile, &m_logFile}) {
        if (!file->isEmpty())
            QFile::remove(*file);
        file->clear();
    }
    m_passwords.clear();
}

QString EmbeddedRedis::url() const
{
    return QStringLiteral("unix://") + m_socket;
}

QString EmbeddedRedis::url(Clustr::AccessControl::Role role) const
{
    using Clustr::AccessControl;
    // The passwords are hex; a cluster name may hold '&' or '%'.
    return url() + QStringLiteral("?user=") + QString::fromLatin1(QUrl::toPercentEncoding(AccessControl::userName(m_clusterNamespace, role)))
        + QStringLiteral("&password=") + m_passwords.value(role);
}

qint64 EmbeddedRedis::pid() const
{
    return m_process ? m_process->processId() : 0;
}
