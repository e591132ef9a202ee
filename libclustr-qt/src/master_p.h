// SPDX-License-Identifier: MIT
#pragma once

#include "process_p.h"

#include <ClustrQt/master.h>

namespace Clustr {

class MasterPrivate : public ProcessPrivate
{
    Q_DECLARE_PUBLIC(Master)
public:
    explicit MasterPrivate(const ProcessOptions &options);

    QList<QPair<QByteArray, Message::Kind>> extraChannels() const override;
    bool handleMessage(const Message &message) override;

    void addWorker(qint64 workerPid, const QString &workerGroup);
    void removeWorker(qint64 workerPid);

    ClusterInfo clusterInfo;
    QHash<qint64, QString> groupOf; // pid -> group, for removal by pid
};

} // namespace Clustr
