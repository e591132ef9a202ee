// SPDX-License-Identifier: MIT
#pragma once

#include "activitylog.h"
#include "logentry.h"

#include <ClustrQt/clusterevent.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QByteArray>
#include <QtCore/QObject>
#include <QtCore/QTimer>

class ClusterMonitor;

/*
  Carries out the user's actions through ClusterClient and tells how each
  one ended. Sending to Redis says nothing about the result, so every
  action waits for its evidence: a message shows up on its channel (the
  monitor watches every channel), a killed process exits or leaves the
  cluster, a reload or stop is acknowledged by the master's event. No
  evidence within a few seconds is reported too.
*/
class ActionTracker : public QObject
{
    Q_OBJECT
public:
    enum class Target { Public, Group, Private };
    Q_ENUM(Target)

    explicit ActionTracker(ClusterMonitor *monitor, QObject *parent = nullptr);

    //! \a group for Target::Group, \a pid for Target::Private.
    bool sendMessage(Target target, const QString &group, qint64 pid, const QByteArray &json);
    bool kill(qint64 pid, const QString &group, int exitCode);
    bool reload();
    bool stop(int exitCode);

    //! How long to wait for the evidence before saying it did not come.
    void setTimeouts(int sendMs, int killMs, int controlMs);
    int pendingCount() const;

public Q_SLOTS:
    void observeEvent(const Clustr::ClusterEvent &event);
    void observeBatch(const LogBatch &batch);

Q_SIGNALS:
    void outcome(ActivityLog::Severity severity, const QString &text);

private:
    struct PendingSend
    {
        QString channel;
        QString data;
        QString description;
        QElapsedTimer age;
    };
    struct PendingKill
    {
        QString group;
        int code = 0;
        QElapsedTimer age;
    };
    void checkTimeouts();
    bool ensureConnected(const QString &what);

    ClusterMonitor *m_monitor;
    QList<PendingSend> m_sends;
    QHash<qint64, PendingKill> m_kills;
    QElapsedTimer m_reloadRequested;
    QElapsedTimer m_stopRequested;
    QTimer m_timeoutTimer;
    int m_sendTimeoutMs = 5000;
    int m_killTimeoutMs = 15000;
    int m_controlTimeoutMs = 5000;
};
