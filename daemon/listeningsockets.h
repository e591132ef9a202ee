// SPDX-License-Identifier: MIT
#pragma once

#include "clusterfile.h"

#include <QtCore/QMap>
#include <QtCore/QString>

/*!
  The cluster file's `sockets`, bound and listening, owned by the daemon:
  opened once, before any worker starts, and handed to every worker that
  names them, respawns and reloads included (ProcessOptions::setListenSockets()).
  Connections wait in the one queue of each socket while a worker is
  replaced, instead of in the queue of a worker that goes away. Closed
  (and a unix socket's file removed) when this object goes.
*/
class ListeningSockets
{
public:
    ListeningSockets() = default;
    ListeningSockets(const ListeningSockets &) = delete;
    ListeningSockets &operator=(const ListeningSockets &) = delete;
    ~ListeningSockets();

    //! Binds every socket; false, with \a error naming the socket and why, and none left open, if one fails.
    bool open(const QList<ClusterFile::Socket> &sockets, QString *error);
    //! Their descriptors by name.
    QMap<QString, int> descriptors() const { return m_fds; }
    //! "http at 127.0.0.1:8080, admin at /run/shop/admin.sock": for the log.
    QString describe() const;

private:
    void closeAll();

    QMap<QString, int> m_fds;
    QMap<QString, QString> m_where;
    QStringList m_paths; // unix sockets' files, removed on close
};
