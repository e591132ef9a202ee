// SPDX-License-Identifier: MIT
#include "redisserver.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QStandardPaths>
#include <QtNetwork/QLocalSocket>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>

#include <csignal>
#include <sys/prctl.h>

namespace {

int freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

} // namespace

RedisServer::RedisServer()
    : RedisServer(Options())
{
}

RedisServer::RedisServer(const Options &options)
    : m_options(options)
{
}

RedisServer::~RedisServer()
{
    stop();
}

QString RedisServer::socketPath() const
{
    return m_options.unixSocket ? m_dir.filePath(QStringLiteral("redis.sock")) : QString();
}

QString RedisServer::url() const
{
    if (m_options.unixSocket)
        return QStringLiteral("unix://") + socketPath();
    if (isTls())
        return QStringLiteral("rediss://127.0.0.1:%1?cacert=%2")
            .arg(QString::number(m_port), QString::fromLatin1(m_options.tls.caCertFile.toUtf8().toPercentEncoding("/")));
    return QStringLiteral("redis://127.0.0.1:%1").arg(m_port);
}

QStringList RedisServer::cliArguments() const
{
    QStringList args;
    if (m_options.unixSocket)
        args << QStringLiteral("-s") << socketPath();
    else
        args << QStringLiteral("-h") << QStringLiteral("127.0.0.1") << QStringLiteral("-p")
             << QString::number(m_port);
    if (isTls()) {
        args << QStringLiteral("--tls") << QStringLiteral("--cacert") << m_options.tls.caCertFile;
        if (!m_options.tls.clientCertFile.isEmpty())
            args << QStringLiteral("--cert") << m_options.tls.clientCertFile << QStringLiteral("--key") << m_options.tls.clientKeyFile;
    }
    if (!m_options.password.isEmpty())
        args << QStringLiteral("--no-auth-warning") << QStringLiteral("-a") << m_options.password;
    return args;
}

QByteArray RedisServer::cli(const QStringList &arguments, int timeoutMs) const
{
    QProcess p;
    p.start(QStringLiteral("redis-cli"), cliArguments() + arguments);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(1000);
    }
    return p.readAllStandardOutput();
}

bool RedisServer::start(QString *error)
{
    const QString program = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (program.isEmpty()) {
        if (error)
            *error = QStringLiteral("redis-server is not installed (run scripts/setup)");
        return false;
    }
    if (!m_dir.isValid()) {
        if (error)
            *error = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    if (!m_options.unixSocket && m_port == 0)
        m_port = freePort();

    QStringList args;
    if (!m_options.configText.isEmpty()) {
        // Written on every start: a sentinel rewrites its file as it learns.
        QFile config(m_dir.filePath(QStringLiteral("redis.conf")));
        if (!config.open(QIODevice::WriteOnly | QIODevice::Truncate) || config.write(m_options.configText.toUtf8()) < 0) {
            if (error)
                *error = QStringLiteral("cannot write %1").arg(config.fileName());
            return false;
        }
        args << config.fileName();
    }
    if (m_options.sentinel)
        args << QStringLiteral("--sentinel");
    args << QStringList{
        QStringLiteral("--port"), QString::number(m_options.unixSocket || isTls() ? 0 : m_port),
        QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
        QStringLiteral("--save"), QString(),
        QStringLiteral("--appendonly"), QStringLiteral("no"),
        QStringLiteral("--dir"), m_dir.path(),
        QStringLiteral("--logfile"), m_dir.filePath(QStringLiteral("redis.log")),
        QStringLiteral("--daemonize"), QStringLiteral("no"),
    };
    if (m_options.unixSocket)
        args << QStringLiteral("--unixsocket") << socketPath() << QStringLiteral("--unixsocketperm")
             << QStringLiteral("700");
    if (isTls())
        args << QStringLiteral("--tls-port") << QString::number(m_port)
             << QStringLiteral("--tls-cert-file") << m_options.tls.certFile
             << QStringLiteral("--tls-key-file") << m_options.tls.keyFile
             << QStringLiteral("--tls-ca-cert-file") << m_options.tls.caCertFile
             << QStringLiteral("--tls-auth-clients") << (m_options.tls.requireClientCertificate ? QStringLiteral("yes") : QStringLiteral("optional"));
    if (!m_options.password.isEmpty())
        args << QStringLiteral("--requirepass") << m_options.password;
    for (const auto &user : m_options.aclUsers)
        args << QStringLiteral("--user") << user.first << QStringLiteral("on")
             << (QLatin1Char('>') + user.second) << QStringLiteral("~*") << QStringLiteral("&*")
             << QStringLiteral("+@all");
    if (m_options.clusterNodeTimeoutMs > 0) {
        // The bus would be port + 10000, maybe taken or past 65535: a port of its own.
        if (m_busPort == 0)
            m_busPort = freePort();
        args << QStringLiteral("--cluster-enabled") << QStringLiteral("yes")
             << QStringLiteral("--cluster-config-file") << m_dir.filePath(QStringLiteral("nodes.conf"))
             << QStringLiteral("--cluster-node-timeout") << QString::number(m_options.clusterNodeTimeoutMs)
             << QStringLiteral("--cluster-port") << QString::number(m_busPort);
    }
    args << m_options.extraArguments;

    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process->setStandardOutputFile(QProcess::nullDevice());
    // The server dies with the test, whatever way the test ends.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process->start(program, args);
    if (!m_process->waitForStarted(5000)) {
        if (error)
            *error = QStringLiteral("cannot start redis-server: ") + m_process->errorString();
        m_process.reset();
        return false;
    }
    return waitUntilReady(error);
}

bool RedisServer::waitUntilReady(QString *error)
{
    // Polls a server that is not up yet: nothing to wait on but its answer.
    const bool ready = QTest::qWaitFor([this] {
        if (m_process->state() != QProcess::Running)
            return true; // it died: stop waiting (checked below)
        QByteArray answer;
        if (isTls()) {
            answer = cli({QStringLiteral("PING")}, 2000).startsWith("PONG") ? QByteArray("+") : QByteArray();
        } else if (m_options.unixSocket) {
            QLocalSocket socket;
            socket.connectToServer(socketPath());
            if (socket.waitForConnected(200)) {
                socket.write("PING\r\n");
                if (socket.waitForReadyRead(500))
                    answer = socket.readAll();
            }
        } else {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, quint16(m_port));
            if (socket.waitForConnected(200)) {
                socket.write("PING\r\n");
                if (socket.waitForReadyRead(500))
                    answer = socket.readAll();
            }
        }
        // +PONG, or -NOAUTH when a password is required: either way it serves.
        return answer.startsWith('+') || answer.startsWith('-');
    }, 10000);
    if (ready && m_process->state() == QProcess::Running)
        return true;
    if (error) {
        QFile log(m_dir.filePath(QStringLiteral("redis.log")));
        log.open(QIODevice::ReadOnly);
        *error = QStringLiteral("redis-server did not become ready: ") + QString::fromLocal8Bit(log.readAll().right(2000));
    }
    kill();
    return false;
}

void RedisServer::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(5000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    m_process.reset();
}

void RedisServer::kill()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
    m_process.reset();
}

bool RedisServer::restart(QString *error)
{
    stop();
    return start(error);
}

qint64 RedisServer::pid() const
{
    return m_process ? m_process->processId() : 0;
}

bool RedisServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QString buildBinary(const QString &name)
{
    return QDir(QCoreApplication::applicationDirPath()).filePath(name);
}
