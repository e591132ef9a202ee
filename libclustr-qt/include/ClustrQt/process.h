// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/childinfo.h>
#include <ClustrQt/global.h>
#include <ClustrQt/message.h>
#include <ClustrQt/options.h>
#include <ClustrQt/spawnspec.h>
#include <ClustrQt/stats.h>

#include <QtCore/QJsonValue>
#include <QtCore/QObject>

#include <chrono>
#include <functional>
#include <memory>

namespace Clustr {

class ProcessPrivate;
class RedisClient;

/*!
  What every process of a cluster can do: send and receive every kind of
  message, count what it did, and end on a kill. Worker and Master derive
  from it; it is not created on its own.

  Messages sent before Redis is reachable are queued (see RedisClient) and
  sent once it is.
*/
class CLUSTR_EXPORT Process : public QObject
{
    Q_OBJECT
    Q_PROPERTY(qint64 pid READ pid CONSTANT)
    Q_PROPERTY(QString group READ group CONSTANT)
    Q_PROPERTY(qint64 masterPid READ masterPid CONSTANT)
    Q_PROPERTY(QString clusterNamespace READ clusterNamespace CONSTANT)
    Q_PROPERTY(QString clusterHost READ clusterHost CONSTANT)
    Q_PROPERTY(bool connected READ isConnected NOTIFY connectedChanged)

public:
    using ConfirmationCallback = std::function<void(const QList<Clustr::Message> &messages)>;
    using KillHandler = std::function<void(std::function<void()> done)>;

    //! What went wrong last; the same model as RedisClient's and ClusterClient's.
    enum class Error {
        NoError,
        InvalidSetup,          //!< the process could not be set up (a bad group, namespace or URL): isValid() is false
        ConnectionFailed,      //!< Redis refused or could not be reached (it is tried again)
        ConnectionLost,        //!< an established connection went away (it is reconnected)
        AuthenticationFailed,  //!< Redis refused the credentials or the database
        SpawnFailed,           //!< a spawn entry could not be started (see spawnFailed())
        RedisError,            //!< any other error of a connection (see RedisClient::Error)
        PermissionDenied,      //!< Redis' ACL refused a message or command (NOPERM); see Stats::refusedMessages()
        CommandRefused,        //!< Redis answered a message or command with another error
    };
    Q_ENUM(Error)

    ~Process() override;

    //! False when the process could not be set up (e.g. an empty group); see errorString().
    bool isValid() const;
    Error error() const;
    //! The last error as a readable line.
    QString errorString() const;

    qint64 pid() const;
    QString group() const;
    //! The master's pid, from `--cluster-master-pid` (a master's own pid for a Master); 0 if unknown.
    qint64 masterPid() const;
    QString clusterNamespace() const;
    //! The host this process runs on in a cluster across hosts (`--cluster-host`); empty in a cluster of one host.
    QString clusterHost() const;
    QString redisUrl() const;
    //! Subscribed and able to publish.
    bool isConnected() const;
    Stats stats() const;

    /*!
      The listening socket named \a name this process inherited from its
      spawner (SpawnSpec::sockets(): a cluster file's `sockets`, or systemd
      socket activation): its file descriptor, ready to accept() on (e.g.
      QTcpServer::setSocketDescriptor()), or -1 if there is none of that
      name. The descriptors come as sd_listen_fds() finds them (LISTEN_PID,
      LISTEN_FDS, LISTEN_FDNAMES), read on the first call: the variables are
      then removed, so that this process' children do not take them for
      theirs, and the descriptors are closed on exec. Values that are not
      for this process or not sockets: a warning, and none.
    */
    static int inheritedSocket(const QString &name);
    //! The names of every inherited socket (see inheritedSocket()), in descriptor order.
    static QStringList inheritedSocketNames();

    //! `--name=value` from the command line (`"true"` for a bare `--name`), or \a defaultValue.
    QString option(const QString &name, const QString &defaultValue = QString()) const;
    bool hasOption(const QString &name) const;
    //! The `--cluster-*` arguments this process was started with, passed on to its children.
    QStringList clusterArguments() const;

    RedisClient *publisher() const;
    RedisClient *subscriber() const;

