// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QList>
#include <QtCore/QPair>
#include <QtCore/QProcess>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QTemporaryDir>

#include <memory>

/*
  A private redis-server for one test executable: a free TCP port on
  127.0.0.1 (or a unix socket), a temporary directory, no persistence. It
  dies with the test process (PR_SET_PDEATHSIG), so even a crashed or
  timed-out test leaves no server behind.
*/
class RedisServer
{
public:
    struct Options
    {
        bool unixSocket = false;
        QString password;                       // requirepass
        QList<QPair<QString, QString>> aclUsers; // extra ACL users with all permissions
        QStringList extraArguments;              // appended to redis-server's command line
        //! Written to DIR/redis.conf and given as the configuration file
        //! (a sentinel needs one it may rewrite); empty: none.
        QString configText;
        bool sentinel = false;                   // --sentinel: runs as a Redis Sentinel
        //! --cluster-enabled yes: a Redis Cluster node (its bus on a free port of its own), failing over after this many ms.
        int clusterNodeTimeoutMs = 0;
        //! TLS only (`--port 0 --tls-port PORT`) when certFile is set; PEM files.
        struct Tls
        {
            QString certFile;        // the server's certificate and key
            QString keyFile;
            QString caCertFile;      // the CA of both the server's and the clients' certificates
            bool requireClientCertificate = false; // --tls-auth-clients yes (else optional)
            QString clientCertFile;  // what redis-cli presents, if anything
            QString clientKeyFile;
        } tls;
    };

    RedisServer();
    explicit RedisServer(const Options &options);
    ~RedisServer();

    //! Starts the server and waits until it answers; false with \a error when it cannot.
    bool start(QString *error = nullptr);
    //! SIGTERM, then SIGKILL after a bounded wait.
    void stop();
    //! SIGKILL: the connections drop without a goodbye.
    void kill();
    //! Starts it again on the same port / socket.
    bool restart(QString *error = nullptr);
    bool isRunning() const;

    int port() const { return m_port; }
    //! The cluster bus port of a Redis Cluster node (0 otherwise).
    int clusterBusPort() const { return m_busPort; }
    qint64 pid() const;
    QString socketPath() const;
    //! redis://127.0.0.1:PORT, rediss://127.0.0.1:PORT?cacert=CA or unix:///path (no credentials).
    QString url() const;
    bool isTls() const { return !m_options.tls.certFile.isEmpty(); }
    //! Arguments for redis-cli to reach this server (with -a when a password is set).
    QStringList cliArguments() const;
    //! Runs redis-cli with \a arguments against this server; returns its stdout.
    QByteArray cli(const QStringList &arguments, int timeoutMs = 5000) const;
    QString directory() const { return m_dir.path(); }

private:
    bool waitUntilReady(QString *error);

    Options m_options;
    QTemporaryDir m_dir;
    int m_port = 0;
    int m_busPort = 0;
    std::unique_ptr<QProcess> m_process;
};

//! Path of an executable built into build/bin, beside the running test.
QString buildBinary(const QString &name);
