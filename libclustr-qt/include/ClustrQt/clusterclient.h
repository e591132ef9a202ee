// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/accesscontrol.h>
#include <ClustrQt/clusterevent.h>
#include <ClustrQt/clusterstatus.h>
#include <ClustrQt/global.h>
#include <ClustrQt/message.h>

#include <QtCore/QObject>

#include <chrono>
#include <memory>
#include <optional>

namespace Clustr {

class ClusterClientPrivate;
class RedisClient;
class ReloadJob;

/*!
  Watches and drives a running cluster from outside it: what the
  `clustr-qt` control commands and `clustr-qt-gui` are built on.

  It reads the master's announcement and status snapshot (Redis keys the
  master writes when they change, see docs/PROTOCOL.md section 11), follows
  the master's lifecycle events (registrations, exits, reload steps), and
  sends messages, kills, reloads and stops. It never registers: it is not
  part of the cluster. Messages it sends carry its own pid and the group "cli".

  Every answer is checked: a message Redis refuses (an ACL user without
  +publish gets NOPERM) is reported by errorOccurred() with
  PermissionDenied or CommandRefused, each time; so is a refused read of the
  cluster's state, once until a read succeeds again. The records are read up
  to MaxRecordSize bytes: a larger one is a MalformedRecord, not read whole.
*/
class CLUSTR_EXPORT ClusterClient : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString redisUrl READ redisUrl WRITE setRedisUrl NOTIFY redisUrlChanged)
    Q_PROPERTY(QString clusterName READ clusterName WRITE setClusterName NOTIFY clusterNameChanged)
    Q_PROPERTY(QString host READ host WRITE setHost NOTIFY hostChanged)
    Q_PROPERTY(Error error READ error NOTIFY errorOccurred)
    Q_PROPERTY(bool connected READ isConnected NOTIFY connectedChanged)
    Q_PROPERTY(bool clusterRunning READ isClusterRunning NOTIFY clusterRunningChanged)
    Q_PROPERTY(qint64 masterPid READ masterPid NOTIFY masterChanged)
    Q_PROPERTY(bool readOnly READ isReadOnly NOTIFY readOnlyChanged)
    Q_PROPERTY(bool sampling READ isSampling WRITE setSampling NOTIFY samplingChanged)

