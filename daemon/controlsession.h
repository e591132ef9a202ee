// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/accesscontrol.h>
#include <ClustrQt/clusterclient.h>
#include <ClustrQt/redisclient.h>

#include <QtCore/QByteArray>
#include <QtCore/QSet>
#include <QtCore/QStringList>

#include <chrono>
#include <functional>

namespace ControlCommands {

/*
  What every control command does first: find the cluster's Redis
  (`--redis`, else ClusterClient::discoverRedisUrl()), connect, read the
  master's announcement and status once, and, when that fails, say in one
  line what was tried, within two seconds. Everything then goes through the
  session's Clustr::ClusterClient.
*/
class Session
{
public:
    /*!
      Takes the options every control command has (--redis, --cluster,
      --verbose) out of \a args. A found embedded Redis is logged into as
      \a role's user: Monitor for commands that only read.
    */
    explicit Session(QStringList &args, Clustr::AccessControl::Role role = Clustr::AccessControl::Role::Operator);
    ~Session();

    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    /*!
      The command can act on every host of a cluster across hosts (status,
      send, kill, reload, stop): connect() then accepts such a cluster
      without --host, and isAcrossHosts() says so. Other commands are told
      to choose a host.
    */
    void setAcrossHosts(bool allowed) { m_acrossHostsAllowed = allowed; }
    //! Connected to a cluster across hosts without --host: hosts() lists them, client() reads no master.
    bool isAcrossHosts() const { return m_acrossHosts; }
    QList<Clustr::ClusterHost> hosts() const { return m_client.hosts(); }
    //! --host, as given (empty: none).
    QString host() const { return m_host; }

    //! How often the client re-reads the status; commands that wait for a change want it short.
    void setPollInterval(std::chrono::milliseconds interval) { m_pollInterval = interval; }

    /*!
      Connects and reads the cluster's state. Returns Cli::Ok when a master
      announces the cluster; otherwise prints the reason (one line on
      stderr) and returns the exit code: Usage (bad URL or name),
      RedisUnreachable or NoCluster.
    */
    int connect();

    /*!
      Waits until Redis confirmed the subscription to the master's events,
      so that nothing the master does in answer to a command is missed.
      False (with the reason printed) if it did not come in time.
    */
    bool waitForEvents(int timeoutMs = 2000);

    /*!
      Runs the event loop until \a done returns true or \a timeoutMs passed;
      \a done is checked whenever the client reports anything and every
      50 ms. Returns done().
    */
    bool waitUntil(const std::function<bool()> &done, int timeoutMs);

    /*!
      Waits for the master's first status snapshot (the announcement and the
      status may expire a moment apart). Cli::Ok, else Failed with the
      reason printed: no status, or one that cannot be read.
    */
    int waitForStatus();
    /*!
      Asks the cluster for fresh figures (CPU, memory, counters: an idle
      cluster sends none unasked) and waits, briefly, for the status that
      has them. A master that does not answer such requests (an older one)
      leaves the status as it was read.
    */
    void waitForFreshFigures();

    /*!
      Until every command sent so far has been written and answered by Redis
      (false if not soon after writeBudgetMs(), when the publisher's own
      timeout has answered it with an error), then until every kill or
      control command was received, for up to \a deliveryMs (the client
      gives up after 10 s: NotDelivered, which reportRefusal() reports).
      A refusal, or that error, ends it at once: reportRefusal() says it.
    */
    bool waitUntilWritten(int deliveryMs = 11000);
    /*!
      How long Redis has to answer what a command sends (the publisher's
      command timeout): 3 s, or the answer budget (CLUSTR_CONNECT_TIMEOUT)
      if that is longer.
    */
    static int writeBudgetMs();

    /*!
      Cli::Ok, or the exit code for the first read or message Redis did not
      take since connect(): PermissionDenied when its ACL refused it
      (NOPERM), else Failed (another error, or the connection went away
      before the answer).
    */
    int refusal() const { return m_refusalCode; }
    //! What refusal() is about, in one line with Redis' own words.
    QString refusalText() const { return m_refusal; }
    //! refusal(), after printing refusalText() when there is one.
    int reportRefusal() const;

    Clustr::ClusterClient &client() { return m_client; }
    //! The Redis URL in use, password hidden.
    QString displayUrl() const;
    //! `cluster "shop"`, or `the unnamed cluster` for one without a name (namespace): for messages.
    QString clusterLabel() const;
    QString clusterName() const { return m_name; }
    //! The namespace of the cluster's channels, and the URL with its password: for sessions of its hosts.
    QString clusterNamespace() const { return m_namespace; }
    QString redisUrl() const { return m_url; }
    /*!
      Chooses the host (as --host does) before connect(); false, with the
      usage error printed, when --host named another.
    */
    bool setHost(const QString &host);

    //! The master runs on this machine (same host name), so its pid can be looked at.
    bool isMasterLocal() const;
    //! True once process \a pid no longer exists here (a zombie counts as gone).
    static bool processGone(qint64 pid);

    //! The group of the registered process \a pid ("master" for the master; empty if it is not registered).
    QString groupOf(qint64 pid) const;
    //! Registered processes of \a group according to the status.
    int groupSize(const QString &group) const;

private:
    //! Finds the URL, checks it and the name, opens the client; Cli::Ok or the usage error's code (printed).
    int openClient();
    //! From now on, the first refused read or message and any connection failure are kept for the exit code.
    void watchForFailures();
    //! Lists the clusters that do run on this Redis, for noClusterMessage().
    void findOtherClusters(int timeoutMs);
    //! PINGs through the client and waits for the answer; false if Redis did not answer (or refused).
    bool firstContact(int timeoutMs);
    //! Asked for NAME, the unnamed cluster on this Redis whose master is called NAME; true once connected to it.
    bool adoptUnnamedCalledAsAsked(int timeoutMs);
    void noClusterMessage();
    QString recordedElsewhere() const;

    Clustr::AccessControl::Role m_role;
    QString m_announcedName; // the master's, once connect() found it
    QString m_url;
    QString m_name;      // as asked with --cluster
    QString m_namespace; // its channels' (the same, but empty for an unnamed cluster)
    QString m_host;      // --host
    bool m_acrossHostsAllowed = false;
    bool m_acrossHosts = false;
    int m_refreshes = 0;
    int m_refreshesAtOpen = 0; // m_refreshes when the client was last opened
    QStringList m_tried;
    std::chrono::milliseconds m_pollInterval{1000};
    bool m_firstAnswer = false;
    bool m_redisFailed = false;
    QString m_redisError;
    int m_refusalCode = 0; // Cli::Ok
    QString m_refusal;
    QStringList m_otherClusters;
    bool m_otherClustersRead = false;
    bool m_unnamedRuns = false;
    // Last, so it goes first: its connections' callbacks still find the members above.
    Clustr::ClusterClient m_client;
};

} // namespace ControlCommands
