// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/accesscontrol.h>

#include <QtCore/QProcess>
#include <QtCore/QString>

#include <memory>

/*!
  A private redis-server for one `clustr-qt run` when no Redis is
  configured: a unix socket in a directory only this user can enter, no
  persistence, and a record file so the CLI and the GUI find it. It dies
  with the daemon (PR_SET_PDEATHSIG) and is stopped, socket, record and
  ACL file removed, when the cluster stops.

  Nobody gets in without a password: its ACL file (mode 0600, beside the
  socket) has the cluster's worker, operator and monitor users with
  generated passwords and the default user switched off, and the record
  holds the passwords for our own tools (docs/SECURITY.md). With a TCP
  address to listen on as well (for unchanged clustr-node workers, which
  cannot log in), the default user has the worker's permissions there and
  nothing more.
*/
class EmbeddedRedis
{
public:
    ~EmbeddedRedis();

    //! Where it also listens on TCP (a loopback address); none by default.
    void setListenAddress(const QString &host, int port);

    /*!
      Starts it for the cluster called \a name (its files and record go by
      that name) whose channels' namespace is \a clusterNamespace (its ACL
      users'); false with \a error if it cannot.
    */
    bool start(const QString &name, const QString &clusterNamespace, QString *error);
    void stop();
    //! Its unix socket's URL, logged in as \a role's user.
    QString url(Clustr::AccessControl::Role role) const;
    //! Its unix socket's URL without a user, as messages show it.
    QString url() const;
    QString socketPath() const { return m_socket; }
    QString aclFilePath() const { return m_aclFile; }
    qint64 pid() const;

    //! Whether a Redis answers PING at 127.0.0.1:6379 (bounded, a few hundred ms).
    static bool defaultRedisAnswers();

private:
    bool writeAclFile(const QString &name, QString *error);
    bool waitUntilAnswering();
    QString failureReason() const;

    std::unique_ptr<QProcess> m_process;
    Clustr::AccessControl::Passwords m_passwords;
    QString m_clusterNamespace;
    QString m_listenHost;
    int m_listenPort = 0;
    QString m_socket;
    QString m_record;
    QString m_aclFile;
    QString m_logFile;
};
