// SPDX-License-Identifier: MIT
#include "fakeredis.h"

#include <QtNetwork/QTcpSocket>

#include <memory>

FakeRedis::FakeRedis(const QByteArrayList &script, QObject *parent)
    : QObject(parent)
    , m_script(script)
{
    connect(&m_server, &QTcpServer::newConnection, this, &FakeRedis::accept);
}

bool FakeRedis::listen(quint16 port)
{
    return m_server.listen(QHostAddress::LocalHost, port);
}

QString FakeRedis::url() const
{
    return QStringLiteral("redis://127.0.0.1:%1").arg(m_server.serverPort());
}

void FakeRedis::accept()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        ++m_connections;
        // Children of the server: closed and freed with it.
        auto next = std::make_shared<qsizetype>(0);
        connect(socket, &QTcpSocket::readyRead, socket, [this, socket, next] {
            socket->readAll();
            if (*next < m_script.size())
                socket->write(m_script.at((*next)++));
        });
    }
}
