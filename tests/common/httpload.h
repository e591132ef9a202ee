// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QStringList>

/*
  Continuous HTTP load on 127.0.0.1:port: \a concurrency loops, each sending
  `GET /` and the next one as soon as the answer is complete: on a fresh
  connection each (`Connection: close`), or, in KeepAlive mode, on one
  connection for as long as the server keeps it (a new one after it
  answered with `Connection: close`, as HTTP clients do). A request
  succeeds when a complete `200` response with the body `pid <pid>\n`
  arrives; a refused or reset connection, a short or malformed answer or
  no answer within the timeout is a failure.
*/
class HttpLoad : public QObject
{
    Q_OBJECT
public:
    enum class Mode { Close, KeepAlive };
    HttpLoad(quint16 port, int concurrency, QObject *parent = nullptr) : HttpLoad(port, concurrency, Mode::Close, parent) {}
    HttpLoad(quint16 port, int concurrency, Mode mode, QObject *parent = nullptr);

    void start();
    //! Starts no new requests; the ones under way finish.
    void stop();
    //! No request under way.
    bool isIdle() const { return m_inFlight == 0; }

    int succeeded() const { return m_succeeded; }
    int failed() const { return int(m_failures.size()); }
    QStringList failures() const { return m_failures; }
    //! Successful responses per serving pid.
    QHash<qint64, int> responsesByPid() const { return m_byPid; }

private:
    void launch();
    void finished(bool ok, qint64 pid, const QString &error);

    quint16 m_port;
    int m_concurrency;
    Mode m_mode;
    bool m_running = false;
    int m_inFlight = 0;
    int m_succeeded = 0;
    QStringList m_failures;
    QHash<qint64, int> m_byPid;
};
