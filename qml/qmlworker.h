// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QObject>
#include <QtCore/QTimer>
#include <QtCore/QVariantMap>
#include <QtQml/QJSValue>
#include <QtQml/QQmlParserStatus>
#include <QtQml/qqmlregistration.h>

#include <memory>

namespace Clustr {
class Worker;
}

/*
  Clustr::Worker as a QML element:

      Worker {
          group: "chat"
          onPublicMessageReceived: (message) => console.log(message.data)
          Component.onCompleted: emitReady()
      }

  The Clustr::Worker is made once the element's properties are set
  (componentComplete()), since its group and options are fixed at
  construction; group, redisUrl, clusterNamespace, exitApplication and
  arguments are read then and changes later are refused with a warning; from then on they
  say what the worker uses (e.g. redisUrl the URL it found on its command
  line). Messages arrive as plain JavaScript objects (see JsValues).
*/
class QmlWorker : public QObject, public QQmlParserStatus
{
    Q_OBJECT
    Q_INTERFACES(QQmlParserStatus)
    QML_NAMED_ELEMENT(Worker)
    Q_PROPERTY(QString group READ group WRITE setGroup NOTIFY groupChanged)
    Q_PROPERTY(QString redisUrl READ redisUrl WRITE setRedisUrl NOTIFY redisUrlChanged)
    Q_PROPERTY(QString clusterNamespace READ clusterNamespace WRITE setClusterNamespace NOTIFY clusterNamespaceChanged)
    Q_PROPERTY(bool exitApplication READ exitApplication WRITE setExitApplication NOTIFY exitApplicationChanged)
    Q_PROPERTY(QStringList arguments READ arguments WRITE setArguments NOTIFY argumentsChanged)
    Q_PROPERTY(qint64 pid READ pid CONSTANT)
    Q_PROPERTY(qint64 masterPid READ masterPid NOTIFY started)
    Q_PROPERTY(bool valid READ isValid NOTIFY started)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorOccurred)
    Q_PROPERTY(bool connected READ isConnected NOTIFY connectedChanged)
    Q_PROPERTY(bool ready READ isReady NOTIFY readyChanged)
    Q_PROPERTY(QVariantMap stats READ stats NOTIFY statsChanged)

public:
    explicit QmlWorker(QObject *parent = nullptr);
    ~QmlWorker() override;

    void classBegin() override;
    void componentComplete() override;

    QString group() const;
    void setGroup(const QString &group);
    //! Empty (the default): as Clustr::ProcessOptions, `--cluster-redis`, then CLUSTR_REDIS, then 127.0.0.1:6379.
    QString redisUrl() const;
    void setRedisUrl(const QString &url);
    QString clusterNamespace() const;
    void setClusterNamespace(const QString &clusterNamespace);
    //! True (the default): a kill or close() ends the application, as it does a worker.
    bool exitApplication() const;
    void setExitApplication(bool exitApplication);
    //! The command line the worker reads its `--cluster-*` options from; empty (the default): the process'.
    QStringList arguments() const;
    void setArguments(const QStringList &arguments);

    qint64 pid() const;
    qint64 masterPid() const;
    bool isValid() const;
    QString errorString() const;
    bool isConnected() const;
    bool isReady() const;
    QVariantMap stats() const;

    //! The Clustr::Worker behind the element (null before componentComplete()).
    Clustr::Worker *worker() const { return m_worker.get(); }

    //! Joins the cluster (Clustr::Worker::emitReady()).
    Q_INVOKABLE void emitReady();
    //! Each returns false, with errorOccurred(), when \a data cannot be sent (see JsValues::toJson()).
    Q_INVOKABLE bool emitPublic(const QJSValue &data);
    Q_INVOKABLE bool emitPrivate(qint64 pid, const QJSValue &data);
    Q_INVOKABLE bool emitGroup(const QString &group, const QJSValue &data);
    Q_INVOKABLE bool emitKill(qint64 pid, int exitCode = 0);
    Q_INVOKABLE bool emitConfirmation(const QString &identifier);
    //! confirmationCompleted() once \a identifier was confirmed \a count times.
    Q_INVOKABLE bool onConfirmation(int count, const QString &identifier);
    //! clusterInfoReceived() or clusterInfoRequestFailed() follows.
    Q_INVOKABLE bool requestClusterInfo();
    Q_INVOKABLE void close(int exitCode = 1);

Q_SIGNALS:
    void groupChanged();
    void redisUrlChanged();
    void clusterNamespaceChanged();
    void exitApplicationChanged();
    void argumentsChanged();
    //! The Clustr::Worker exists: masterPid and valid are known.
    void started();
    void connectedChanged();
    void readyChanged();
    void statsChanged();
    void publicMessageReceived(const QVariantMap &message);
    void privateMessageReceived(const QVariantMap &message);
    void groupMessageReceived(const QVariantMap &message);
    void messageReceived(const QVariantMap &message);
    void confirmationCompleted(const QString &identifier, const QVariantList &messages);
    void clusterInfoReceived(const QVariantMap &info);
    void clusterInfoRequestFailed(const QString &reason);
    //! A kill arrived: the worker closes with \a exitCode right after the handlers ran.
    void killRequested(int exitCode);
    void closed(int exitCode);
    void errorOccurred(const QString &text);

private:
    bool checkStarted(const char *what);
    //! \a data as JSON to \a send, unless it or the target is bad (\a badTarget: why; empty if it is good).
    template <typename Send>
    bool sendData(const char *what, const QJSValue &data, const QString &badTarget, Send send);
    bool refuseOnceStarted(const char *property);
    void fail(const QString &text);
    void noteStatsChanged();

    QString m_group;
    QString m_redisUrl;
    QString m_clusterNamespace;
    bool m_exitApplication = true;
    QStringList m_arguments;
    QString m_errorString;
    // Stats change with every message: their change is told once per turn
    // of the event loop, not once per message.
    QTimer m_statsTimer;
    std::unique_ptr<Clustr::Worker> m_worker;
};
