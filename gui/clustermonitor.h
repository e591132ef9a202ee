// SPDX-License-Identifier: MIT
#pragma once

#include "connectionsettings.h"

#include <ClustrQt/clusterevent.h>
#include <ClustrQt/clusterstatus.h>
#include <ClustrQt/message.h>

#include <QtCore/QDateTime>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <chrono>
#include <memory>

namespace Clustr {
class ClusterClient;
}

/*
  The monitor's one connection to a cluster, over Clustr::ClusterClient.

  It turns the client's booleans into one state people can read (connecting,
  Redis unreachable, no cluster, running, gone), re-creates the client when
  the settings change, and, while it finds the cluster automatically, looks
  again every few seconds: a `clustr-qt run` started later records a new
  embedded Redis that the monitor should follow by itself. Reconnecting to a
  Redis that went away is the client's own job (RedisClient retries with
  backoff).

  A cluster across hosts (docs/MULTI-HOST.md) has no master of its own: the
  monitor follows one of its hosts at a time (the settings' host, else the
  first running one, then the host of the window's selection), the one the
  actions go to and the output is of, and lists them all,
  lost ones included (hosts()). The window reads the other hosts it shows
  itself (HostFeeds).
*/
class ClusterMonitor : public QObject
{
    Q_OBJECT
public:
    enum class State {
        Idle,        //!< not told where to look yet
        Connecting,  //!< connecting to Redis, or looking for the master's announcement
        Unreachable, //!< Redis cannot be reached (retrying), or the settings are invalid
        NoCluster,   //!< Redis answers, no master announces itself (and none did since we connected)
        Running,     //!< a master announces itself
        Gone,        //!< a master did, and is gone now
    };
    Q_ENUM(State)

    explicit ClusterMonitor(QObject *parent = nullptr);
    ~ClusterMonitor() override;

    //! (Re)connects with \a settings; the cluster seen so far is forgotten.
    void connectTo(const ConnectionSettings &settings);
    ConnectionSettings settings() const { return m_settings; }
    //! The URL in use (the result of discovery when automatic).
    QString redisUrl() const { return m_url; }
    //! What discovery looked at, for people wondering why nothing shows up.
    QStringList discoveryTrail() const { return m_trail; }

    State state() const { return m_state; }
    //! One line for the status bar.
    QString stateText() const;
    QString lastError() const { return m_lastError; }
    //! A cluster was seen since connectTo(): its last state is worth showing when it goes away.
    bool hasSeenCluster() const { return m_seen; }
    QDateTime goneSince() const { return m_goneSince; }
    //! The Redis the cluster was last seen on (discovery may have moved on to another since).
    QString clusterRedisUrl() const { return m_clusterUrl; }
    bool isRunning() const { return m_state == State::Running; }
    //! The Redis user may watch but not command (a monitor's); see Clustr::ClusterClient::isReadOnly().
    bool isReadOnly() const;
    QString readOnlyReason() const;

    Clustr::ClusterClient *client() const { return m_client.get(); }
    qint64 masterPid() const;
    Clustr::ClusterStatus status() const;
    QString clusterName() const { return m_settings.clusterName; }
    //! What the actions act on, for dialogs: "the cluster", "cluster \"shop\"", or across hosts "host web-02 of cluster \"shop\"".
    QString targetName() const;

    //! The host of a cluster across hosts watched now (empty for a cluster of one host).
    QString host() const { return m_host; }
    //! Every host of a cluster across hosts, sorted by name, lost ones marked.
    QList<Clustr::ClusterHost> hosts() const { return m_hosts; }
    //! Follows \a host of the cluster across hosts instead (a new connection; hostSwitched(), not reconnected()).
    void setHost(const QString &host);

    //! How often the status is read (the master writes it when it changes; figures come while we sample).
    void setPollInterval(std::chrono::milliseconds interval);
    void refresh();

    static QString stateName(State state);

Q_SIGNALS:
    void stateChanged(ClusterMonitor::State state);
    //! A new connection: whatever was shown belongs to another Redis or cluster.
    void reconnected();
    //! A new connection to another host of the same cluster across hosts: what was shown of the others stays.
    void hostSwitched(const QString &host);
    //! The client was replaced (nullptr: none). The old one is gone: drop anything that points to it.
    void clientChanged(Clustr::ClusterClient *client);
    //! A snapshot; one without a master (pid 0) when the cluster is gone.
    void statusUpdated(const Clustr::ClusterStatus &status);
    void eventReceived(const Clustr::ClusterEvent &event);
    void messageObserved(const Clustr::Message &message, const QByteArray &raw);
    void errorOccurred(const QString &text);
    void readOnlyChanged(bool readOnly);
    //! The hosts of a cluster across hosts, or whether one is lost, or the host shown changed.
    void hostsChanged(const QList<Clustr::ClusterHost> &hosts);

private:
    void open(const QString &url);
    void updateState();
    void rediscover();

    ConnectionSettings m_settings;
    QString m_host;
    QList<Clustr::ClusterHost> m_hosts;
    QString m_url;
    QString m_clusterUrl;
    QStringList m_trail;
    std::unique_ptr<Clustr::ClusterClient> m_client;
    std::chrono::milliseconds m_pollInterval{1000};
    State m_state = State::Idle;
    QString m_lastError;
    bool m_seen = false;
    bool m_searching = false; // connected, first look for the announcement not over yet
    bool m_switchingHost = false; // open() for setHost(): the same cluster, another host
    QDateTime m_goneSince;
    QTimer m_searchTimer;
    QTimer m_rediscoverTimer;
};
