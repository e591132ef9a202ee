// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QMap>
#include <QtCore/QMetaType>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <chrono>
#include <optional>

namespace Clustr {

/*!
  How a supervisor treats a child that keeps crashing (an exit with a code
  other than 0, or a signal, that nobody asked for).

  The first restart is immediate; each following one waits \a initialBackoff,
  doubled every time, up to \a maxBackoff. Once a child has stayed up for
  \a resetAfter, the next crash is treated as a first one again. A child that
  needs more than \a maxRestarts restarts within \a window is given up.

  The defaults follow systemd (5 starts in 10 s): a tight crash loop is given
  up after about four seconds instead of spinning forever.
*/
struct CLUSTR_EXPORT RestartPolicy
{
    int maxRestarts = 5;
    std::chrono::milliseconds window{10000};
    std::chrono::milliseconds initialBackoff{250};
    std::chrono::milliseconds maxBackoff{10000};
    std::chrono::milliseconds resetAfter{10000};

    friend bool operator==(const RestartPolicy &a, const RestartPolicy &b)
    {
        return a.maxRestarts == b.maxRestarts && a.window == b.window
            && a.initialBackoff == b.initialBackoff && a.maxBackoff == b.maxBackoff
            && a.resetAfter == b.resetAfter;
    }
    friend bool operator!=(const RestartPolicy &a, const RestartPolicy &b) { return !(a == b); }
};

/*!
  A number of a group's instances, as a rolling reload's maxUnavailable and
  maxSurge give it: a count (JSON \c 2) or a percentage of the group's
  instances (JSON \c "25%"). As in Kubernetes, a percentage of
  maxUnavailable is rounded down and one of maxSurge up.
*/
struct CLUSTR_EXPORT InstanceCount
{
    //! The count, or the percentage (0 to 100).
    int value = 0;
    bool percent = false;

    //! The count for a group of \a instances: a percentage rounded down, or up with \a roundUp.
    int resolve(int instances, bool roundUp) const;
    //! The count as a number, the percentage as a string such as "25%".
    QJsonValue toJson() const;
    /*!
      Reads an integer >= 0 or a string "N%" with N from 0 to 100. On failure
      returns nothing and, if \a error is given, sets it to what was expected.
    */
    static std::optional<InstanceCount> fromJson(const QJsonValue &json, QString *error = nullptr);

    friend bool operator==(const InstanceCount &a, const InstanceCount &b) { return a.value == b.value && a.percent == b.percent; }
    friend bool operator!=(const InstanceCount &a, const InstanceCount &b) { return !(a == b); }
};

class SpawnSpecPrivate;

/*!
  One entry of a spawn list: which program to start, how, and how many times.

  The first five fields are clustr-node's spawn entry; the rest are what a
  supervisor is expected to offer. In JSON (fromJson(), toJson()):

  \code
  { "file": "./web_worker", "command": "bash", "cpu": "0-1", "respawn": true,
    "args": {"port": 8080, "cluster-option": "x"}, "instances": 2,
    "env": {"LANG": "C"}, "workingDirectory": "/srv", "register": true,
    "group": "web", "restartPolicy": {"maxRestarts": 5, "windowMs": 10000,
    "initialBackoffMs": 250, "maxBackoffMs": 10000, "resetAfterMs": 10000},
    "killTimeoutMs": 5000, "maxUnavailable": 1, "maxSurge": "25%" }
  \endcode
*/
class CLUSTR_EXPORT SpawnSpec
{
public:
    SpawnSpec();
    SpawnSpec(const SpawnSpec &other);
    SpawnSpec(SpawnSpec &&other) noexcept;
    SpawnSpec &operator=(const SpawnSpec &other);
    SpawnSpec &operator=(SpawnSpec &&other) noexcept;
    ~SpawnSpec();
    void swap(SpawnSpec &other) noexcept { d.swap(other.d); }

