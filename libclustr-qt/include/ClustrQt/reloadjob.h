// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/clusterevent.h>
#include <ClustrQt/global.h>

#include <QtCore/QObject>
#include <QtCore/QStringList>

#include <chrono>
#include <memory>

namespace Clustr {

class ClusterClient;
class MasterInfo;
class ReloadJobPrivate;

/*!
  One rolling reload of a running cluster, followed through the master's
  events: its steps, its progress, and one result() at its end. The
  `clustr-qt reload` progress bar and the monitor's reload bar both watch
  one of these.

  The same job runs the other commands a cluster takes (operation(): a
  restart, a group's stop or start, a scale; ClusterClient::restartGroup()
  and its siblings make them): start() sends the command with a request
  id and follows the master's answers to it (docs/PROTOCOL.md section 11).
  A restart has steps as a reload has; a group command counts the
  processes still to stop or to become ready.

  start() asks the master for a reload and follows it; follow() only
  watches for the next reload (or the one under way, picked up from the
  master's announcement). Either can be called again once result() came.
  A reload requested while another runs is queued by the master: the job
  ignores the earlier reload's events and waits for its own start.
*/
class CLUSTR_EXPORT ReloadJob : public QObject
{
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(int completedSteps READ completedSteps NOTIFY progressChanged)
    Q_PROPERTY(int currentStep READ currentStep NOTIFY progressChanged)
    Q_PROPERTY(int steps READ steps NOTIFY progressChanged)
    Q_PROPERTY(int percent READ percent NOTIFY progressChanged)
    Q_PROPERTY(Operation operation READ operation CONSTANT)

public:
    enum class Operation { Reload, Restart, StopGroup, StartGroup, Scale, Update };
    Q_ENUM(Operation)

    enum class State { Idle, Waiting, Running, Finished };
    Q_ENUM(State)

    enum class Error {
        NoError,
        NoMaster,          //!< no master to ask (or the request could not be sent)
        NotStarted,        //!< the master did not start the reload within the start timeout
        StepsTimedOut,     //!< the reload finished, but some steps timed out (see failures())
        ClusterStopping,   //!< the cluster began to stop during the reload
        MasterGone,        //!< the master went away during the reload
        RedisLost,         //!< Redis was unreachable for longer than the Redis timeout
        Timeout,           //!< the reload took longer than timeout()
        Refused,           //!< Redis' ACL refused the request, or the reads that follow it (NOPERM)
        NoSuchTarget,      //!< the master has no such group or process
        NothingToDo,       //!< the target is as asked already (stopped, running, of that size)
        Rejected,          //!< the master refused the command (see errorText(): busy, invalid, stopping)
        Failed,            //!< a group command could not finish (a process of the group was given up)
    };
    Q_ENUM(Error)

    //! Follows the cluster \a client watches; the client must outlive the job.
    explicit ReloadJob(ClusterClient *client, QObject *parent = nullptr);
    ~ReloadJob() override;

    //! What start() asks for; Reload unless set (before start()).
    void setOperation(Operation operation);
    Operation operation() const;
    //! The group a command acts on (a restart of the whole cluster: none).
    void setGroup(const QString &group);
    QString group() const;
    //! The process a restart acts on (0: none).
    void setPid(qint64 pid);
    qint64 pid() const;
    //! A scale's new instance count.
    void setInstances(int instances);
    int instances() const;
    //! An update that only asks for the plan (`clustr-qt reload --config --dry-run`).
    void setDryRun(bool dryRun);
    bool isDryRun() const;
    //! An update's plan, one line per group, once the master answered (see planReceived()).
    QStringList plan() const;
    //! "reload", "restart of group web", "scale of group web to 3": for messages.
    QString description() const;

    //! How long start() waits for the master to start the reload (or to answer a command; default 5 s).
    void setStartTimeout(std::chrono::milliseconds timeout);
    //! How long the whole reload may take (default 0: no limit).
    void setTimeout(std::chrono::milliseconds timeout);
    //! How long Redis may be unreachable before the job gives up (default 5 s).
    void setRedisTimeout(std::chrono::milliseconds timeout);

    //! Asks the master for a reload and follows it. False (and error() NoMaster) if no master is known.
    bool start();
    //! Follows the next reload, or the one the master's announcement says is under way.
    void follow();

    State state() const;
    //! Steps that are over (replaced, skipped or timed out).
    int completedSteps() const;
    //! The step under way (1-based), 0 before the first.
    int currentStep() const;
    int steps() const;
    //! 0..100; 100 once finished.
    int percent() const;
    //! "at step 2/4", "before the first of 4 steps", "it had not started": for messages.
    QString position() const;
    //! Each step that timed out, as a readable reason.
    QStringList failures() const;
    /*!
      The processes that were no step of their own, each as "pid (group):
      reason": replaced with their parent, or not replaced at all
      (`respawn: false`, `register: false`, given up).
    */
    QStringList excluded() const;
    //! Finished reloads: how many workers the cluster had after it, and how long it took.
    int workerCount() const;
    qint64 durationMs() const;
    //! Events of an earlier reload came while this one waited for its start.
    bool sawEarlierReload() const;

    Error error() const;
    QString errorText() const;

Q_SIGNALS:
    void stateChanged(Clustr::ReloadJob::State state);
    //! The reload began with \a steps steps (or, for follow(), was found under way).
    void started(int steps);
    void stepStarted(int step, int steps, qint64 oldPid, const QString &group);
    //! Step \a step is over: \a oldPid was replaced by \a newPid (0: it was gone and skipped).
    void stepFinished(int step, int steps, qint64 oldPid, qint64 newPid);
    void stepTimedOut(int step, int steps, qint64 oldPid, const QString &group);
    void progressChanged(int completedSteps, int steps);
    //! An update's plan came: what it changes (or, refused, would have), one line per group.
    void planReceived(const QStringList &plan);
    //! The job is over, with error() NoError or the reason; emitted once per start() or follow().
    void result(Clustr::ReloadJob *job);

private:
    Q_DECLARE_PRIVATE(ReloadJob)
    std::unique_ptr<ReloadJobPrivate> const d_ptr;
};

} // namespace Clustr
