// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QObject>

/*
  The rolling reload as a percentage, from the master's events:
  reloadStarted gives the number of steps, every reloadStep that finished,
  was skipped or timed out completes one, clusterReloaded is 100 %. A
  monitor started in the middle of a reload picks it up from the
  announcement's "reload" field.
*/
class ReloadProgress : public QObject
{
    Q_OBJECT
public:
    explicit ReloadProgress(QObject *parent = nullptr);

    bool isActive() const { return m_active; }
    int percent() const;
    int step() const { return m_completed; }
    int steps() const { return m_steps; }
    QString text() const { return m_text; }

public Q_SLOTS:
    void handleEvent(const QJsonObject &event);
    //! The master's announcement (status "master"): catches a reload already running.
    void handleMaster(const QJsonObject &master);
    //! The cluster went away: a reload in progress will not finish.
    void abandon();

Q_SIGNALS:
    void started(int steps);
    void progressChanged(int percent, const QString &text);
    void finished(bool ok, const QString &text);

private:
    void update(const QString &text);

    bool m_active = false;
    int m_steps = 0;
    int m_completed = 0;
    int m_problems = 0;
    QString m_text;
};
