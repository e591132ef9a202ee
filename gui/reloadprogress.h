// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/clusterstatus.h>

#include <QtCore/QObject>
#include <QtCore/QPointer>

#include <memory>

namespace Clustr {
class ClusterClient;
class ReloadJob;
}

/*
  The rolling reload as a percentage and a sentence, for the status bar.

  The library's Clustr::ReloadJob does the bookkeeping (steps, progress,
  the end of the reload) in follow() mode; this class turns its signals
  into the monitor's texts and follows again after each reload. A monitor
  started in the middle of a reload picks it up from the announcement.
*/
class ReloadProgress : public QObject
{
    Q_OBJECT
public:
    explicit ReloadProgress(QObject *parent = nullptr);
    ~ReloadProgress() override;

    //! Follows the reloads of the cluster \a client watches (nullptr: none); forgets the old client's.
    void setClient(Clustr::ClusterClient *client);

    //! A reload is under way (from its start until finished()).
    bool isActive() const { return m_active; }
    int percent() const { return m_percent; }
    int step() const { return m_completed; }
    int steps() const { return m_steps; }
    QString text() const { return m_text; }

public Q_SLOTS:
    //! The cluster went out of sight: a reload in progress is reported as interrupted.
    void abandon();

Q_SIGNALS:
    void started(int steps);
    void progressChanged(int percent, const QString &text);
    void finished(bool ok, const QString &text);

private:
    void createJob();
    void follow();
    void followWhenCaughtUp();
    bool announcementCaughtUp(const Clustr::MasterInfo &master) const;
    void stopFollowing();
    void handleStarted(int steps);
    void handleResult();
    void report(const QString &text);
    QString interruptedText() const;

    QPointer<Clustr::ClusterClient> m_client;
    std::unique_ptr<Clustr::ReloadJob> m_job;
    bool m_following = false;
    bool m_active = false;
    bool m_abandoned = false;
    // The announcement when the last reload ended: see followWhenCaughtUp().
    Clustr::MasterInfo m_endedAt;
    int m_percent = 100;
    int m_steps = 0;
    int m_completed = 0;
    QString m_text;
};
