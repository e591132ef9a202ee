// SPDX-License-Identifier: MIT
#include "connectionsettings.h"

#include <ClustrQt/clusterclient.h>

#include <QtCore/QSettings>

namespace {
const QString NameKey = QStringLiteral("connection/cluster");
const QString UrlKey = QStringLiteral("connection/redisUrl");
const QString AutomaticKey = QStringLiteral("connection/automatic");
const QString HostKey = QStringLiteral("connection/host");
} // namespace

QString ConnectionSettings::effectiveUrl(QStringList *tried) const
{
    if (!automatic && !redisUrl.isEmpty()) {
        if (tried)
            *tried = {QStringLiteral("set by hand: ") + redisUrl};
        return redisUrl;
    }
    return Clustr::ClusterClient::discoverRedisUrl(clusterName, tried);
}

QString ConnectionSettings::clusterNamespace() const
{
    if (automatic && qEnvironmentVariableIsEmpty("CLUSTR_REDIS")) {
        if (const auto recorded = Clustr::ClusterClient::recordedCluster(clusterName))
            return recorded->clusterNamespace;
    }
    return clusterName;
}

QString ConnectionSettings::describe() const
{
    QString cluster = clusterName.isEmpty() ? QStringLiteral("default cluster (no name)")
                                            : QStringLiteral("cluster \"%1\"").arg(clusterName);
    if (!host.isEmpty())
        cluster += QStringLiteral(", host %1").arg(host);
    return automatic ? QStringLiteral("%1, Redis found automatically").arg(cluster)
                     : QStringLiteral("%1 on %2").arg(cluster, redisUrl);
}

ConnectionSettings ConnectionSettings::load(const QSettings &settings)
{
    ConnectionSettings s;
    s.clusterName = settings.value(NameKey).toString();
    s.redisUrl = settings.value(UrlKey).toString();
    s.automatic = settings.value(AutomaticKey, true).toBool() || s.redisUrl.isEmpty();
    s.host = settings.value(HostKey).toString();
    return s;
}

void ConnectionSettings::save(QSettings &settings) const
{
    settings.setValue(NameKey, clusterName);
    settings.setValue(UrlKey, redisUrl);
    settings.setValue(AutomaticKey, automatic);
    settings.setValue(HostKey, host);
}
