// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/options.h>
#include <ClustrQt/spawnspec.h>

#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <chrono>
#include <optional>

/*!
  A cluster file (docs/CLUSTER-FILE.md, docs/cluster-file.schema.json),
  read and checked. Paths in it are relative to the file. Every error names
  the file, the field and what to do, e.g.
  `cluster.json: workers[2].cpu: CPU 7 is not available here (allowed: 0-1)`.
*/
struct ClusterFile
{
    QString path;        // as given
    QString name;        // cluster name = channel namespace; empty: none
    QString host;        // "host": this host's name in a cluster across hosts; empty: none given
    bool multiHost = false; // "multiHost": one cluster across hosts (host defaults to the machine's name)
    QString redis;       // empty: not configured here
    std::chrono::milliseconds reloadDelay{500};
    std::chrono::milliseconds reloadTimeout{30000};
    std::chrono::milliseconds killTimeout{5000};
    std::chrono::milliseconds heartbeatTimeout{3500};
    Clustr::ProcessOptions::ReloadStrategy reloadStrategy = Clustr::ProcessOptions::ReloadStrategy::Restart;
    Clustr::RestartPolicy restartPolicy;
    QString outputPrefix = QStringLiteral("[%group% %pid%] ");
    QString logDirectory; // empty: children's output goes to ours
    qint64 logMaxBytes = 10 * 1024 * 1024;
    int logKeep = 5;
    int logRecentLines = 1000; // kept in Redis for `clustr-qt logs`; 0: none
    QString metrics;      // HOST:PORT, empty: none
    QString embeddedListenHost; // embeddedRedis.listen: where the embedded Redis also takes TCP; empty: unix socket only
    int embeddedListenPort = 0;
    //! "sockets": listening sockets the daemon opens once and hands to the workers that name them.
    struct Socket
    {
        QString name;
        QString host;  //!< TCP: the address (empty: a unix socket)
        int port = 0;
        QString path;  //!< a unix socket's path, absolute
        int backlog = 4096;

        bool operator==(const Socket &other) const
        {
            return name == other.name && host == other.host && port == other.port && path == other.path && backlog == other.backlog;
        }
        bool operator!=(const Socket &other) const { return !(*this == other); }
    };
    QList<Socket> sockets;
    QList<Clustr::SpawnSpec> workers;

    /*!
      Reads and checks \a path; on failure returns nothing and fills \a errors
      with every problem found. \a warnings gets unknown keys, which are
      errors when \a strict or the file's "strict" is true.
    */
    static std::optional<ClusterFile> load(const QString &path, QStringList *errors, QStringList *warnings, bool strict = false);
    //! The same from JSON text; \a path only names the file in messages and anchors relative paths.
    static std::optional<ClusterFile> parse(const QByteArray &json, const QString &path, QStringList *errors,
                                            QStringList *warnings, bool strict = false);

    int registeringWorkers() const;
    QStringList groups() const;
};