    //! The program (or, with command(), the script) to run. Required. A
    //! relative path resolves against the spawning program's directory.
    QString file() const;
    void setFile(const QString &file);
    //! The interpreter that runs file(), e.g. "bash"; one program, no
    //! arguments. Empty (the default): file() is executed itself.
    QString command() const;
    void setCommand(const QString &command);
    //! CPUs to pin the child to with `taskset -c`: "2", "0,2", "0-3". Empty (the default): no pinning.
    QString cpu() const;
    void setCpu(const QString &cpu);
    //! Whether a child that exits with a code other than 0 is started again. Default: true.
    bool respawn() const;
    void setRespawn(bool respawn);
    //! Options for this child only: `--key=value`, `--key` for true.
    QJsonObject args() const;
    void setArgs(const QJsonObject &args);
    //! How many copies of the child to run. Default: 1.
    int instances() const;
    void setInstances(int instances);
    //! Environment variables added to (or replacing) the inherited ones.
    QMap<QString, QString> env() const;
    void setEnv(const QMap<QString, QString> &env);
    //! Empty (the default): the spawner's working directory.
    QString workingDirectory() const;
    void setWorkingDirectory(const QString &workingDirectory);
    //! False for programs that never join the cluster (JSON key "register"):
    //! nobody waits for them to register. Default: true.
    bool registers() const;
    void setRegisters(bool registers);
    //! Display name of a non-registering child (a registering one announces its own group).
    QString group() const;
    void setGroup(const QString &group);
    //! Empty (the default): the spawner's default policy.
    std::optional<RestartPolicy> restartPolicy() const;
    void setRestartPolicy(const std::optional<RestartPolicy> &restartPolicy);
    //! How long a stopped child may take to exit before it is killed. Empty (the default): the spawner's default.
    std::optional<std::chrono::milliseconds> killTimeout() const;
    void setKillTimeout(const std::optional<std::chrono::milliseconds> &killTimeout);
    /*!
      A master's rolling reload: how many of this entry's group may be
      replaced at once by killing them (each respawned where it ran), i.e. be
      missing at the same time. Empty (the default): the master's reload
      strategy decides, 1 for ProcessOptions::ReloadStrategy::Restart, 0 for Surge.
      When maxUnavailable and maxSurge both come to 0 for a group (a
      percentage of few instances), 1 is taken, as Kubernetes does.
    */
    std::optional<InstanceCount> maxUnavailable() const;
    void setMaxUnavailable(const std::optional<InstanceCount> &maxUnavailable);
    /*!
      A master's rolling reload: how many replacements of this entry's group
      may be started beside the old workers at once (each old one stops when
      its replacement is ready). Empty (the default): the master's reload
      strategy decides, 1 for ProcessOptions::ReloadStrategy::Surge, 0 for Restart.
    */
    std::optional<InstanceCount> maxSurge() const;
    void setMaxSurge(const std::optional<InstanceCount> &maxSurge);
    /*!
      The spawner's listening sockets (ProcessOptions::setListenSockets())
      each of this entry's processes inherits, by name, in the systemd
      convention: as file descriptors 3, 4, ... in this order, with
      LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID set (sd_listen_fds() works;
      a Worker reads them with Process::inheritedSocket()). Empty (the
      default): none.
    */
    QStringList sockets() const;
    void setSockets(const QStringList &sockets);

    /*!
      Reads a spawn entry. Unknown keys are errors (a misspelt "respwan" must
      not silently mean the default). On failure returns nothing and, if
      \a error is given, sets it to a message naming the field, e.g.
      `instances: must be an integer >= 1`. A `cpu` is checked for its form
      only; whether those CPUs exist here is checked when the child is started.
    */
    static std::optional<SpawnSpec> fromJson(const QJsonObject &json, QString *error = nullptr);
    //! The entry as JSON, in the form fromJson() reads; fields at their defaults are left out.
    QJsonObject toJson() const;

    /*!
      Checks what can be known before starting, as spawning does: the file
      exists (and is executable when there is no command), the command and
      taskset are installed, the CPUs exist for this process. A relative
      `file` resolves against \a baseDirectory. On failure returns false and
      sets \a error to a message naming the field, e.g. `file: /x/y does not exist`.
    */
    bool check(const QString &baseDirectory, QString *error = nullptr) const;

    bool operator==(const SpawnSpec &other) const;
    bool operator!=(const SpawnSpec &other) const { return !(*this == other); }

private:
    QSharedDataPointer<SpawnSpecPrivate> d;
};

//! A name a listening socket may have: 1 to 255 letters, digits, '-', '_' and '.' (LISTEN_FDNAMES separates with ':').
CLUSTR_EXPORT bool isValidSocketName(const QString &name);

} // namespace Clustr

Q_DECLARE_METATYPE(Clustr::RestartPolicy)
Q_DECLARE_SHARED(Clustr::SpawnSpec)
Q_DECLARE_METATYPE(Clustr::SpawnSpec)