public:
    //! What went wrong last; the same model as RedisClient's.
    enum class Error {
        NoError,
        InvalidUrl,          //!< open(): the Redis URL cannot be used
        InvalidName,         //!< open(): the cluster name cannot be used
        ConnectionFailed,    //!< Redis refused or could not be reached
        ConnectionLost,      //!< an established connection went away
        AuthenticationFailed,
        MalformedRecord,     //!< the master's announcement or status is malformed or too large
        RedisError,          //!< any other error of a connection (see RedisClient::Error)
        PermissionDenied,    //!< Redis' ACL refused a read or a message (NOPERM)
        CommandRefused,      //!< Redis answered a read or a message with another error, or lost it
        NotDelivered,        //!< a kill or control command reached no receiver in time (see kill())
    };
    Q_ENUM(Error)

    //! The largest announcement or status read (16 MiB); see docs/PROTOCOL.md section 11.
    static constexpr qsizetype MaxRecordSize = 16 * 1024 * 1024;

    explicit ClusterClient(QObject *parent = nullptr);
    ~ClusterClient() override;

    /*!
      Where a tool finds a cluster when it is not told: `CLUSTR_REDIS`, then
      the embedded Redis a `clustr-qt run` recorded for \a clusterName (see
      recordFile(); without a name, the only cluster recorded here if there
      is just one), then redis://127.0.0.1:6379. \a tried (if given) gets a
      readable list of what was looked at.
    */
    static QString discoverRedisUrl(const QString &clusterName, QStringList *tried = nullptr);
    /*!
      As above; when the recorded embedded Redis has ACL users (it always
      has, see docs/SECURITY.md), the URL logs in as \a role's user: a tool
      that only reads asks for Monitor, one that commands for Operator (the
      overload above).
    */
    static QString discoverRedisUrl(const QString &clusterName, AccessControl::Role role, QStringList *tried = nullptr);
    /*!
      Where `clustr-qt run` records its embedded Redis: $XDG_RUNTIME_DIR/clustr-qt/
      (without XDG_RUNTIME_DIR: /run/clustr-qt/ for root, /tmp/clustr-qt-UID/ for others).
      It is trusted only as a real directory of this user with mode 0700.
    */
    static QString runtimeDirectory();
    /*!
      Creates runtimeDirectory() with mode 0700 if needed and checks it is
      this user's own (not a symlink, owned by us, mode 0700). False with
      the reason in \a error if not: someone else may have made it first.
    */
    static bool prepareRuntimeDirectory(QString *error);
    static QString recordFile(const QString &clusterName);
    //! The pid of the `clustr-qt run` whose embedded Redis is recorded for \a clusterName,
    //! if the record is trusted and that process runs; 0 if none.
    static qint64 recordedDaemonPid(const QString &clusterName);
    //! A cluster whose `clustr-qt run` recorded its embedded Redis on this host.
    struct RecordedCluster
    {
        //! What every tool calls it: its file's "name", else the file's base name (empty for a record of old).
        QString name;
        qint64 daemonPid = 0;
        QString redisUrl;  //!< logged in as the monitor
        //! Its channels' namespace (setClusterName()): its "name"; empty for a file without one.
        QString clusterNamespace;
    };
    //! Every trusted record in runtimeDirectory() whose daemon runs, by name.
    static QList<RecordedCluster> recordedClusters();
    /*!
      The live record of the cluster called \a name here; for an empty name
      the only cluster recorded, if there is exactly one. Nothing if none.
    */
    static std::optional<RecordedCluster> recordedCluster(const QString &name);
    /*!
      Records, for tools that look for \a clusterName, that this process runs
      it on \a redisUrl, an embedded redis-server of pid \a redisPid (see
      discoverRedisUrl()). False with the reason in \a error if it cannot be written.
    */
    static bool writeRecord(const QString &clusterName, const QString &redisUrl, qint64 redisPid, QString *error = nullptr);
    //! As above, with the ACL \a passwords of its users, so that tools log in as the role they need.
    static bool writeRecord(const QString &clusterName, const QString &redisUrl, qint64 redisPid,
                            const AccessControl::Passwords &passwords, QString *error = nullptr);
    /*!
      As above, for a cluster called \a name whose channels' namespace is
      \a clusterNamespace: a file without a "name" runs the unnamed cluster
      (empty namespace) and is called by its base name.
    */
    static bool writeRecord(const QString &name, const QString &clusterNamespace, const QString &redisUrl, qint64 redisPid,
                            const AccessControl::Passwords &passwords, QString *error = nullptr);
    /*!
      Writes \a bytes to the file \a path in runtimeDirectory(), mode 0600,
      through a fresh temporary and rename() (never through a planted
      symlink), after prepareRuntimeDirectory(). False with \a error if not.
    */
    static bool writeRuntimeFile(const QString &path, const QByteArray &bytes, QString *error = nullptr);

    QString redisUrl() const;
    void setRedisUrl(const QString &url);
    //! The cluster's name, which is its channel namespace; empty for none.
    QString clusterName() const;
    void setClusterName(const QString &name);
    /*!
      In a cluster across hosts, the host whose master this client reads and
      drives (set before open()). Empty (the default): a cluster of one host,
      and, for a named cluster, the list of its hosts (hosts()).
    */
    QString host() const;
    void setHost(const QString &host);
    /*!
      Of a named cluster, without a host() or with one: every host of the
      cluster across hosts, sorted by name, as of the last refresh (empty for
      a cluster of one host).
    */
    QList<ClusterHost> hosts() const;
    //! How often the status is read (default 1 s).
    void setPollInterval(std::chrono::milliseconds interval);

    //! Connects and starts following the cluster; false for an invalid URL or name.
    bool open();
    void close();
    bool isConnected() const;
    /*!
      The connection's Redis user may read the cluster's state and watch its
      channels but not publish on them (a monitor, docs/SECURITY.md): kill,
      messages, reload and stop would be refused. Asked anew at every
      connect, without sending anything (a MULTI that is discarded);
      readOnlyReason() gives Redis' answer.
    */
    bool isReadOnly() const;
    QString readOnlyReason() const;
    Error error() const;
    QString errorString() const;
    //! A master announces itself for this name.
    bool isClusterRunning() const;
    //! Redis confirmed the subscription to the master's events: nothing it does from now on is missed.
    bool isFollowingEvents() const;
    //! Redis confirmed the pattern of watch(): every message from now on is observed.
    bool isWatching() const;
    qint64 masterPid() const;
    //! The master's announcement: pid, host, name, startedAt, state, version, redis...; a default one (pid 0) for none.
    MasterInfo master() const;
    //! The last status snapshot (see docs/PROTOCOL.md section 11); a default one (master pid 0) before the first.
    ClusterStatus status() const;
    //! Reads the announcement and the status now; statusUpdated() follows.
    void refresh();
    //! Asks Redis which clusters announce themselves there; clustersFound() answers (after open()).
    void findClusters();

    /*!
      An idle cluster measures nothing: its processes send their CPU, memory
      and message counters only while someone asks (docs/PROTOCOL.md section
      8.4). This asks once: every process of the cluster answers at once and
      keeps answering every heartbeat interval for \a lease (0: once). The
      master writes the status when the answers are in, with
      MasterInfo::sampleId() set to the id returned here; empty if no
      master is known yet. A monitor (read-only) user may ask too.
    */
    QString requestSamples(std::chrono::milliseconds lease = std::chrono::milliseconds(0));
    /*!
      While true, the client keeps asking for figures (a 10 s lease renewed
      every 3 s, with its reads): what a window showing the cluster sets
      while it is shown. False by default.
    */
    bool isSampling() const;
    void setSampling(bool sampling);

    void publish(const QJsonValue &data);
    void send(qint64 pid, const QJsonValue &data);
    void sendGroup(const QString &group, const QJsonValue &data);
    /*!
      As publish(), send() and sendGroup(), with the data already JSON text:
      sent byte for byte, so key order and number spelling reach the workers
      as written. False (nothing sent) if \a json is not valid JSON.
    */
    bool publishJson(const QByteArray &json);
    bool sendJson(qint64 pid, const QByteArray &json);
    bool sendGroupJson(const QString &group, const QByteArray &json);
    /*!
      Kills process \a pid with \a exitCode (0..255); false if the code is out
      of range. A kill, like reload(), stop() and the commands of ReloadJob,
      is published again until its receiver got it (Redis counts it among
      the subscribers that received it), for up to 10 s: one sent while the
      process reconnects after an outage or a failover is not lost. Then it
      is given up with Error::NotDelivered. See pendingDeliveries().
    */
    bool kill(qint64 pid, int exitCode);
    //! Kills and control commands sent but not yet received (being published again), to wait for before exiting.
    int pendingDeliveries() const;
    //! Asks the master for a rolling reload; false if no master is known.
    bool reload();
    //! Asks the master to stop the cluster with \a exitCode; false if no master is known.
    bool stop(int exitCode = 15);

    /*!
      The commands people run on a cluster, as jobs (see ReloadJob): each
      returns a job, parented to this client and not started yet; connect
      to it, then call its start(), which asks the master and follows the
      command to its end. The master refuses a target it does not have or a
      command with nothing to do (ReloadJob::NoSuchTarget, NothingToDo, ...).
      Delete the job when done with it (e.g. deleteLater() on its result()).
    */
    //! Restarts every worker one at a time, given-up ones included (`clustr-qt restart all`).
    Clustr::ReloadJob *restartCluster();
    //! Restarts the processes of \a group, one at a time, given-up ones included.
    Clustr::ReloadJob *restartGroup(const QString &group);
    //! Restarts process \a pid (or starts the given-up child whose last pid it was).
    Clustr::ReloadJob *restartProcess(qint64 pid);
    //! Stops every process of \a group (a spawn entry of the master); it stays stopped until startGroup().
    Clustr::ReloadJob *stopGroup(const QString &group);
    //! Starts \a group again, to its configured instance count.
    Clustr::ReloadJob *startGroup(const QString &group);
    //! Gives \a group \a instances processes (0..1000).
    Clustr::ReloadJob *scale(const QString &group, int instances);
    /*!
      Has the master read its spawn entries again (the daemon: its cluster
      file) and apply what changed, or with \a dryRun only say what would
      (`clustr-qt reload --config [--dry-run]`): the job's plan() and
      planReceived() say it, one line per group. See Master::updateSpawnEntries().
    */
    Clustr::ReloadJob *updateConfig(bool dryRun = false);

    //! Reports every message on the cluster's channels matching \a pattern (Redis glob, without the namespace).
    void watch(const QString &pattern = QStringLiteral("*"));
    void unwatch();

    RedisClient *publisher() const;
    RedisClient *subscriber() const;

