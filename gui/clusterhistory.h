// SPDX-License-Identifier: MIT
#pragma once

#include "logentry.h"

#include <ClustrQt/clusterevent.h>
#include <ClustrQt/clusterstatus.h>

#include <QtCore/QMap>
#include <QtCore/QObject>
#include <QtCore/QPointF>
#include <QtCore/QTimer>
#include <QtGui/QColor>

#include <chrono>

/*
  The last minutes of the cluster as time series, sampled once a second:
  messages per second by kind (counted as they arrive, before any batching
  or dropping under load), workers up per
  group (from the status snapshot) and restarts (from the master's events,
  counted since the monitor started). Plain data: the charts draw it, the
  tests read it.
*/
class ClusterHistory : public QObject
{
    Q_OBJECT
public:
    struct Series
    {
        QString name;
        QColor color;
        QList<QPointF> points; // x: ms since the epoch, y: the value
    };

    explicit ClusterHistory(QObject *parent = nullptr);

    //! How far back the series go (default 5 minutes).
    void setWindow(std::chrono::seconds window);
    std::chrono::seconds window() const { return m_window; }
    void setSampleInterval(std::chrono::milliseconds interval);

    //! By kind; kinds without a message in the window are left out.
    QList<Series> messageRates() const;
    QList<Series> workersUp() const;
    QList<Series> restarts() const;
    //! Messages per second over the last sample, all kinds.
    double currentRate() const { return m_currentRate; }
    qint64 lastSampleTime() const { return m_lastSample; }
    //! Where the series begin: the window, or less while the monitor is younger than it.
    qint64 startTime() const;

public Q_SLOTS:
    void countMessage(const Clustr::Message &message);
    void addStatus(const Clustr::ClusterStatus &status);
    void addEvent(const Clustr::ClusterEvent &event);
    //! Takes a sample now (the timer does it every interval).
    void sample();
    void clear();

Q_SIGNALS:
    void sampled();

private:
    void trim(QList<QPointF> &points, qint64 now) const;

    QTimer m_timer;
    std::chrono::seconds m_window{300};
    qint64 m_lastSample = 0;
    qint64 m_firstSample = 0;
    double m_currentRate = 0;
    QMap<int, qint64> m_kindCounts;          // since the last sample
    QMap<int, QList<QPointF>> m_rates;       // by kind
    QMap<QString, int> m_upNow;              // by group, from the last status
    QMap<QString, QList<QPointF>> m_up;      // by group
    qint64 m_respawns = 0;
    qint64 m_lost = 0;
    qint64 m_crashes = 0;
    QList<QPointF> m_respawnPoints;
    QList<QPointF> m_lostPoints;
    QList<QPointF> m_crashPoints;
};
