// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArrayList>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtNetwork/QTcpServer>

/*
  A server on 127.0.0.1 that speaks raw RESP as a test scripts it, for
  replies no real Redis sends (a hostile or broken server): on every
  connection, the n-th chunk the client writes is answered with the n-th
  script entry; once the script is used up it stays silent. A client writes
  its handshake as one chunk and what it queued behind it as the next.
*/
class FakeRedis : public QObject
{
    Q_OBJECT
public:
    explicit FakeRedis(const QByteArrayList &script, QObject *parent = nullptr);

    //! Listens on \a port (0: a free one); false if it cannot.
    bool listen(quint16 port = 0);
    //! redis://127.0.0.1:PORT
    QString url() const;
    int connections() const { return m_connections; }

private:
    void accept();

    QTcpServer m_server;
    QByteArrayList m_script;
    int m_connections = 0;
};