Q_SIGNALS:
    void connectedChanged(bool connected);
    void clusterRunningChanged(bool running);
    void masterChanged(const Clustr::MasterInfo &master);
    void statusUpdated(const Clustr::ClusterStatus &status);
    //! A read of the announcement and the status finished (whatever it found; also when Redis did not answer).
    void refreshed();
    //! A lifecycle event of the master (a registration, an exit, a reload step...).
    void eventReceived(const Clustr::ClusterEvent &event);
    //! A message seen by watch(); \a raw is the payload as it came (also when it does not decode).
    void messageObserved(const Clustr::Message &message, const QByteArray &raw);
    //! Every failure comes through here, with a readable \a text (also in errorString()).
    void errorOccurred(Clustr::ClusterClient::Error error, const QString &text);
    void redisUrlChanged(const QString &url);
    void clusterNameChanged(const QString &name);
    void hostChanged(const QString &host);
    void hostsChanged(const QList<Clustr::ClusterHost> &hosts);
    void readOnlyChanged(bool readOnly);
    void samplingChanged(bool sampling);
    //! The names of the clusters that run on this Redis, sorted; an unnamed one is "".
    void clustersFound(const QStringList &names);

private:
    Q_DECLARE_PRIVATE(ClusterClient)
    std::unique_ptr<ClusterClientPrivate> const d_ptr;
};

} // namespace Clustr
