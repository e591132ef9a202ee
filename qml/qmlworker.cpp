// SPDX-License-Identifier: MIT
#include "qmlworker.h"

#include "jsvalues.h"

#include <ClustrQt/options.h>
#include <ClustrQt/worker.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QLoggingCategory>
#include <QtCore/QMetaMethod>

Q_LOGGING_CATEGORY(lcQmlWorker, "clustr.qml.worker")

QmlWorker::QmlWorker(QObject *parent)
    : QObject(parent)
{
    m_statsTimer.setSingleShot(true);
    m_statsTimer.setInterval(0);
    connect(&m_statsTimer, &QTimer::timeout, this, &QmlWorker::statsChanged);
}

QmlWorker::~QmlWorker()
{
    // The worker says goodbye as it goes (closed, connectedChanged): not to
    // QML handlers of an element that is being destroyed.
    if (m_worker)
        m_worker->disconnect(this);
}

void QmlWorker::classBegin()
{
}

void QmlWorker::componentComplete()
{
    Clustr::ProcessOptions options;
    options.setRedisUrl(m_redisUrl);
    if (!m_clusterNamespace.isEmpty())
        options.setClusterNamespace(m_clusterNamespace);
    options.setExitApplication(m_exitApplication);
    if (!m_arguments.isEmpty())
        options.setArguments(m_arguments);
    m_worker = std::make_unique<Clustr::Worker>(m_group, options);
    Clustr::Worker *w = m_worker.get();

    connect(w, &Clustr::Process::connectedChanged, this, &QmlWorker::connectedChanged);
    connect(w, &Clustr::Worker::readyChanged, this, &QmlWorker::readyChanged);
    connect(w, &Clustr::Process::errorOccurred, this, [this](Clustr::Process::Error, const QString &text) { fail(text); });
    connect(w, &Clustr::Process::closed, this, &QmlWorker::closed);
    connect(w, &Clustr::Process::killRequested, this, &QmlWorker::killRequested);
    const auto forward = [this](void (QmlWorker::*signal)(const QVariantMap &)) {
        const QMetaMethod method = QMetaMethod::fromSignal(signal);
        return [this, signal, method](const Clustr::Message &message) {
            noteStatsChanged();
            // Each message comes as two signals (its kind's and
            // messageReceived): it is converted (its data parsed) only for
            // the ones a handler is connected to.
            if (isSignalConnected(method))
                Q_EMIT(this->*signal)(JsValues::message(message));
        };
    };
    connect(w, &Clustr::Process::publicMessageReceived, this, forward(&QmlWorker::publicMessageReceived));
    connect(w, &Clustr::Process::privateMessageReceived, this, forward(&QmlWorker::privateMessageReceived));
    connect(w, &Clustr::Process::groupMessageReceived, this, forward(&QmlWorker::groupMessageReceived));
    connect(w, &Clustr::Process::messageReceived, this, forward(&QmlWorker::messageReceived));
    connect(w, &Clustr::Process::confirmationCompleted, this,
            [this](const QString &identifier, const QList<Clustr::Message> &messages) {
                QVariantList list;
                list.reserve(messages.size());
                for (const Clustr::Message &message : messages)
                    list.append(JsValues::message(message));
                noteStatsChanged();
                Q_EMIT confirmationCompleted(identifier, list);
            });
    connect(w, &Clustr::Worker::clusterInfoReceived, this,
            [this](const Clustr::ClusterInfo &info) { Q_EMIT clusterInfoReceived(JsValues::clusterInfo(info)); });
    connect(w, &Clustr::Worker::clusterInfoRequestFailed, this, &QmlWorker::clusterInfoRequestFailed);

    Q_EMIT started();
    // What the worker found (its spawner's group, the URL of its command line).
    Q_EMIT groupChanged();
    Q_EMIT redisUrlChanged();
    Q_EMIT clusterNamespaceChanged();
    if (!w->isValid())
        fail(w->errorString());
}

QString QmlWorker::group() const
{
    return m_worker ? m_worker->group() : m_group;
}

void QmlWorker::setGroup(const QString &group)
{
    if (group == m_group || refuseOnceStarted("group"))
        return;
    m_group = group;
    Q_EMIT groupChanged();
}

QString QmlWorker::redisUrl() const
{
    return m_worker ? m_worker->redisUrl() : m_redisUrl;
}

void QmlWorker::setRedisUrl(const QString &url)
{
    if (url == m_redisUrl || refuseOnceStarted("redisUrl"))
        return;
    m_redisUrl = url;
    Q_EMIT redisUrlChanged();
}

QString QmlWorker::clusterNamespace() const
{
    return m_worker ? m_worker->clusterNamespace() : m_clusterNamespace;
}

void QmlWorker::setClusterNamespace(const QString &clusterNamespace)
{
    if (clusterNamespace == m_clusterNamespace || refuseOnceStarted("clusterNamespace"))
        return;
    m_clusterNamespace = clusterNamespace;
    Q_EMIT clusterNamespaceChanged();
}

bool QmlWorker::exitApplication() const
{
    return m_exitApplication;
}

