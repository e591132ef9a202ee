// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <ClustrQt/childinfo.h>
#include <ClustrQt/clusterevent.h>
#include <ClustrQt/clusterstatus.h>
#include <ClustrQt/heartbeat.h>

#include <QtCore/QHash>
#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>

#include <optional>

namespace Clustr::Protocol {

//! A request for fresh figures on `sampling:<masterPid>` (docs/PROTOCOL.md section 8.4).
struct SamplingRequest
{
    //! Ten minutes at most: a watcher renews its lease, a forgotten one runs out.
    static constexpr qint64 MaxLeaseMs = 600000;
    //! How long the tree keeps heartbeating with figures; 0: one heartbeat now.
    qint64 leaseMs = 0;
    //! Chosen by the tool; the master's status says which request it answers last (MasterInfo::sampleId()).
    QString id;
};

//! A command for the master on `control:<masterPid>` (docs/PROTOCOL.md section 11).
struct ControlCommand
{
    enum class Type { Reload, Stop, Restart, StopGroup, StartGroup, Scale, Update };
    //! The most instances a scale command may ask for: a typo must not fork thousands of processes.
    static constexpr int MaxInstances = 1000;
    //! The longest request id a tool may choose.
    static constexpr int MaxIdLength = 64;

    Type type = Type::Reload;
    int exitCode = 15; //!< Stop: the master's exit code
    //! Chosen by the tool, echoed in the answer events (command*, reloadStarted); may be empty.
    QString id;
    //! Restart of one group; StopGroup, StartGroup, Scale: the group.
    QString group;
    //! Restart of one process (its pid, or the last pid of a given-up child).
    qint64 pid = 0;
    //! Scale: the group's new instance count (0..MaxInstances).
    int instances = 0;
    //! Update: only say what would change (the plan), change nothing.
    bool dryRun = false;

    //! The protocol's name of \a type: "reload", "stopGroup", ...
    static QString typeName(Type type);

    //! Why a command failed: the `error` of its commandRejected or commandFinished event.
    enum class Failure { None, NoSuchTarget, NothingToDo, Invalid, Busy, Stopping, Failed };
    //! "noSuchTarget", ...; empty for None.
    static QString failureName(Failure failure);
    //! Failed for a name it does not know (a newer master's), None for empty.
    static Failure failureFromName(const QString &name);
};

//! Where a `clustr-qt run` with an embedded Redis says its Redis is (the runtime record file).
struct RuntimeRecord
{
    qint64 pid = 0;
    QString redisUrl;
    qint64 redisPid = 0;
    QString cluster;
    //! The embedded Redis' ACL passwords by role name ("operator", ...); empty for a Redis without them.
    QHash<QString, QString> passwords;
};

//! Who holds a cluster's name lock: `<pid>@<host>`, then, when they are
//! known, `#<start time>#<process table>`: the holder's start in clock ticks
//! after boot (which tells it from a later process given the same pid) and
//! the process table its pid belongs to (ProcessTable::identity()).
struct LockOwner
{
    qint64 pid = 0;
    QString host;
    quint64 startTime = 0;   //!< 0: not known (a holder that did not write it)
    QByteArray processTable; //!< empty: not known
};

/*!
  Every record of the protocol besides the message envelope (which Codec
  reads and writes): heartbeats, the master's announcement and status, its
  events, control commands, the runtime record and the lock. The JSON keys
  of these records are written here and nowhere else.

  Readers validate: a field of the wrong type (or a number out of range, a
  state name the protocol does not know) rejects the whole record with a
  one-line reason in \a error. Fields they do not know are ignored, so a
  newer peer can add some.
*/
class CLUSTR_AUTOTEST_EXPORT Records
{
public:
    //! A child as a heartbeat carries it (pid, group, registers, respawn, state,
    //! restarts), or in full as the status' `children` do.
    enum class ChildForm { Heartbeat, Full };

    static QJsonObject toJson(const ChildInfo &child, ChildForm form);
    static std::optional<ChildInfo> childInfo(const QJsonValue &value, QString *error = nullptr);

    static QJsonObject toJson(const Heartbeat &heartbeat);
    static std::optional<Heartbeat> heartbeat(const QJsonValue &value, QString *error = nullptr);

    static QJsonObject toJson(const MasterInfo &master);
    static std::optional<MasterInfo> masterInfo(const QJsonValue &value, QString *error = nullptr);

    static QJsonObject toJson(const ProcessStatus &process);
    static std::optional<ProcessStatus> processStatus(const QJsonValue &value, QString *error = nullptr);

    static QJsonObject toJson(const ClusterStatus &status);
    static std::optional<ClusterStatus> clusterStatus(const QJsonValue &value, QString *error = nullptr);

    static QJsonObject toJson(const ClusterEvent &event);
    static std::optional<ClusterEvent> clusterEvent(const QJsonValue &value, QString *error = nullptr);

    static QJsonObject toJson(const ControlCommand &command);
    static std::optional<ControlCommand> controlCommand(const QJsonValue &value, QString *error = nullptr);

    static QJsonObject toJson(const SamplingRequest &request);
    static std::optional<SamplingRequest> samplingRequest(const QJsonValue &value, QString *error = nullptr);

    //! A master's entry in the hosts list of a cluster across hosts (its `clustr:hosts` field's value).
    static QJsonObject hostEntry(qint64 masterPid, const QDateTime &startedAt, const QDateTime &updatedAt);
    //! The entry of host \a name read back (lost is not in it: the reader tells).
    static ClusterHost clusterHost(const QString &name, const QJsonObject &entry);

    static QJsonObject toJson(const RuntimeRecord &record);
    static std::optional<RuntimeRecord> runtimeRecord(const QJsonValue &value, QString *error = nullptr);

    static QByteArray lockValue(const LockOwner &owner);
    static std::optional<LockOwner> lockOwner(const QByteArray &value);

    //! Compact JSON text of a record, as it goes into a key or a message's data.
    static QByteArray toBytes(const QJsonObject &record);
    //! Parses the JSON text of a record read from a key or a file.
    static std::optional<QJsonObject> objectFromBytes(const QByteArray &json, QString *error = nullptr);
};

} // namespace Clustr::Protocol
