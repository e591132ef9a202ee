// SPDX-License-Identifier: MIT
#include "reloadprogress.h"

ReloadProgress::ReloadProgress(QObject *parent)
    : QObject(parent)
{
}

int ReloadProgress::percent() const
{
    if (m_steps <= 0)
        return m_active ? 0 : 100;
    return std::min(100, m_completed * 100 / m_steps);
}

void ReloadProgress::update(const QString &text)
{
    m_text = text;
    Q_EMIT progressChanged(percent(), m_text);
}

void ReloadProgress::handleEvent(const QJsonObject &event)
{
    const QString name = event.value(QStringLiteral("event")).toString();
    if (name == QLatin1String("reloadStarted")) {
        m_active = true;
        m_steps = event.value(QStringLiteral("steps")).toInt();
        m_completed = 0;
        m_problems = 0;
        Q_EMIT started(m_steps);
        update(QStringLiteral("Reloading: %1 workers to replace").arg(m_steps));
    } else if (name == QLatin1String("reloadStep")) {
        if (!m_active) { // we joined mid-reload
            m_active = true;
            Q_EMIT started(m_steps);
        }
        const QString phase = event.value(QStringLiteral("phase")).toString();
        const int step = event.value(QStringLiteral("step")).toInt();
        m_steps = std::max(m_steps, event.value(QStringLiteral("steps")).toInt());
        if (phase == QLatin1String("started")) {
            m_completed = std::max(m_completed, step - 1);
            update(QStringLiteral("Reloading: step %1 of %2, replacing %3").arg(step).arg(m_steps)
                       .arg(qint64(event.value(QStringLiteral("oldPid")).toDouble())));
        } else {
            m_completed = std::max(m_completed, step);
            if (phase == QLatin1String("timedOut"))
                ++m_problems;
            update(QStringLiteral("Reloading: %1 of %2 replaced").arg(m_completed).arg(m_steps));
        }
    } else if (name == QLatin1String("clusterReloaded")) {
        m_active = false;
        m_completed = m_steps;
        const QString text = QStringLiteral("Reloaded %1 workers in %2 s%3")
                                 .arg(event.value(QStringLiteral("workers")).toInt())
                                 .arg(event.value(QStringLiteral("durationMs")).toDouble() / 1000, 0, 'f', 1)
                                 .arg(m_problems ? QStringLiteral(" (%1 steps timed out)").arg(m_problems) : QString());
        update(text);
        Q_EMIT finished(m_problems == 0, text);
    } else if (name == QLatin1String("stopping") && m_active) {
        abandon();
    }
}

void ReloadProgress::handleMaster(const QJsonObject &master)
{
    const QJsonObject reload = master.value(QStringLiteral("reload")).toObject();
    if (reload.isEmpty() || m_active)
        return;
    m_active = true;
    m_steps = reload.value(QStringLiteral("steps")).toInt();
    m_completed = std::max(0, reload.value(QStringLiteral("step")).toInt() - 1);
    Q_EMIT started(m_steps);
    update(QStringLiteral("Reloading: step %1 of %2").arg(m_completed + 1).arg(m_steps));
}

void ReloadProgress::abandon()
{
    if (!m_active)
        return;
    m_active = false;
    m_text = QStringLiteral("Reload interrupted after %1 of %2 steps").arg(m_completed).arg(m_steps);
    Q_EMIT finished(false, m_text);
}
