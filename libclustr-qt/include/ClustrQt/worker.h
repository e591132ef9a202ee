// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/process.h>

namespace Clustr {

class WorkerPrivate;

/*!
  A process of the cluster that belongs to a group. It reads its
  configuration from its command line (`--cluster-master-pid`, `--cluster-*`,
  any other `--key=value`), joins the cluster with emitReady() and leaves it
  with close() or a kill.

  \code
  QCoreApplication app(argc, argv);
  Clustr::Worker worker(QStringLiteral("web"));
  QObject::connect(&worker, &Clustr::Worker::groupMessageReceived,
                   [](const Clustr::Message &m) { qInfo() << m.data; });
  worker.emitReady();
  return app.exec();
  \endcode
*/
class CLUSTR_EXPORT Worker : public Process
{
    Q_OBJECT
    Q_PROPERTY(bool ready READ isReady NOTIFY readyChanged)

public:
    using ClusterInfoCallback = std::function<void(const Clustr::ClusterInfo &info)>;

    //! A worker of the group its spawn entry names (CLUSTR_GROUP, which the spawner sets).
    explicit Worker(QObject *parent = nullptr);
    //! \a group empty: the group its spawn entry names (CLUSTR_GROUP), as Worker(QObject *) does.
    explicit Worker(const QString &group, QObject *parent = nullptr);
    Worker(const QString &group, const ProcessOptions &options, QObject *parent = nullptr);
    ~Worker() override;

    bool isReady() const;

    //! Registers with the master. Without a known master this only logs that none is known.
    void emitReady();

    /*!
      Asks the master for the cluster's processes. \a callback (if given) and
      clusterInfoReceived() get the answer; clusterInfoRequestFailed() follows
      when no answer came within ProcessOptions::clusterInfoTimeout.
    */
    void requestClusterInfo(ClusterInfoCallback callback = {});

Q_SIGNALS:
    void readyChanged(bool ready);
    void clusterInfoReceived(const Clustr::ClusterInfo &info);
    void clusterInfoRequestFailed(const QString &reason);

private:
    Q_DECLARE_PRIVATE(Worker)
};

} // namespace Clustr
