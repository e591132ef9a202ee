// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QProcess>
#include <QtCore/QString>

#include <memory>

/*!
  A private redis-server for one `clustr-qt run` when no Redis is
  configured: a unix socket in a directory only this user can enter, no
  persistence, and a record file so the CLI and the GUI find it. It dies
  with the daemon (PR_SET_PDEATHSIG) and is stopped, socket and record
  removed, when the cluster stops.
*/
class EmbeddedRedis
{
public:
    ~EmbeddedRedis();

    //! Starts it for cluster \a name; false with \a error if it cannot.
    bool start(const QString &name, QString *error);
    void stop();
    QString url() const;
    QString socketPath() const { return m_socket; }
    qint64 pid() const;

    //! Whether a Redis answers PING at 127.0.0.1:6379 (bounded, a few hundred ms).
    static bool defaultRedisAnswers();

private:
    std::unique_ptr<QProcess> m_process;
    QString m_socket;
    QString m_record;
};