    void emitPublic(const QJsonValue &data);
    void emitPrivate(qint64 pid, const QJsonValue &data);
    /*!
      To process \a pid of \a host, in a cluster across hosts (pids repeat
      from host to host: Message::host() says where a sender runs). An empty
      \a host, or this process' own, is this host.
    */
    void emitPrivate(const QString &host, qint64 pid, const QJsonValue &data);
    void emitGroup(const QString &group, const QJsonValue &data);
    /*!
      As emitPublic(), emitPrivate() and emitGroup(), with the data given as
      JSON text that is sent byte for byte: a handler relaying a message
      passes Message::dataJson() to keep the sender's key order, number
      spelling and escapes. Returns false (and warns) without sending if
      \a json is not one JSON value, or if the message cannot be sent.
    */
    bool emitPublicJson(const QByteArray &json);
    bool emitPrivateJson(qint64 pid, const QByteArray &json);
    bool emitPrivateJson(const QString &host, qint64 pid, const QByteArray &json);
    bool emitGroupJson(const QString &group, const QByteArray &json);
    //! Asks process \a pid to exit with \a exitCode (0..255) after its kill handler ran.
    void emitKill(qint64 pid, int exitCode = 0);
    //! The same for process \a pid of \a host (see emitPrivate()).
    void emitKill(const QString &host, qint64 pid, int exitCode = 0);
    void emitConfirmation(const QString &identifier);

    /*!
      Calls \a callback with the messages once confirmation \a identifier has
      been received \a count times, then starts counting again. Also emits
      confirmationCompleted(). A second call for the same identifier replaces
      the first.
    */
    void onConfirmation(int count, const QString &identifier, ConfirmationCallback callback = {});
    /*!
      As above, but \a callback is bound to \a context, as a connection is:
      once \a context is destroyed it is not called any more.
    */
    void onConfirmation(int count, const QString &identifier, const QObject *context, ConfirmationCallback callback);

    /*!
      \a handler runs when a kill arrives; the process ends only once it has
      called `done()` — or when ProcessOptions::killTimeout has passed, so a
      handler that never finishes cannot make the process unkillable.
    */
    void onKill(KillHandler handler);
    //! As above, bound to \a context: once it is destroyed, a kill ends the process as if no handler were set.
    void onKill(const QObject *context, KillHandler handler);

    /*!
      Starts every instance of every spec and supervises them: respawned
      when they crash (see RestartPolicy), stopped when this process closes,
      killed by the kernel if it dies (PR_SET_PDEATHSIG). A spec that cannot
      start (missing file, invalid CPU, ...) is reported by spawnFailed()
      and the log; the others still start. Children start once this process
      is subscribed (they may message it at once); until then they wait, in
      the state "not started". Returns how many children were started or
      will be.
    */
    int spawn(const QList<Clustr::SpawnSpec> &specs);
    //! The children spawned by this process, as they are now.
    QList<Clustr::ChildInfo> children() const;

    /*!
      Deregisters, writes what is still queued, closes the connections, emits
      closed(\a exitCode) and (unless switched off in the options) ends the
      application with \a exitCode. Exit code 1 (the default) means "respawn me".
    */
    void close(int exitCode = 1);

Q_SIGNALS:
    void publicMessageReceived(const Clustr::Message &message);
    void privateMessageReceived(const Clustr::Message &message);
    void groupMessageReceived(const Clustr::Message &message);
    //! Every message delivered to this process, whatever its kind.
    void messageReceived(const Clustr::Message &message);
    //! A confirmation registered with onConfirmation() reached its count.
    void confirmationCompleted(const QString &identifier, const QList<Clustr::Message> &messages);
    //! A kill for this process arrived; the kill handler (if any) runs next.
    void killRequested(int exitCode);
    void connectedChanged(bool connected);
    //! The process is about to end with \a exitCode (after close() or a kill).
    void closed(int exitCode);
    void childStarted(qint64 pid, const QString &group);
    //! A child ended; \a exitCode is -1 when it was killed by \a signal.
    void childExited(qint64 pid, const QString &group, int exitCode, int signal);
    void childRespawned(qint64 oldPid, qint64 newPid, const QString &group);
    //! Child \a pid of \a group crashed; it will be started again after \a delay (backoff after repeated crashes).
    void childBackingOff(qint64 pid, const QString &group, std::chrono::milliseconds delay);
    //! A child crashed too often and stays down.
    void childGaveUp(const QString &group, const QString &reason);
    //! A spec could not be started at all.
    void spawnFailed(const QString &file, const QString &error);
    //! Every failure of the process comes through here, with a readable \a text (also in errorString()).
    void errorOccurred(Clustr::Process::Error error, const QString &text);
    //! A malformed or oversized message was dropped.
    void messageRejected(const QString &channel, const QString &reason);

protected:
    Process(ProcessPrivate &dd, QObject *parent);
    Q_DECLARE_PRIVATE(Process)
    std::unique_ptr<ProcessPrivate> const d_ptr;
};

} // namespace Clustr