void QmlWorker::setExitApplication(bool exitApplication)
{
    if (exitApplication == m_exitApplication || refuseOnceStarted("exitApplication"))
        return;
    m_exitApplication = exitApplication;
    Q_EMIT exitApplicationChanged();
}

QStringList QmlWorker::arguments() const
{
    return m_arguments;
}

void QmlWorker::setArguments(const QStringList &arguments)
{
    if (arguments == m_arguments || refuseOnceStarted("arguments"))
        return;
    m_arguments = arguments;
    Q_EMIT argumentsChanged();
}

qint64 QmlWorker::pid() const
{
    return QCoreApplication::applicationPid();
}

qint64 QmlWorker::masterPid() const
{
    return m_worker ? m_worker->masterPid() : 0;
}

bool QmlWorker::isValid() const
{
    return m_worker && m_worker->isValid();
}

QString QmlWorker::errorString() const
{
    return m_errorString;
}

bool QmlWorker::isConnected() const
{
    return m_worker && m_worker->isConnected();
}

bool QmlWorker::isReady() const
{
    return m_worker && m_worker->isReady();
}

QVariantMap QmlWorker::stats() const
{
    return JsValues::stats(m_worker ? m_worker->stats() : Clustr::Stats());
}

void QmlWorker::emitReady()
{
    if (checkStarted("emitReady()"))
        m_worker->emitReady();
}

bool QmlWorker::emitPublic(const QJSValue &data)
{
    return sendData("emitPublic()", data, QString(), [this](const QJsonValue &json) { m_worker->emitPublic(json); });
}

bool QmlWorker::emitPrivate(qint64 pid, const QJSValue &data)
{
    return sendData("emitPrivate()", data, pid > 0 ? QString() : QStringLiteral("%1 is not a pid").arg(pid),
                    [this, pid](const QJsonValue &json) { m_worker->emitPrivate(pid, json); });
}

bool QmlWorker::emitGroup(const QString &group, const QJSValue &data)
{
    return sendData("emitGroup()", data, group.isEmpty() ? QStringLiteral("no group given") : QString(),
                    [this, &group](const QJsonValue &json) { m_worker->emitGroup(group, json); });
}

template <typename Send>
bool QmlWorker::sendData(const char *what, const QJSValue &data, const QString &badTarget, Send send)
{
    if (!checkStarted(what))
        return false;
    // What is wrong with the data is said first, then what is wrong with the target.
    QString error;
    const auto json = JsValues::toJson(data, &error);
    if (json && !badTarget.isEmpty())
        error = badTarget;
    if (!error.isEmpty()) {
        fail(QStringLiteral("%1: %2, nothing sent").arg(QLatin1String(what), error));
        return false;
    }
    send(*json);
    noteStatsChanged();
    return true;
}

bool QmlWorker::emitKill(qint64 pid, int exitCode)
{
    if (!checkStarted("emitKill()"))
        return false;
    if (pid <= 0) {
        fail(QStringLiteral("emitKill(): %1 is not a pid, nothing sent").arg(pid));
        return false;
    }
    m_worker->emitKill(pid, exitCode);
    noteStatsChanged();
    return true;
}

bool QmlWorker::emitConfirmation(const QString &identifier)
{
    if (!checkStarted("emitConfirmation()"))
        return false;
    m_worker->emitConfirmation(identifier);
    noteStatsChanged();
    return true;
}

bool QmlWorker::onConfirmation(int count, const QString &identifier)
{
    if (!checkStarted("onConfirmation()"))
        return false;
    if (count <= 0) {
        fail(QStringLiteral("onConfirmation(): a count of %1 is never reached").arg(count));
        return false;
    }
    m_worker->onConfirmation(count, identifier);
    return true;
}

bool QmlWorker::requestClusterInfo()
{
    if (!checkStarted("requestClusterInfo()"))
        return false;
    m_worker->requestClusterInfo();
    return true;
}

void QmlWorker::close(int exitCode)
{
    if (checkStarted("close()"))
        m_worker->close(exitCode);
}

bool QmlWorker::checkStarted(const char *what)
{
    if (!m_worker) {
        // Called from a property binding or Component.onCompleted of a parent
        // that completes first: the worker does not exist yet.
        fail(QStringLiteral("%1 called before the Worker element was complete; nothing done").arg(QLatin1String(what)));
        return false;
    }
    if (!m_worker->isValid()) {
        fail(QStringLiteral("%1: the worker cannot work (%2); nothing done").arg(QLatin1String(what), m_worker->errorString()));
        return false;
    }
    return true;
}

bool QmlWorker::refuseOnceStarted(const char *property)
{
    if (!m_worker)
        return false;
    qCWarning(lcQmlWorker).noquote() << "Worker." << property
                                     << "cannot change once the worker exists; the change is ignored";
    return true;
}

void QmlWorker::fail(const QString &text)
{
    qCWarning(lcQmlWorker).noquote() << text;
    m_errorString = text;
    Q_EMIT errorOccurred(text);
}

void QmlWorker::noteStatsChanged()
{
    if (!m_statsTimer.isActive())
        m_statsTimer.start();
}
