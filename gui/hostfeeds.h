// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/clusterevent.h>
#include <ClustrQt/clusterstatus.h>

#include <QtCore/QObject>
#include <QtCore/QSet>

#include <chrono>
#include <map>
#include <memory>

namespace Clustr {
class ClusterClient;
}

/*
  The hosts of a cluster across hosts that the window shows besides the one
  ClusterMonitor follows: a Clustr::ClusterClient each, reading that host's
  status and following its master's events, for the tree.

  Each client holds two Redis connections, so there is one only where it is
  needed: for a host that is wanted (its row is open in the tree), runs
  (not lost: nothing to read) and is not the monitor's (which reads it
  already). A GUI watching a hundred hosts with a few open has a few
  clients, not a hundred. They neither watch messages nor ask for figures
  (CPU, memory): the message log is the monitor's (it sees every host's
  messages), the output and the live figures are its host's, the selection's.
*/
class HostFeeds : public QObject
{
    Q_OBJECT
public:
    explicit HostFeeds(QObject *parent = nullptr);
    ~HostFeeds() override;

    //! Where the cluster is; every client goes when it changes.
    void setCluster(const QString &redisUrl, const QString &clusterNamespace);
    void setPollInterval(std::chrono::milliseconds interval);
    //! The hosts to read; a client is opened or closed for each that comes or goes.
    void setHosts(const QSet<QString> &hosts);
    QSet<QString> hosts() const;
    //! Closes every client.
    void clear();

Q_SIGNALS:
    void statusUpdated(const QString &host, const Clustr::ClusterStatus &status);
    void eventReceived(const QString &host, const Clustr::ClusterEvent &event);

private:
    void open(const QString &host);

    QString m_url;
    QString m_namespace;
    std::chrono::milliseconds m_pollInterval{1000};
    std::map<QString, std::unique_ptr<Clustr::ClusterClient>> m_clients;
};
