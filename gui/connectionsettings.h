// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>

class QSettings;

/*
  Where the monitor looks for a cluster: its name (as every tool calls it,
  empty for "the one here") and either an explicit Redis URL or "find it like the
  CLI does" (ClusterClient::discoverRedisUrl: CLUSTR_REDIS, the record of a
  `clustr-qt run`, the default). Automatic is the default because the
  embedded Redis of `clustr-qt run` gets a new port every time: a
  remembered URL would go stale.
*/
struct ConnectionSettings
{
    QString clusterName;
    QString redisUrl;    // used when automatic is false
    bool automatic = true;
    //! Of a cluster across hosts, the host to open, select and follow first;
    //! empty: the cluster's own master, or the first running host of a cluster across hosts.
    QString host;

    //! The URL to connect to now; \a tried (if given) says what was looked at.
    QString effectiveUrl(QStringList *tried = nullptr) const;
    /*!
      The channels' namespace of the cluster called clusterName: the name
      itself, except for a cluster recorded here that runs without a name
      (a file without "name", called by its base name): then none.
    */
    QString clusterNamespace() const;
    //! One line for people: `redis://… · cluster "shop"`.
    QString describe() const;

    static ConnectionSettings load(const QSettings &settings);
    void save(QSettings &settings) const;

    friend bool operator==(const ConnectionSettings &a, const ConnectionSettings &b)
    {
        return a.clusterName == b.clusterName && a.redisUrl == b.redisUrl && a.automatic == b.automatic && a.host == b.host;
    }
    friend bool operator!=(const ConnectionSettings &a, const ConnectionSettings &b) { return !(a == b); }
};
