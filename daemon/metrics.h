// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/clusterstatus.h>

#include <QtNetwork/QTcpServer>

namespace Clustr {
class Master;
}

/*!
  `clustr-qt run --metrics HOST:PORT`: the Prometheus text format on
  GET /metrics, from the master's status snapshot. A deliberately small
  HTTP/1.0-style server (one request per connection): a scraper needs no more.
*/
class MetricsServer : public QTcpServer
{
    Q_OBJECT
public:
    explicit MetricsServer(Clustr::Master *master, QObject *parent = nullptr);

    //! "HOST:PORT" or "PORT" (loopback); false with \a error if it cannot listen.
    bool listenOn(const QString &address, QString *error);
    //! The exposition text, also for tests.
    static QByteArray render(const Clustr::ClusterStatus &status);

private:
    void serve(QTcpSocket *socket);
    Clustr::Master *m_master;
};
