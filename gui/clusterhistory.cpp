// SPDX-License-Identifier: MIT
#include "clusterhistory.h"

#include "processinfo.h"

#include <QtCore/QDateTime>

#include <algorithm>

ClusterHistory::ClusterHistory(QObject *parent)
    : QObject(parent)
{
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &ClusterHistory::sample);
    m_timer.start();
    m_lastSample = QDateTime::currentMSecsSinceEpoch();
}

void ClusterHistory::setWindow(std::chrono::seconds window)
{
    m_window = window;
}

void ClusterHistory::setSampleInterval(std::chrono::milliseconds interval)
{
    m_timer.setInterval(interval);
}

void ClusterHistory::countMessage(const Clustr::Message &message)
{
    ++m_kindCounts[int(logKindOf(message))];
}

void ClusterHistory::addStatus(const Clustr::ClusterStatus &status)
{
    if (status.master().pid() <= 0) {
        for (auto it = m_upNow.begin(); it != m_upNow.end(); ++it)
            it.value() = 0; // the cluster is gone: nothing is up
        return;
    }
    QMap<QString, int> up;
    for (auto it = m_upNow.cbegin(); it != m_upNow.cend(); ++it)
        up.insert(it.key(), 0); // a group that emptied shows 0, not its last value
    for (const Clustr::ProcessStatus &process : status.processes()) {
        int &count = up[process.group()];
        if (process.state() == Clustr::ChildInfo::State::Running)
            ++count;
    }
    m_upNow = up;
}

void ClusterHistory::addEvent(const Clustr::ClusterEvent &event)
{
    using Type = Clustr::ClusterEvent::Type;
    if (event.type() == Type::Respawned)
        ++m_respawns;
    else if (event.type() == Type::Lost)
        ++m_lost;
    else if (event.type() == Type::Exited && event.exitCode() != 0 && event.exitCode() != 1)
        ++m_crashes; // 1 is "respawn me" (kills, reloads); other codes and signals are crashes
}

void ClusterHistory::trim(QList<QPointF> &points, qint64 now) const
{
    const double oldest = double(now - qint64(m_window.count()) * 1000);
    qsizetype drop = 0;
    while (drop < points.size() && points.at(drop).x() < oldest)
        ++drop;
    if (drop)
        points.remove(0, drop);
}

void ClusterHistory::sample()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const double seconds = std::max(0.001, double(now - m_lastSample) / 1000);
    m_lastSample = now;
    if (m_firstSample == 0)
        m_firstSample = now;
    const double x = double(now);

    double total = 0;
    for (auto it = m_rates.begin(); it != m_rates.end(); ++it) {
        if (!m_kindCounts.contains(it.key()))
            it->append(QPointF(x, 0));
    }
    for (auto it = m_kindCounts.cbegin(); it != m_kindCounts.cend(); ++it) {
        const double rate = double(it.value()) / seconds;
        m_rates[it.key()].append(QPointF(x, rate));
        total += rate;
    }
    m_kindCounts.clear();
    m_currentRate = total;
    for (auto &points : m_rates)
        trim(points, now);

    for (auto it = m_upNow.cbegin(); it != m_upNow.cend(); ++it)
        m_up[it.key()].append(QPointF(x, it.value()));
    for (auto &points : m_up)
        trim(points, now);

    m_respawnPoints.append(QPointF(x, double(m_respawns)));
    m_lostPoints.append(QPointF(x, double(m_lost)));
    m_crashPoints.append(QPointF(x, double(m_crashes)));
    trim(m_respawnPoints, now);
    trim(m_lostPoints, now);
    trim(m_crashPoints, now);
    Q_EMIT sampled();
}

void ClusterHistory::clear()
{
    m_kindCounts.clear();
    m_rates.clear();
    m_upNow.clear();
    m_up.clear();
    m_respawns = m_lost = m_crashes = 0;
    m_respawnPoints.clear();
    m_lostPoints.clear();
    m_crashPoints.clear();
    m_currentRate = 0;
    m_firstSample = 0;
}

qint64 ClusterHistory::startTime() const
{
    const qint64 windowStart = m_lastSample - qint64(m_window.count()) * 1000;
    // At least a minute wide: a young monitor's first points are not stretched over the whole chart.
    const qint64 minuteAgo = m_lastSample - 60000;
    return m_firstSample == 0 ? windowStart : std::max(windowStart, std::min(m_firstSample, minuteAgo));
}

QList<ClusterHistory::Series> ClusterHistory::messageRates() const
{
    QList<Series> result;
    for (LogKind kind : allKinds()) {
        const auto it = m_rates.constFind(int(kind));
        // Kinds silent for the whole window would only crowd the legend.
        if (it != m_rates.cend() && std::any_of(it->cbegin(), it->cend(), [](const QPointF &p) { return p.y() > 0; }))
            result.append({kindName(kind), kindColor(kind), *it});
    }
    return result;
}

QList<ClusterHistory::Series> ClusterHistory::workersUp() const
{
    // A palette that tells groups apart; the kinds' palette would suggest a meaning.
    static const QColor palette[] = {QColor(0x1f, 0x77, 0xb4), QColor(0x2c, 0xa0, 0x2c), QColor(0xff, 0x7f, 0x0e),
                                     QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b), QColor(0xe3, 0x77, 0xc2),
                                     QColor(0x17, 0xbe, 0xcf), QColor(0xbc, 0xbd, 0x22)};
    QList<Series> result;
    int i = 0;
    for (auto it = m_up.cbegin(); it != m_up.cend(); ++it, ++i)
        result.append({it.key(), palette[i % 8], *it});
    return result;
}

QList<ClusterHistory::Series> ClusterHistory::restarts() const
{
    // The colours of the states these events lead to, as the tree shows them.
    using State = Clustr::ChildInfo::State;
    return {{QStringLiteral("respawns"), ProcessState(State::Running).color(), m_respawnPoints},
            {QStringLiteral("crashes"), ProcessState(State::Failed).color(), m_crashPoints},
            {QStringLiteral("lost"), ProcessState(State::BackingOff).color(), m_lostPoints}};
}
