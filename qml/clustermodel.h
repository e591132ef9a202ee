// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/clusterstatus.h>

#include <QtCore/QAbstractItemModel>
#include <QtQml/qqmlregistration.h>

#include <memory>
#include <vector>

namespace Clustr {
class ClusterClient;
}

/*
  A running cluster as a tree a QML view binds to (TreeView, or a ListView
  with a rootIndex): hosts, their groups, the groups' processes, kept up to
  date from the master's status through a Clustr::ClusterClient. Read-only:
  it never sends anything to the cluster.

      ClusterModel { id: cluster; clusterName: "shop" }
      TreeView { model: cluster; delegate: TreeViewDelegate {} }

  Rows are inserted, removed and changed one by one as the status changes
  (never a reset), so a view keeps its expanded rows and current item while
  workers come and go. While `active` (the default) the client connects
  once the properties are set (at the next turn of the event loop; a change
  of redisUrl or clusterName connects anew); with no redisUrl it finds the
  cluster as the `clustr-qt` tools do (ClusterClient::discoverRedisUrl(),
  as a monitor).
*/
class ClusterModel : public QAbstractItemModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString redisUrl READ redisUrl WRITE setRedisUrl NOTIFY redisUrlChanged)
    Q_PROPERTY(QString clusterName READ clusterName WRITE setClusterName NOTIFY clusterNameChanged)
    Q_PROPERTY(bool active READ isActive WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(bool sampling READ isSampling WRITE setSampling NOTIFY samplingChanged)
    Q_PROPERTY(bool connected READ isConnected NOTIFY connectedChanged)
    Q_PROPERTY(bool clusterRunning READ isClusterRunning NOTIFY clusterRunningChanged)
    Q_PROPERTY(qint64 masterPid READ masterPid NOTIFY clusterRunningChanged)
    Q_PROPERTY(int processCount READ processCount NOTIFY processCountChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorOccurred)

public:
    enum Role {
        NameRole = Qt::UserRole + 1, //!< host name, group name or pid, as shown
        KindRole,                    //!< "host", "group" or "process"
        HostRole,
        GroupRole,
        PidRole,                     //!< 0 for hosts and groups
        PpidRole,
        StateRole,                   //!< "running", "starting", ... (Clustr::ChildInfo::stateName())
        InstanceRole,
        RestartsRole,
        UptimeRole,                  //!< ms
        CpuPercentRole,              //!< while sampling (else 0)
        RssBytesRole,                //!< while sampling (else 0)
        HeartbeatRole,
        ProcessCountRole,            //!< processes below a host or group (1 for a process)
    };
    Q_ENUM(Role)

    explicit ClusterModel(QObject *parent = nullptr);
    ~ClusterModel() override;

    QString redisUrl() const { return m_redisUrl; }
    void setRedisUrl(const QString &url);
    QString clusterName() const { return m_clusterName; }
    void setClusterName(const QString &name);
    bool isActive() const { return m_active; }
    void setActive(bool active);
    //! CPU and memory figures, sent by the cluster only while someone samples (ClusterClient::setSampling()).
    bool isSampling() const { return m_sampling; }
    void setSampling(bool sampling);

    bool isConnected() const;
    bool isClusterRunning() const;
    qint64 masterPid() const;
    int processCount() const { return m_processCount; }
    QString errorString() const { return m_errorString; }
    //! The client the model reads (null while inactive).
    Clustr::ClusterClient *client() const { return m_client.get(); }

    //! The index of process \a pid (column 0), invalid if it is not in the model.
    Q_INVOKABLE QModelIndex indexOfProcess(qint64 pid) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

Q_SIGNALS:
    void redisUrlChanged();
    void clusterNameChanged();
    void activeChanged();
    void samplingChanged();
    void connectedChanged();
    void clusterRunningChanged();
    void processCountChanged();
    void errorOccurred(const QString &text);
    //! The model now shows the master's status of \a updatedAt.
    void statusApplied();

private:
    struct Node;
    using Nodes = std::vector<std::unique_ptr<Node>>;

    void scheduleReconnect();
    void reconnect();
    void clear();
    void applyStatus(const Clustr::ClusterStatus &status);
    void sync(Node *parent, Nodes wanted);
    QModelIndex indexOf(const Node *node) const;
    Node *nodeOf(const QModelIndex &index) const;

    QString m_redisUrl;
    QString m_clusterName;
    bool m_active = true;
    bool m_sampling = false;
    bool m_reconnectScheduled = false;
    int m_processCount = 0;
    QString m_errorString;
    std::unique_ptr<Node> m_root;
    std::unique_ptr<Clustr::ClusterClient> m_client;
};
