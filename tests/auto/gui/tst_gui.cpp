// SPDX-License-Identifier: MIT
// clustr-qt-gui on the offscreen platform: its models on their own, then
// the whole window against a real Redis and a real cluster run by the
// clustr-qt daemon (`clustr-qt run cluster.json`, two clustr-test-workers
// in group "web"). The workers print every message they receive as a JSON
// line; the daemon forwards them as `[clustr-test-worker PID] {...}`, which
// TestProcess records with the worker's pid in "_from".
#include "programrun.h"
#include "redisserver.h"
#include "testprocess.h"
#include "versionlines.h"

#include "actiontracker.h"
#include "activitylog.h"
#include "clusterhistory.h"
#include "clustermonitor.h"
#include "connectiondialog.h"
#include "emptystatewidget.h"
#include "exitcodedialog.h"
#include "hostfeeds.h"
#include "mainwindow.h"
#include "messagecollector.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"
#include "messagelogview.h"
#include "operationactions.h"
#include "operationrunner.h"
#include "outputfeed.h"
#include "outputview.h"
#include "processdetails.h"
#include "processtreemodel.h"
#include "processtreeview.h"
#include "reloadprogress.h"
#include "ringbuffer.h"
#include "elidedlabel.h"
#include "senddialog.h"

#include <ClustrQt/accesscontrol.h>
#include <ClustrQt/clusterevent.h>
#include <ClustrQt/clusterstatus.h>
#include <ClustrQt/redisclient.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QSettings>
#include <QtCore/QSortFilterProxyModel>
#include <QtCore/QTemporaryDir>
#include <QtTest/QAbstractItemModelTester>
#include <QtTest/QtTest>
#include <QtWidgets/QTabWidget>
#include <QtWidgets/QApplication>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QMenu>
#include <QtWidgets/QProgressBar>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QRadioButton>
#include <QtWidgets/QTableWidget>
#include <QtWidgets/QToolButton>
#include <QtWidgets/QTreeView>

#include <csignal>
#include <deque>
#include <map>
#include <memory>
#include <random>

namespace {

const QString ClusterName = QStringLiteral("guitest");

QString str(const char *text)
{
    return QString::fromUtf8(text);
}

// A payload as any process writes it (docs/PROTOCOL.md section 1).
QByteArray payload(qint64 pid, const QString &group, const QJsonValue &data)
{
    const QJsonObject object{{QStringLiteral("meta"), QJsonObject{{QStringLiteral("pid"), double(pid)}, {QStringLiteral("group"), group}}},
                             {QStringLiteral("data"), data}};
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray channel(const QString &name)
{
    return (ClusterName + QLatin1Char(':') + name).toUtf8();
}

Clustr::ClusterStatus statusWith(const QString &updatedAt, const QList<QPair<QString, qint64>> &processes)
{
    QList<Clustr::ProcessStatus> list;
    for (const auto &p : processes) {
        Clustr::ProcessStatus process;
        process.setPid(p.second);
        process.setGroup(p.first);
        process.setHost(QStringLiteral("h"));
        process.setPpid(100);
        process.setState(Clustr::ChildInfo::State::Running);
        process.setHeartbeat(true);
        process.setLastSeenMs(10);
        process.setRssBytes(1000);
        process.setCpuPercent(0.5);
        list.append(process);
    }
    Clustr::MasterInfo master;
    master.setPid(100);
    master.setHost(QStringLiteral("h"));
    master.setState(Clustr::MasterInfo::State::Running);
    master.setStartedAt(QDateTime::fromString(QStringLiteral("2026-01-01T10:00:00.000Z"), Qt::ISODateWithMs));
    Clustr::ClusterStatus status;
    status.setMaster(master);
    status.setProcesses(list);
    status.setUpdatedAt(QDateTime::fromString(updatedAt, Qt::ISODateWithMs));
    return status;
}

Clustr::ClusterEvent eventAt(Clustr::ClusterEvent::Type type, qint64 pid, const QString &group, const QString &time)
{
    Clustr::ClusterEvent event;
    event.setType(type);
    event.setPid(pid);
    event.setGroup(group);
    event.setTime(QDateTime::fromString(time, Qt::ISODateWithMs));
    return event;
}

LogBatch makeBatch(int count, quint64 *sequence)
{
    LogBatch batch;
    for (int i = 0; i < count; ++i) {
        LogEntry e;
        e.sequence = ++*sequence;
        e.kind = LogKind::Public;
        e.pid = 1;
        e.group = QStringLiteral("g");
        e.channel = QStringLiteral("public");
        e.data = QString::number(e.sequence);
        batch.append(e);
    }
    return batch;
}

} // namespace

class tst_Gui : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    // The pieces on their own.
    void chartsTabIsBuilt();
    void ringBufferKeepsTheNewest();
    void logModelInsertsWholeBatches();
    void processModelUpdatesInPlace();
    void registrationMakesAStartingChildAMember();
    void processColumnsAlignWordsLeftNumbersRight();
    void masterCountsAsRunningWhileItReloads();
    void processModelGroupsByHost();
    void detailsShowWhatTheProcessIs();
    void connectionDialogChecksTheUrl();
    void versionSaysWhatItRunsOn();

    // The window and a real cluster, in this order.
    void emptyStateWithoutCluster();
    void treeShowsTheWorkers();
    void killRemovesTheRowAndRespawnAddsOne();
    void sentMessagesReachTheWorkers();
    void outputShowsWhatTheWorkersPrinted();
    void reloadProgressReaches100();
    void logFilters();
    void burstKeepsTheWindowResponsive();
    void clusterGoesAwayAndComesBack();
    void monitorCredentialsGreyOutTheActions();
    void clusterAcrossHostsIsOneTreeByHost();

private:
    bool startCluster();
    QList<qint64> webPids() const { return m_window->processModel()->keys(QStringLiteral("web")); }
    template<typename Dialog>
    Dialog *openedDialog(QAction *action);

    RedisServer m_redis;
    QTemporaryDir m_dir;
    QString m_clusterFile;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<TestProcess> m_daemon;
};

void tst_Gui::initTestCase()
{
    QVERIFY2(QFile::exists(buildBinary(QStringLiteral("clustr-qt"))), "build the daemon first: cmake --build build --target clustr-qt");
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
    QVERIFY(m_dir.isValid());

    const QJsonObject worker{{QStringLiteral("file"), buildBinary(QStringLiteral("clustr-test-worker"))},
                             {QStringLiteral("instances"), 2},
                             {QStringLiteral("args"), QJsonObject{{QStringLiteral("group"), QStringLiteral("web")},
                                                                  {QStringLiteral("no-stdin"), true},
                                                                  {QStringLiteral("ready"), true}}}};
    const QJsonObject cluster{{QStringLiteral("name"), ClusterName},
                              {QStringLiteral("redis"), m_redis.url()},
                              {QStringLiteral("reloadDelay"), 0},
                              {QStringLiteral("workers"), QJsonArray{worker}}};
    m_clusterFile = m_dir.filePath(QStringLiteral("cluster.json"));
    QFile file(m_clusterFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(cluster).toJson());
    file.close();

    // Settings in a file of our own: the test never touches the user's.
    m_settings = std::make_unique<QSettings>(m_dir.filePath(QStringLiteral("gui.ini")), QSettings::IniFormat);
    MainWindow::Options options;
    options.pollIntervalMs = 200; // faster than the default second, for shorter tests
    m_window = std::make_unique<MainWindow>(m_settings.get(), options);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    ConnectionSettings connection;
    connection.clusterName = ClusterName;
    connection.redisUrl = m_redis.url();
    connection.automatic = false;
    m_window->connectTo(connection, true);
    QCOMPARE(ConnectionSettings::load(*m_settings), connection); // remembered for the next start
}

void tst_Gui::cleanupTestCase()
{
    m_window.reset();
    m_daemon.reset();
}

bool tst_Gui::startCluster()
{
    m_daemon = std::make_unique<TestProcess>();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("CLUSTR_REDIS")); // it would win over the file's "redis"
    // Returns once the first worker printed "started" (forwarded by the daemon).
    return m_daemon->start(QStringLiteral("clustr-qt"), {QStringLiteral("run"), m_clusterFile}, environment);
}

template<typename Dialog>
Dialog *tst_Gui::openedDialog(QAction *action)
{
    if (!action->isEnabled())
        return nullptr;
    action->trigger();
    auto *dialog = qobject_cast<Dialog *>(m_window->activeDialog());
    return dialog && dialog->isVisible() ? dialog : nullptr;
}

// ---- the pieces ----

// README's screenshot and the F1 help show the charts tab: a build without
// Qt Charts (scripts/setup installs it, with the Qt OpenGL CMake files it
// needs) is a broken setup, not a smaller monitor.
void tst_Gui::chartsTabIsBuilt()
{
#ifndef CLUSTR_GUI_HAVE_CHARTS
    QFAIL("clustr-qt-gui was built without Qt Charts (configure said \"Qt Charts not found\"): install qt6-charts-dev and libqt6opengl6-dev");
#endif
    const auto *tabs = m_window->findChild<QTabWidget *>();
    QVERIFY(tabs);
    QStringList titles;
    for (int i = 0; i < tabs->count(); ++i)
        titles.append(tabs->tabText(i).remove(QLatin1Char('&')));
    QVERIFY2(titles.contains(QStringLiteral("Charts")), qPrintable(titles.join(QStringLiteral(", "))));
}

void tst_Gui::ringBufferKeepsTheNewest()
{
    // Against std::deque, through many wrap-arounds and partial drops.
    RingBuffer<int> ring(7);
    std::deque<int> expected;
    std::mt19937 random(42);
    int next = 0;
    for (int round = 0; round < 2000; ++round) {
        const int add = int(random() % 5);
        for (int i = 0; i < add; ++i) {
            if (ring.isFull()) {
                ring.dropFront(1);
                expected.pop_front();
            }
            ring.append(next);
            expected.push_back(next++);
        }
        if (random() % 4 == 0) {
            const int drop = int(random() % 4);
            ring.dropFront(drop);
            for (int i = 0; i < drop && !expected.empty(); ++i)
                expected.pop_front();
        }
        QCOMPARE(ring.size(), qsizetype(expected.size()));
        for (qsizetype i = 0; i < ring.size(); ++i)
            QCOMPARE(ring.at(i), expected.at(size_t(i)));
    }
    ring.setCapacity(3);
    QVERIFY(ring.size() <= 3);
    if (!expected.empty())
        QCOMPARE(ring.last(), expected.back());
}

void tst_Gui::logModelInsertsWholeBatches()
{
    MessageLogModel model(100);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    quint64 sequence = 0;

    model.appendBatch(makeBatch(60, &sequence));
    QCOMPARE(model.rowCount(), 60);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(removed.count(), 0);

    // Over the capacity: the oldest 20 go in one removal, the batch comes in one insertion.
    model.appendBatch(makeBatch(60, &sequence));
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 0);
    QCOMPARE(removed.at(0).at(2).toInt(), 19);
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 40);
    QCOMPARE(inserted.at(1).at(2).toInt(), 99);
    QCOMPARE(model.entry(0).sequence, quint64(21));
    QCOMPARE(model.entry(99).sequence, quint64(120));

    // A batch larger than the log: only its newest part stays.
    model.appendBatch(makeBatch(250, &sequence));
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(model.entry(0).sequence, quint64(271));
    QCOMPARE(model.entry(99).sequence, quint64(370));

    // Paused: held back, shown on resume.
    model.setPaused(true);
    model.appendBatch(makeBatch(10, &sequence));
    QCOMPARE(model.heldCount(), qsizetype(10));
    QCOMPARE(model.entry(99).sequence, quint64(370));
    model.setPaused(false);
    QCOMPARE(model.heldCount(), qsizetype(0));
    QCOMPARE(model.entry(99).sequence, quint64(380));
    QCOMPARE(model.rowCount(), 100);
}

void tst_Gui::processModelUpdatesInPlace()
{
    ProcessTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    const QString web = QStringLiteral("web");
    const QString cache = QStringLiteral("cache");

    model.applyStatus(statusWith(str("2026-01-01T10:00:01.000Z"), {{web, 1}, {web, 2}}));
    QCOMPARE(model.groups(), (QStringList{QStringLiteral("master"), web}));
    QCOMPARE(model.keys(web), (QList<qint64>{1, 2}));
    const QPersistentModelIndex one = model.indexOfKey(1);
    QVERIFY(one.isValid());

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.applyStatus(statusWith(str("2026-01-01T10:00:02.000Z"), {{cache, 4}, {web, 1}, {web, 3}}));
    QCOMPARE(model.groups(), (QStringList{QStringLiteral("master"), cache, web}));
    QCOMPARE(model.keys(web), (QList<qint64>{1, 3}));
    QCOMPARE(removed.count(), 1);  // 2
    QCOMPARE(inserted.count(), 2); // the group cache (with 4), then 3
    QVERIFY(one.isValid());        // moved down by the new group, still the same row
    QCOMPARE(one.data(ProcessTreeModel::KeyRole).toLongLong(), 1);
    QCOMPARE(one.parent().data().toString(), web);

    // An event beats snapshots taken before it...
    model.applyEvent(eventAt(Clustr::ClusterEvent::Type::Exited, 1, web, str("2026-01-01T10:00:03.000Z")));
    QVERIFY(!model.indexOfKey(1).isValid());
    QVERIFY(!one.isValid());
    model.applyStatus(statusWith(str("2026-01-01T10:00:02.500Z"), {{cache, 4}, {web, 1}, {web, 3}}));
    QVERIFY(!model.indexOfKey(1).isValid());
    model.applyEvent(eventAt(Clustr::ClusterEvent::Type::Registered, 5, web, str("2026-01-01T10:00:03.100Z")));
    QCOMPARE(model.keys(web), (QList<qint64>{3, 5}));
    model.applyStatus(statusWith(str("2026-01-01T10:00:02.800Z"), {{cache, 4}, {web, 3}}));
    QCOMPARE(model.keys(web), (QList<qint64>{3, 5}));
    // ... and a newer snapshot wins over the event.
    model.applyStatus(statusWith(str("2026-01-01T10:00:04.000Z"), {{cache, 4}, {web, 3}}));
    QCOMPARE(model.keys(web), (QList<qint64>{3}));

    // The same snapshot again changes nothing.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.applyStatus(statusWith(str("2026-01-01T10:00:04.000Z"), {{cache, 4}, {web, 3}}));
    QCOMPARE(changed.count(), 0);

    // A group that empties goes away with its row.
    model.applyStatus(statusWith(str("2026-01-01T10:00:05.000Z"), {{web, 3}}));
    QCOMPARE(model.groups(), (QStringList{QStringLiteral("master"), web}));

    // Gone: greyed out, rows kept.
    model.setStale(true);
    QCOMPARE(model.processCount(), 2);
    QCOMPARE(model.index(0, 0).data(Qt::ForegroundRole).value<QBrush>().color(), QColor(Qt::gray));
    QCOMPARE(resets.count(), 0);
}

// A respawned worker shows up first as the master's child, running but not
// registered: its registration event makes it a member at once, not at the
// next snapshot (the details pane would leave out what its group heard).
void tst_Gui::registrationMakesAStartingChildAMember()
{
    ProcessTreeModel model;
    Clustr::ClusterStatus status = statusWith(str("2026-01-01T10:00:01.000Z"), {{QStringLiteral("web"), 1}});
    Clustr::ChildInfo child;
    child.setPid(8);
    child.setGroup(QStringLiteral("web"));
    child.setRegisters(true);
    child.setState(Clustr::ChildInfo::State::Running);
    status.setChildren({child});
    model.applyStatus(status);
    QCOMPARE(model.keys(QStringLiteral("web")), (QList<qint64>{1, 8}));
    QVERIFY(!model.process(8)->registered);
    QVERIFY(model.process(8)->state.is(Clustr::ChildInfo::State::Starting));

    QSignalSpy updated(&model, &ProcessTreeModel::processUpdated);
    model.applyEvent(eventAt(Clustr::ClusterEvent::Type::Registered, 8, QStringLiteral("web"), str("2026-01-01T10:00:02.000Z")));
    QVERIFY(model.process(8)->registered);
    QVERIFY(model.process(8)->state.is(Clustr::ChildInfo::State::Running));
    QVERIFY(updated.contains(QVariantList{qint64(8)}));
    // A snapshot from before the registration does not take it back.
    model.applyStatus(status);
    QVERIFY(model.process(8)->registered);
    QCOMPARE(model.keys(QStringLiteral("web")), (QList<qint64>{1, 8}));
}

// Numbers right, words left, and never a number right before a word: "4" of
// Restarts and "0" of CPUs used to touch ("4 0").
void tst_Gui::processColumnsAlignWordsLeftNumbersRight()
{
    ProcessTreeModel model;
    model.applyStatus(statusWith(str("2026-01-01T10:00:01.000Z"), {{QStringLiteral("web"), 1}}));
    const QModelIndex group = model.index(1, 0);
    QCOMPARE(group.data().toString(), QStringLiteral("web"));
    const QModelIndex process = model.index(0, 0, group);
    bool numbers = false;
    for (int c = 0; c < ProcessTreeModel::ColumnCount; ++c) {
        const Qt::Alignment expected = ProcessTreeModel::columnAlignment(c);
        QCOMPARE(model.headerData(c, Qt::Horizontal, Qt::TextAlignmentRole).value<Qt::Alignment>(), expected);
        QCOMPARE(group.siblingAtColumn(c).data(Qt::TextAlignmentRole).value<Qt::Alignment>(), expected);
        QCOMPARE(process.siblingAtColumn(c).data(Qt::TextAlignmentRole).value<Qt::Alignment>(), expected);
        if (expected & Qt::AlignRight)
            numbers = true;
        else
            QVERIFY2(!numbers, qPrintable(model.headerData(c, Qt::Horizontal).toString()));
    }
    QVERIFY(ProcessTreeModel::columnAlignment(ProcessTreeModel::RestartsColumn) & Qt::AlignRight);
    QVERIFY(ProcessTreeModel::columnAlignment(ProcessTreeModel::CpusColumn) & Qt::AlignLeft);
}

void tst_Gui::masterCountsAsRunningWhileItReloads()
{
    ProcessTreeModel model;
    Clustr::ClusterStatus status = statusWith(str("2026-01-01T10:00:01.000Z"), {{QStringLiteral("web"), 1}});
    Clustr::MasterInfo master = status.master();
    master.setState(Clustr::MasterInfo::State::Reloading);
    status.setMaster(master);
    model.applyStatus(status);
    const QModelIndex masterGroup = model.index(0, ProcessTreeModel::StateColumn);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("master"));
    QCOMPARE(masterGroup.data().toString(), QStringLiteral("1 running"));
    QCOMPARE(model.index(0, ProcessTreeModel::StateColumn, model.index(0, 0)).data().toString(), QStringLiteral("reloading"));
}

// The details pane: a long program path elided in the middle (whole in the
// tooltip), counters' names in the normal text colour, and only the
// messages of the process' own lifetime among its recent ones.
// Across hosts: a row per host above its groups, pids that are only unique
// on their host, a lost host kept and marked; a cluster of one host has no host level.
void tst_Gui::processModelGroupsByHost()
{
    ProcessTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyStatus(statusWith(str("2026-01-01T10:00:01.000Z"), {{str("web"), 7}}));
    QCOMPARE(model.rowCount(), 2); // master, web: no host level
    QVERIFY(!model.isAcrossHosts());
    QVERIFY(model.index(0, 0).data(ProcessTreeModel::HostRole).toString().isEmpty());

    const auto hostEntry = [](const QString &name, bool lost) {
        Clustr::ClusterHost host;
        host.name = name;
        host.masterPid = 100;
        host.lost = lost;
        return host;
    };
    // The host the status above was of (a monitor told its host) keeps what it read.
    model.setCurrentHost(str("beta"));
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.setHosts({hostEntry(str("alpha"), false), hostEntry(str("beta"), false)});
    QCOMPARE(resets.count(), 1);
    QVERIFY(model.isAcrossHosts());
    QCOMPARE(model.hostNames(), (QStringList{str("alpha"), str("beta")}));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.keysOn(str("beta"), str("web")), QList<qint64>{7});

    // The same pids on both hosts: each row is its host's.
    model.applyStatus(str("alpha"), statusWith(str("2026-01-01T10:00:02.000Z"), {{str("web"), 7}, {str("web"), 8}}));
    const QModelIndex alpha = model.indexOfHost(str("alpha"));
    const QModelIndex beta = model.indexOfHost(str("beta"));
    QCOMPARE(alpha.data().toString(), str("alpha"));
    QVERIFY(alpha.data(ProcessTreeModel::IsHostRole).toBool());
    QCOMPARE(alpha.siblingAtColumn(ProcessTreeModel::StateColumn).data().toString(), str("running · 2 workers"));
    QCOMPARE(beta.siblingAtColumn(ProcessTreeModel::StateColumn).data().toString(), str("running · 1 worker"));
    QCOMPARE(model.rowCount(alpha), 2); // master, web
    const QModelIndex alphaSeven = model.indexOfKeyOn(str("alpha"), 7);
    const QModelIndex betaSeven = model.indexOfKeyOn(str("beta"), 7);
    QVERIFY(alphaSeven.isValid() && betaSeven.isValid() && alphaSeven != betaSeven);
    QCOMPARE(alphaSeven.parent().parent(), alpha);
    QCOMPARE(betaSeven.parent().parent(), beta);
    QCOMPARE(alphaSeven.data(ProcessTreeModel::HostRole).toString(), str("alpha"));
    // The lookups without a host are the current host's: the one the actions go to.
    QCOMPARE(model.indexOfKey(7), betaSeven);
    QVERIFY(!model.process(8));
    model.setCurrentHost(str("alpha"));
    QCOMPARE(model.indexOfKey(7), alphaSeven);
    QVERIFY(model.process(8));

    // An event of one host leaves the other's process of that pid alone.
    model.applyEvent(str("beta"), eventAt(Clustr::ClusterEvent::Type::Exited, 7, str("web"), str("2026-01-01T10:00:03.000Z")));
    QVERIFY(!model.indexOfKeyOn(str("beta"), 7).isValid());
    QVERIFY(model.indexOfKeyOn(str("alpha"), 7).isValid());

    // Lost: kept, marked in words and colour, its processes greyed; back to normal when it rejoins.
    QSignalSpy lostChanges(&model, &ProcessTreeModel::hostLostChanged);
    model.setHosts({hostEntry(str("alpha"), true), hostEntry(str("beta"), false)});
    QCOMPARE(resets.count(), 1);
    QCOMPARE(lostChanges.count(), 1);
    QVERIFY(model.isHostLost(str("alpha")) && !model.isHostLost(str("beta")));
    const QModelIndex lost = model.indexOfHost(str("alpha"), ProcessTreeModel::StateColumn);
    QCOMPARE(lost.data().toString(), str("lost · 2 workers"));
    QVERIFY(lost.data(Qt::ForegroundRole).value<QBrush>().color() != QColor(Qt::black));
    QVERIFY(lost.data(Qt::DecorationRole).isValid());
    QCOMPARE(model.indexOfKeyOn(str("alpha"), 8).data(Qt::ForegroundRole).value<QBrush>().color(), QColor(Qt::gray));
    QVERIFY(!model.indexOfHost(str("beta"), ProcessTreeModel::StateColumn).data(Qt::ForegroundRole).isValid());
    model.setHosts({hostEntry(str("alpha"), false), hostEntry(str("beta"), false), hostEntry(str("gamma"), false)});
    QCOMPARE(resets.count(), 1); // a host more is a row more
    QVERIFY(!model.isHostLost(str("alpha")));
    QVERIFY(!model.indexOfKeyOn(str("alpha"), 8).data(Qt::ForegroundRole).isValid());
    QCOMPARE(model.hostNames(), (QStringList{str("alpha"), str("beta"), str("gamma")}));
    QVERIFY(model.hasChildren(model.indexOfHost(str("gamma")))); // openable before it is read
    QCOMPARE(model.indexOfHost(str("gamma"), ProcessTreeModel::StateColumn).data().toString(), str("running")); // no count known yet

    // No hosts any more: a cluster of one host again.
    model.setHosts({});
    QVERIFY(!model.isAcrossHosts());
    QCOMPARE(model.rowCount(), 0);
}

void tst_Gui::detailsShowWhatTheProcessIs()
{
    const QDateTime started = QDateTime::currentDateTimeUtc().addSecs(-10);
    Clustr::ClusterStatus status = statusWith(str("2026-01-01T10:00:01.000Z"), {{QStringLiteral("web"), 7}});
    QList<Clustr::ProcessStatus> processes = status.processes();
    processes[0].setStartedAt(started);
    status.setProcesses(processes);
    const QString path = QStringLiteral("/opt/a/rather/long/installation/prefix/of/the/shop/with/many/levels/below/it/bin/the-worker-program");
    Clustr::ChildInfo child;
    child.setPid(7);
    child.setGroup(QStringLiteral("web"));
    child.setFile(path);
    child.setState(Clustr::ChildInfo::State::Running);
    status.setChildren({child});
    ProcessTreeModel model;
    model.applyStatus(status);

    MessageLogModel log(100);
    LogBatch batch;
    for (const auto &[offsetMs, data] : {std::pair{-5000, "from an earlier process with pid 7"}, std::pair{1000, "its own"}}) {
        LogEntry e;
        e.sequence = quint64(batch.size() + 1);
        e.timeMs = started.toMSecsSinceEpoch() + offsetMs;
        e.kind = LogKind::Public;
        e.pid = 7;
        e.group = QStringLiteral("web");
        e.channel = QStringLiteral("public");
        e.data = QString::fromUtf8(data);
        batch.append(e);
    }
    log.appendBatch(batch);

    ProcessDetails details(&model, &log);
    details.resize(320, 700);
    details.show();
    QVERIFY(QTest::qWaitForWindowExposed(&details));
    details.showProcess(7);
    QCOMPARE(details.recentCount(), 1);
    QVERIFY2(details.recentText(0).endsWith(QStringLiteral("its own")), qPrintable(details.recentText(0)));

    ElidedLabel *program = details.valueLabel(QStringLiteral("Program"));
    QVERIFY(program);
    QCOMPARE(program->fullText(), path);
    QCOMPARE(program->toolTip(), path);
    QTRY_VERIFY(program->isElided());
    // Elided in the middle: both ends of the path are kept.
    const QStringList ends = program->text().split(QStringLiteral("…"));
    QVERIFY2(ends.size() == 2 && !ends.at(0).isEmpty() && !ends.at(1).isEmpty() && path.startsWith(ends.at(0)) && path.endsWith(ends.at(1)),
             qPrintable(program->text()));

    auto *stats = details.findChild<QTableWidget *>(QStringLiteral("statsTable"));
    QVERIFY(stats);
    QVERIFY(!stats->item(0, 0)->data(Qt::ForegroundRole).isValid());
}

// ---- the window ----

void tst_Gui::connectionDialogChecksTheUrl()
{
    // A URL typed by hand is checked as everywhere else (RedisClient::isValidUrl).
    ConnectionDialog dialog(ConnectionSettings{});
    auto *url = dialog.findChild<QLineEdit *>(QStringLiteral("redisUrl"));
    auto *error = dialog.findChild<QLabel *>(QStringLiteral("redisUrlError"));
    auto *buttons = dialog.findChild<QDialogButtonBox *>();
    QVERIFY(url && error && buttons);
    QPushButton *connectButton = buttons->button(QDialogButtonBox::Ok);
    dialog.findChild<QRadioButton *>(QStringLiteral("useUrl"))->setChecked(true);
    const auto type = [url](const QString &text) {
        url->clear();
        QTest::keyClicks(url, text);
    };

    type(QStringLiteral("rediss://127.0.0.1:6380?cacert=/ca.pem&cafile=/x"));
    QString expected;
    QVERIFY(!Clustr::RedisClient::isValidUrl(url->text(), &expected));
    QVERIFY(!connectButton->isEnabled());
    QVERIFY(!error->isHidden());
    QCOMPARE(error->text(), expected);
    QVERIFY(error->text().contains(QLatin1String("unknown option \"cafile\"")));

    type(QStringLiteral("rediss://127.0.0.1:6380?cacert=/ca.pem&cert=/c.pem&key=/k.pem&sni=localhost"));
    QVERIFY(connectButton->isEnabled());
    QVERIFY(error->isHidden());
    QCOMPARE(dialog.settings().redisUrl, url->text());
    QVERIFY(!dialog.settings().automatic);

    type(QStringLiteral("localhost:6379"));
    QVERIFY(!connectButton->isEnabled());
    // Finding Redis automatically needs no URL: nothing to refuse.
    dialog.findChild<QRadioButton *>(QStringLiteral("findAutomatically"))->setChecked(true);
    QVERIFY(connectButton->isEnabled());
}

void tst_Gui::versionSaysWhatItRunsOn()
{
    // The program itself, without a display: --version needs none.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    const ProgramRun run = runProgram(buildBinary(QStringLiteral("clustr-qt-gui")), {QStringLiteral("--version")}, env, 30000);
    QVERIFY2(run.finished && run.exitCode == 0, run.describe());
    const QStringList lines = run.outLines();
    QVERIFY2(lines.size() == 5, run.describe());
    QCOMPARE(lines.mid(0, 4), expectedVersionLines(QStringLiteral("clustr-qt-gui")));
    QVERIFY2(lines.at(4).startsWith(QLatin1String("redis-server")), run.describe());
}

void tst_Gui::emptyStateWithoutCluster()
{
    QTRY_COMPARE(m_window->monitor()->state(), ClusterMonitor::State::NoCluster);
    QVERIFY(m_window->isShowingEmptyState());
    const QString text = m_window->emptyState()->text();
    QVERIFY2(text.contains(QStringLiteral("scripts/run")) && text.contains(QStringLiteral("clustr-qt run cluster.json")), qPrintable(text));
    QVERIFY2(text.contains(m_redis.url()), qPrintable(text));
    QVERIFY(!m_window->killAction()->isEnabled());
    QVERIFY(!m_window->reloadAction()->isEnabled());
}

void tst_Gui::treeShowsTheWorkers()
{
    QVERIFY(startCluster());
    // It comes by itself: no refresh, no reconnect.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->monitor()->state() == ClusterMonitor::State::Running && webPids().size() == 2, 15000);
    QVERIFY(!m_window->isShowingEmptyState());
    QVERIFY(!m_window->goneBanner()->isVisible());
    ProcessTreeModel *model = m_window->processModel();
    QCOMPARE(model->keys(QStringLiteral("master")), QList<qint64>{m_daemon->pid()});
    QTRY_VERIFY(model->process(webPids().at(0))->heartbeat && model->process(webPids().at(1))->heartbeat);
    for (qint64 pid : webPids()) {
        const ProcessInfo p = *model->process(pid);
        QCOMPARE(p.ppid, m_daemon->pid());
        QVERIFY(p.state.is(Clustr::ChildInfo::State::Running));
        QCOMPARE(p.state.text(), QStringLiteral("running"));
        QVERIFY(!p.host.isEmpty());
        QVERIFY(p.rss > 0);
        QVERIFY(p.commandLine.join(QLatin1Char(' ')).contains(QStringLiteral("--group=web")));
    }

    // What the tree view shows: group "web" with both pids below it, state in words.
    QSortFilterProxyModel *proxy = m_window->processView()->proxyModel();
    QModelIndex webRow;
    for (int row = 0; row < proxy->rowCount(); ++row) {
        if (proxy->index(row, 0).data().toString() == QLatin1String("web"))
            webRow = proxy->index(row, 0);
    }
    QVERIFY(webRow.isValid());
    QCOMPARE(proxy->rowCount(webRow), 2);
    QVERIFY(m_window->processView()->treeView()->isExpanded(webRow));
    QCOMPARE(webRow.siblingAtColumn(ProcessTreeModel::StateColumn).data().toString(), QStringLiteral("2 running"));
    QStringList shown;
    for (int row = 0; row < 2; ++row) {
        shown.append(proxy->index(row, ProcessTreeModel::NameColumn, webRow).data().toString());
        QCOMPARE(proxy->index(row, ProcessTreeModel::StateColumn, webRow).data().toString(), QStringLiteral("running"));
        QVERIFY(proxy->index(row, ProcessTreeModel::StateColumn, webRow).data(Qt::DecorationRole).isValid()); // and a colour
    }
    QCOMPARE(shown, (QStringList{QString::number(webPids().at(0)), QString::number(webPids().at(1))}));

    // The filter keeps a matching process with its group.
    m_window->processView()->setFilterText(QString::number(webPids().at(1)));
    QCOMPARE(proxy->rowCount(), 1);
    QCOMPARE(proxy->rowCount(proxy->index(0, 0)), 1);
    m_window->processView()->setFilterText(QString());

    // The details of a selected worker: counters (from its heartbeats) and command line.
    const qint64 pid = webPids().at(0);
    QVERIFY(m_window->processView()->selectKey(pid));
    QCOMPARE(m_window->details()->key(), pid);
    QVERIFY(m_window->details()->commandLineText().contains(QStringLiteral("clustr-test-worker")));
    QTRY_VERIFY(m_window->details()->statValue(QStringLiteral("emitPublic")) == QLatin1String("0"));

    // The charts' data: workers up per group.
    ClusterHistory *history = m_window->history();
    QTRY_VERIFY_WITH_TIMEOUT([history] {
        for (const ClusterHistory::Series &s : history->workersUp()) {
            if (s.name == QLatin1String("web") && !s.points.isEmpty() && s.points.constLast().y() == 2)
                return true;
        }
        return false;
    }(), 5000);
}

void tst_Gui::killRemovesTheRowAndRespawnAddsOne()
{
    ProcessTreeModel *model = m_window->processModel();
    QSignalSpy resets(model, &QAbstractItemModel::modelReset);
    const QList<qint64> before = webPids();
    const qint64 victim = before.at(0);
    QVERIFY(m_window->processView()->selectKey(victim));

    auto *dialog = openedDialog<ExitCodeDialog>(m_window->killAction());
    QVERIFY(dialog);
    QCOMPARE(dialog->exitCode(), 1); // "respawn it" is the default
    dialog->accept();

    QTRY_VERIFY_WITH_TIMEOUT(!model->indexOfKey(victim).isValid(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(webPids().size() == 2 && !webPids().contains(victim), 15000);
    const qint64 respawned = webPids().contains(before.at(1)) ? (webPids().at(0) == before.at(1) ? webPids().at(1) : webPids().at(0)) : 0;
    QVERIFY(respawned > 0 && respawned != victim);
    QVERIFY(m_daemon->waitForEvent(QStringLiteral("started"), [respawned](const QJsonObject &e) {
        return qint64(e.value(QStringLiteral("_from")).toDouble()) == respawned;
    }));
    QVERIFY(m_daemon->waitForEvent(QStringLiteral("killRequested"), [victim](const QJsonObject &e) {
        return qint64(e.value(QStringLiteral("_from")).toDouble()) == victim && e.value(QStringLiteral("code")).toInt() == 1;
    }));
    // The outcome is told, the details show the process as gone, nothing was reset.
    QTRY_VERIFY(m_window->activity()->contains(QStringLiteral("Killed web %1").arg(victim)));
    QCOMPARE(m_window->details()->key(), victim);
    QVERIFY(m_window->details()->isGone());
    QCOMPARE(resets.count(), 0);
}

void tst_Gui::sentMessagesReachTheWorkers()
{
    const QList<qint64> workers = webPids();
    auto received = [this](const QString &kind, const QJsonValue &data) {
        return m_daemon->count(QStringLiteral("message"), [&](const QJsonObject &e) {
            return e.contains(QStringLiteral("_from")) && e.value(QStringLiteral("kind")).toString() == kind
                && e.value(QStringLiteral("data")) == data;
        });
    };

    // To the group: both workers.
    m_window->processView()->selectKey(0);
    auto *dialog = openedDialog<SendDialog>(m_window->sendAction());
    QVERIFY(dialog);
    dialog->setTarget(ActionTracker::Target::Group);
    dialog->setGroup(QStringLiteral("web"));
    dialog->setText(QStringLiteral("{\"hello\": \"from the gui\"}"));
    dialog->accept();
    const QJsonValue hello = QJsonObject{{QStringLiteral("hello"), QStringLiteral("from the gui")}};
    QTRY_COMPARE_WITH_TIMEOUT(received(QStringLiteral("group"), hello), 2, 10000);
    QTRY_VERIFY(m_window->activity()->contains(QStringLiteral("Sent message to group web (seen on group:web)")));

    // Privately: the selected worker only (the dialog proposes it).
    QVERIFY(m_window->processView()->selectKey(workers.at(1)));
    dialog = openedDialog<SendDialog>(m_window->sendAction());
    QVERIFY(dialog);
    QCOMPARE(dialog->target(), ActionTracker::Target::Private);
    QCOMPARE(dialog->pid(), workers.at(1));
    dialog->setText(QStringLiteral("just for you"));
    dialog->accept();
    QVERIFY(m_daemon->waitForEvent(QStringLiteral("message"), [&](const QJsonObject &e) {
        return qint64(e.value(QStringLiteral("_from")).toDouble()) == workers.at(1)
            && e.value(QStringLiteral("data")).toString() == QLatin1String("just for you");
    }));
    QTRY_VERIFY(m_window->activity()->contains(QStringLiteral("Sent private message to %1").arg(workers.at(1))));
    QCOMPARE(received(QStringLiteral("private"), QStringLiteral("just for you")), 1);
    // The details pane lists it among the worker's received messages (and the group one before).
    ProcessDetails *details = m_window->details();
    QCOMPARE(details->key(), workers.at(1));
    auto listed = [details](const QString &line) {
        for (int row = 0; row < details->recentCount(); ++row) {
            if (details->recentText(row) == line)
                return true;
        }
        return false;
    };
    QTRY_VERIFY(listed(QStringLiteral("← private:%1 just for you").arg(workers.at(1))));
    // As typed; a worker respawned by the test before is a member once its
    // registration is seen, which may come after its group's message.
    QTRY_VERIFY(listed(QStringLiteral("← group:web {\"hello\": \"from the gui\"}")));

    // To everybody, a number (valid JSON is sent as JSON).
    dialog = openedDialog<SendDialog>(m_window->sendAction());
    QVERIFY(dialog);
    dialog->setTarget(ActionTracker::Target::Public);
    dialog->setText(QStringLiteral("42"));
    dialog->accept();
    QTRY_COMPARE_WITH_TIMEOUT(received(QStringLiteral("public"), 42), 2, 10000);

    // JSON goes out as typed (key order, number spelling, even across lines)
    // and the log shows it so, in one line.
    dialog = openedDialog<SendDialog>(m_window->sendAction());
    QVERIFY(dialog);
    dialog->setTarget(ActionTracker::Target::Public);
    dialog->setText(QStringLiteral("{\"z\": 1,\n \"a\": 2.50}"));
    dialog->accept();
    const QString typed = QStringLiteral("{\"z\": 1, \"a\": 2.50}");
    auto logged = [this, &typed] {
        bool found = false;
        int looked = 0;
        m_window->logModel()->visitNewestFirst([&](const LogEntry &e) {
            found = e.channel == QLatin1String("public") && e.data == typed;
            return !found && ++looked < 100;
        });
        return found;
    };
    QTRY_VERIFY_WITH_TIMEOUT(logged(), 10000);
    const QJsonValue za = QJsonObject{{QStringLiteral("z"), 1}, {QStringLiteral("a"), 2.5}};
    QTRY_COMPARE_WITH_TIMEOUT(received(QStringLiteral("public"), za), 2, 10000);
}

// The Output tab: the workers' lines `clustr-qt run` keeps in Redis, each
// once, filtered to the selected process or by text; a view opened later
// reads the recent ones from Redis.
void tst_Gui::outputShowsWhatTheWorkersPrinted()
{
    const QList<qint64> workers = webPids();
    QCOMPARE(workers.size(), 2);
    OutputView *view = m_window->outputView();
    auto linesOf = [](const QStringList &lines, qint64 pid, const QString &text) {
        return std::count_if(lines.cbegin(), lines.cend(), [&](const QString &line) {
            return line.contains(QStringLiteral("[%1]  out  ").arg(pid)) && line.contains(text);
        });
    };
    const QString ready = QStringLiteral("\"event\":\"ready\"");
    const QString message = QStringLiteral("\"event\":\"message\"");
    for (qint64 pid : workers) {
        QTRY_COMPARE_WITH_TIMEOUT(linesOf(view->shownLines(), pid, message) >= 1, true, 10000);
        QCOMPARE(linesOf(view->shownLines(), pid, ready), 1);
    }
    QVERIFY(view->placeholder()->isHidden());

    // The selected process only.
    QVERIFY(m_window->processView()->selectKey(workers.at(0)));
    view->setSelectedOnly(true);
    const QStringList selected = view->shownLines();
    QVERIFY(linesOf(selected, workers.at(0), message) >= 1);
    QVERIFY(std::all_of(selected.cbegin(), selected.cend(), [&](const QString &line) {
        return line.contains(QStringLiteral("[%1]  ").arg(workers.at(0)));
    }));
    // A group: its processes, though its spawn entry (the lines' group) is named after the program.
    view->setSelection(QStringLiteral("web"), {workers.at(0), workers.at(1)});
    QCOMPARE(linesOf(view->shownLines(), workers.at(1), ready), 1);
    view->setSelectedOnly(false);
    view->setTextFilter(QStringLiteral("\"ready\""));
    const QStringList filtered = view->shownLines();
    QVERIFY(std::all_of(filtered.cbegin(), filtered.cend(), [](const QString &line) { return line.contains(QStringLiteral("\"ready\"")); }));
    QCOMPARE(linesOf(filtered, workers.at(0), ready), 1);
    QCOMPARE(linesOf(filtered, workers.at(1), ready), 1);
    QVERIFY(linesOf(filtered, workers.at(0), message) == 0);
    view->setTextFilter(QString());

    // Opened later: the recent lines come from Redis, each once.
    OutputFeed feed(m_window->monitor());
    OutputView later(&feed);
    QTRY_COMPARE_WITH_TIMEOUT(linesOf(later.shownLines(), workers.at(1), ready), qsizetype(1), 10000);
    QVERIFY(linesOf(later.shownLines(), workers.at(1), message) >= 1);
}

void tst_Gui::reloadProgressReaches100()
{
    ReloadProgress *reload = m_window->reloadProgress();
    QSignalSpy progress(reload, &ReloadProgress::progressChanged);
    QSignalSpy finished(reload, &ReloadProgress::finished);
    const QList<qint64> before = webPids();

    QVERIFY(m_window->reloadAction()->isEnabled());
    m_window->reloadAction()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 30000);
    QVERIFY(finished.at(0).at(0).toBool());
    QCOMPARE(m_window->reloadBar()->value(), 100);
    QVERIFY(m_window->reloadBar()->isVisible());

    QList<int> percents;
    for (const auto &signal : std::as_const(progress))
        percents.append(signal.at(0).toInt());
    QVERIFY(!percents.isEmpty());
    QVERIFY2(std::is_sorted(percents.cbegin(), percents.cend()), qPrintable(QVariant::fromValue(percents).toString()));
    QCOMPARE(percents.constLast(), 100);
    QVERIFY(percents.contains(50)); // one of two workers replaced
    QVERIFY(m_window->activity()->contains(QStringLiteral("cluster reloaded: 2 workers")));

    // Both workers were replaced.
    QTRY_VERIFY_WITH_TIMEOUT(webPids().size() == 2 && !webPids().contains(before.at(0)) && !webPids().contains(before.at(1)), 10000);
}

void tst_Gui::logFilters()
{
    MessageLogView *log = m_window->logView();
    MessageLogFilter *filter = log->filter();
    MessageLogModel *model = m_window->logModel();
    auto *text = log->findChild<QLineEdit *>(QStringLiteral("textFilter"));
    auto *pid = log->findChild<QLineEdit *>(QStringLiteral("pidFilter"));
    auto *group = log->findChild<QComboBox *>(QStringLiteral("groupFilter"));
    auto *kinds = log->findChild<QToolButton *>(QStringLiteral("kindFilter"));
    QVERIFY(text && pid && group && kinds);
    const qint64 worker = webPids().at(0);

    Clustr::RedisClient redis;
    redis.setUrl(m_redis.url());
    QVERIFY(redis.open());
    QTRY_VERIFY(redis.isConnected());
    redis.publish(channel(QStringLiteral("public")), payload(4242, QStringLiteral("probe"), QStringLiteral("alpha-1")));
    redis.publish(channel(QStringLiteral("public")), payload(4242, QStringLiteral("probe"), QStringLiteral("alpha-2")));
    redis.publish(channel(QStringLiteral("group:web")), payload(4243, QStringLiteral("other"), QStringLiteral("beta")));
    redis.publish(channel(QStringLiteral("private:%1").arg(worker)), payload(4243, QStringLiteral("other"), QStringLiteral("gamma")));
    redis.publish(channel(QStringLiteral("public")), "not json at all");
    auto rows = [&] {
        QStringList data;
        for (int row = 0; row < filter->rowCount(); ++row)
            data.append(filter->index(row, MessageLogModel::DataColumn).data().toString());
        return data;
    };
    // From a host of a cluster across hosts (meta.host): named HOST:PID, as the CLI names it.
    const QJsonObject fromHost{{QStringLiteral("meta"), QJsonObject{{QStringLiteral("pid"), 4244}, {QStringLiteral("group"), QStringLiteral("far")},
                                                                    {QStringLiteral("host"), QStringLiteral("h2")}}},
                               {QStringLiteral("data"), QStringLiteral("from h2")}};
    redis.publish(channel(QStringLiteral("public")), QJsonDocument(fromHost).toJson(QJsonDocument::Compact));
    text->setText(QStringLiteral("not json"));
    QTRY_COMPARE(rows(), QStringList{QStringLiteral("not json at all")});
    QCOMPARE(filter->index(0, MessageLogModel::SenderColumn).data().toString(), QStringLiteral("(not decodable)"));
    text->setText(QStringLiteral("from h2"));
    QTRY_COMPARE(rows(), QStringList{QStringLiteral("from h2")});
    QCOMPARE(filter->index(0, MessageLogModel::SenderColumn).data().toString(), QStringLiteral("far h2:4244"));
    const LogEntry &entry = model->entry(filter->mapToSource(filter->index(0, 0)).row());
    QCOMPARE(MessageLogModel::toJson(entry).value(QStringLiteral("host")).toString(), QStringLiteral("h2"));
    QVERIFY(!MessageLogModel::toJson(model->entry(0)).contains(QStringLiteral("host"))); // one host's messages: as before

    // Text.
    text->setText(QStringLiteral("ALPHA"));
    QTRY_COMPARE(rows(), (QStringList{QStringLiteral("alpha-1"), QStringLiteral("alpha-2")}));
    // Kind: unticking "public" in the menu hides them.
    QAction *publicKind = nullptr;
    for (QAction *action : kinds->menu()->actions()) {
        if (action->text() == QLatin1String("public"))
            publicKind = action;
    }
    QVERIFY(publicKind && publicKind->isChecked());
    publicKind->trigger();
    QCOMPARE(filter->rowCount(), 0);
    publicKind->trigger();
    QCOMPARE(filter->rowCount(), 2);
    text->clear();

    // Pid: sent by it.
    pid->setText(QStringLiteral("4242"));
    QCOMPARE(rows(), (QStringList{QStringLiteral("alpha-1"), QStringLiteral("alpha-2")}));
    // Pid: sent by it or privately to it (the worker's own heartbeats are hidden by default).
    pid->setText(QString::number(worker));
    QVERIFY(rows().contains(QStringLiteral("gamma")));
    for (int row = 0; row < filter->rowCount(); ++row) {
        const QModelIndex index = filter->index(row, 0);
        QVERIFY(index.data(MessageLogModel::PidRole).toLongLong() == worker || index.data(MessageLogModel::TargetPidRole).toLongLong() == worker);
        QVERIFY(index.data(MessageLogModel::KindRole).toInt() != int(LogKind::Heartbeat));
    }
    pid->clear();

    // Group: sent by the group, or to it.
    group->setCurrentText(QStringLiteral("probe"));
    QCOMPARE(rows(), (QStringList{QStringLiteral("alpha-1"), QStringLiteral("alpha-2")}));
    group->setCurrentText(QStringLiteral("web"));
    QVERIFY(rows().contains(QStringLiteral("beta")));
    for (int row = 0; row < filter->rowCount(); ++row) {
        const QModelIndex index = filter->index(row, 0);
        QVERIFY(index.data(MessageLogModel::GroupRole).toString() == QLatin1String("web")
                || index.data(MessageLogModel::ChannelRole).toString() == QLatin1String("group:web"));
    }
    group->setCurrentText(QString());

    // Copy and export what is shown.
    text->setText(QStringLiteral("alpha"));
    log->view()->selectAll();
    const QStringList copied = log->selectedText().split(QLatin1Char('\n'));
    QCOMPARE(copied.size(), 2);
    QVERIFY(copied.at(0).endsWith(QStringLiteral("\talpha-1")));
    int written = 0;
    QString error;
    const QString exported = m_dir.filePath(QStringLiteral("log.jsonl"));
    QVERIFY2(log->exportTo(exported, &written, &error), qPrintable(error));
    QCOMPARE(written, 2);
    QFile file(exported);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QCOMPARE(QJsonDocument::fromJson(lines.at(1)).object().value(QStringLiteral("data")).toString(), QStringLiteral("alpha-2"));

    // Paused: new messages wait, and come on resume.
    text->setText(QStringLiteral("delta"));
    m_window->logView()->pauseAction()->trigger();
    QVERIFY(model->isPaused());
    redis.publish(channel(QStringLiteral("public")), payload(4242, QStringLiteral("probe"), QStringLiteral("delta")));
    QTRY_VERIFY(model->heldCount() > 0);
    QCOMPARE(filter->rowCount(), 0);
    m_window->logView()->pauseAction()->trigger();
    QVERIFY(!model->isPaused());
    QCOMPARE(rows(), QStringList{QStringLiteral("delta")});
    text->clear();
}

void tst_Gui::burstKeepsTheWindowResponsive()
{
    // CLUSTR_GUI_BURST=N tries a bigger one by hand.
    const int Messages = qEnvironmentVariableIntValue("CLUSTR_GUI_BURST") > 0 ? qEnvironmentVariableIntValue("CLUSTR_GUI_BURST") : 20000;
    MessageCollector *collector = m_window->collector();
    MessageLogModel *log = m_window->logModel();
    m_window->processView()->selectKey(webPids().at(0)); // the details pane follows the burst too
    const quint64 before = collector->received();

    // All messages in one go, from another process, as fast as Redis takes
    // them: the window gets them as fast as it can read. They go to a group
    // nobody is in, so the workers stay quiet and the measure is the window's.
    QByteArray commands;
    commands.reserve(Messages * 110);
    const QByteArray target = channel(QStringLiteral("group:burst"));
    for (int i = 0; i < Messages; ++i) {
        const QByteArray body = payload(4242, QStringLiteral("burst"), QJsonObject{{QStringLiteral("n"), i}});
        commands += "*3\r\n$7\r\nPUBLISH\r\n$" + QByteArray::number(target.size()) + "\r\n" + target + "\r\n$"
            + QByteArray::number(body.size()) + "\r\n" + body + "\r\n";
    }

    // A 10 ms timer in the window's thread: how late it fires is how long the
    // event loop was busy (plus qWaitFor's naps of up to 10 ms between passes).
    // Logged only: timing belongs in bench/, not in a pass/fail test.
    QElapsedTimer clock;
    qint64 last = 0;
    qint64 maxLateness = 0;
    int ticks = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    connect(&probe, &QTimer::timeout, this, [&] {
        const qint64 now = clock.elapsed();
        maxLateness = std::max(maxLateness, now - last - 10);
        last = now;
        ++ticks;
    });

    QProcess cli;
    cli.start(QStringLiteral("redis-cli"), m_redis.cliArguments() + QStringList{QStringLiteral("--pipe")});
    QVERIFY(cli.waitForStarted());
    clock.start();
    probe.start();
    cli.write(commands);
    cli.closeWriteChannel();

    const bool all = QTest::qWaitFor([&] { return collector->received() >= before + Messages; }, 60000);
    const qint64 receivedMs = clock.elapsed();
    // And the last batch is in the log (heartbeats may have come after it).
    const QString lastData = QStringLiteral("{\"n\":%1}").arg(Messages - 1);
    auto lastInLog = [&] {
        bool found = false;
        int looked = 0;
        log->visitNewestFirst([&](const LogEntry &e) {
            found = e.data == lastData;
            return !found && ++looked < 100;
        });
        return found && log->heldCount() == 0;
    };
    const bool logged = QTest::qWaitFor(lastInLog, 10000);
    probe.stop();
    cli.waitForFinished(5000);

    qInfo("burst of %d messages: all received after %lld ms, largest lateness of a 10 ms timer %lld ms (%d ticks)",
          Messages, receivedMs, maxLateness, ticks);
    QVERIFY2(all, qPrintable(QStringLiteral("received %1 of %2: %3").arg(collector->received() - before).arg(Messages)
                                 .arg(QString::fromUtf8(cli.readAllStandardError() + cli.readAllStandardOutput()))));
    QVERIFY2(logged, qPrintable(QStringLiteral("%1 not in the log; %2 dropped").arg(lastData).arg(collector->dropped())));
    QVERIFY(log->rowCount() <= log->capacity()); // bounded
    if (Messages <= m_window->logModel()->capacity())
        QCOMPARE(collector->dropped(), quint64(0)); // nothing lost that the log could have kept
}

void tst_Gui::clusterGoesAwayAndComesBack()
{
    ClusterMonitor *monitor = m_window->monitor();
    ProcessTreeModel *model = m_window->processModel();

    // Stopped from the window (it asks first): the workers leave, the cluster is gone.
    auto *dialog = openedDialog<ExitCodeDialog>(m_window->stopAction());
    QVERIFY(dialog);
    QCOMPARE(dialog->exitCode(), 15);
    dialog->accept();
    QVERIFY(m_daemon->waitForFinished(20000));
    QTRY_COMPARE(monitor->state(), ClusterMonitor::State::Gone);
    // The master's event comes on another connection than the poll that found it gone.
    QTRY_VERIFY(m_window->activity()->contains(QStringLiteral("The cluster is stopping")));
    QVERIFY(model->isStale());
    QVERIFY(m_window->goneBanner()->isVisible());
    QVERIFY(!m_window->isShowingEmptyState()); // the last picture stays, greyed out
    QVERIFY(!m_window->stopAction()->isEnabled());
    // Where it was, and how to start it again.
    const QString banner = m_window->goneBanner()->text();
    QVERIFY2(banner.contains(m_redis.url()) && banner.contains(QStringLiteral("clustr-qt run CLUSTER.json")), qPrintable(banner));
    const qint64 shown = m_window->details()->key();
    QVERIFY(shown != 0); // the process burstKeepsTheWindowResponsive selected

    // It comes back by itself.
    QVERIFY(startCluster());
    QTRY_VERIFY_WITH_TIMEOUT(monitor->state() == ClusterMonitor::State::Running && webPids().size() == 2, 15000);
    QVERIFY(!model->isStale());
    QVERIFY(!m_window->goneBanner()->isVisible());
    QCOMPARE(model->keys(QStringLiteral("master")), QList<qint64>{m_daemon->pid()});
    // A process of the cluster before has nothing more to say, and its row
    // (now another cluster's) is not selected.
    QCOMPARE(m_window->details()->key(), 0);
    QCOMPARE(m_window->processView()->selectedKey(), 0);

    // A master that dies without a word: rows stay, greyed, once its announcement expires.
    const QList<qint64> lastSeen = webPids();
    m_daemon->signal(SIGKILL);
    QVERIFY(m_daemon->waitForFinished(5000));
    QTRY_VERIFY_WITH_TIMEOUT(monitor->state() == ClusterMonitor::State::Gone, 10000);
    QVERIFY(model->isStale());
    // The last picture stays. (Not compared row for row with the snapshot
    // above: on a loaded machine a worker may be replaced in between.)
    QVERIFY(!webPids().isEmpty());
    QVERIFY(model->index(0, 0).data(Qt::ForegroundRole).isValid()); // grey

    QVERIFY(startCluster());
    QTRY_VERIFY_WITH_TIMEOUT(monitor->state() == ClusterMonitor::State::Running && webPids().size() == 2
                                 && !webPids().contains(lastSeen.at(0)) && !webPids().contains(lastSeen.at(1)), 15000);
    QVERIFY(!model->isStale());

    // Redis itself goes away: greyed out, then everything reconnects by itself.
    m_redis.kill();
    QTRY_COMPARE_WITH_TIMEOUT(monitor->state(), ClusterMonitor::State::Unreachable, 10000);
    QVERIFY(model->isStale());
    QVERIFY(m_window->goneBanner()->isVisible());
    QVERIFY(m_window->goneBanner()->text().contains(QStringLiteral("Redis")));
    QString error;
    QVERIFY2(m_redis.restart(&error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(monitor->state() == ClusterMonitor::State::Running && !model->isStale() && webPids().size() == 2, 30000);
    QVERIFY(!m_window->goneBanner()->isVisible());
}

// A Redis user that may watch but not command (a monitor's, docs/SECURITY.md):
// the cluster is shown, the actions are greyed out and say why.
void tst_Gui::monitorCredentialsGreyOutTheActions()
{
    using Clustr::AccessControl;
    const AccessControl::Passwords passwords = AccessControl::completePasswords();
    const QString aclFile = m_dir.filePath(QStringLiteral("users.acl"));
    QFile file(aclFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(AccessControl::aclFile(ClusterName, passwords));
    file.close();
    RedisServer::Options options;
    options.extraArguments = {QStringLiteral("--aclfile"), aclFile};
    RedisServer redis(options);
    QString error;
    QVERIFY2(redis.start(&error), qPrintable(error));
    const auto urlOf = [&](AccessControl::Role role) {
        return QStringLiteral("redis://%1:%2@127.0.0.1:%3").arg(AccessControl::userName(ClusterName, role), passwords.value(role)).arg(redis.port());
    };

    TestProcess master;
    QVERIFY(master.startWorker({QStringLiteral("--master"), QStringLiteral("--cluster-redis=") + urlOf(AccessControl::Role::Operator),
                                QStringLiteral("--cluster-namespace=") + ClusterName}));
    QSettings settings(m_dir.filePath(QStringLiteral("monitor.ini")), QSettings::IniFormat);
    MainWindow window(&settings, MainWindow::Options{});
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ConnectionSettings connection;
    connection.clusterName = ClusterName;
    connection.redisUrl = urlOf(AccessControl::Role::Monitor);
    connection.automatic = false;
    window.connectTo(connection, false);

    QTRY_VERIFY_WITH_TIMEOUT(window.monitor()->isRunning() && window.monitor()->isReadOnly(), 15000);
    for (QAction *action : {window.reloadAction(), window.stopAction(), window.findChild<QAction *>(QStringLiteral("sendAction")),
                            window.findChild<QAction *>(QStringLiteral("killAction")), window.findChild<QAction *>(QStringLiteral("restartClusterAction")),
                            window.findChild<QAction *>(QStringLiteral("restartGroupAction")), window.findChild<QAction *>(QStringLiteral("restartProcessAction")),
                            window.findChild<QAction *>(QStringLiteral("stopGroupAction")), window.findChild<QAction *>(QStringLiteral("startGroupAction")),
                            window.findChild<QAction *>(QStringLiteral("scaleAction"))}) {
        QVERIFY(action);
        QVERIFY(!action->isEnabled());
        QVERIFY2(action->toolTip().startsWith(QStringLiteral("Not allowed: ")) && action->toolTip().contains(QStringLiteral("NOPERM")),
                 qPrintable(action->toolTip()));
    }
    QVERIFY(window.readOnlyLabel()->isVisible());
    QVERIFY(window.activity()->contains(QStringLiteral("Read-only: ")));

    // The same cluster with the operator's user: everything may be used again.
    connection.redisUrl = urlOf(AccessControl::Role::Operator);
    window.connectTo(connection, false);
    QTRY_VERIFY_WITH_TIMEOUT(window.monitor()->isRunning() && window.reloadAction()->isEnabled(), 15000);
    QVERIFY(!window.monitor()->isReadOnly());
    QVERIFY(!window.readOnlyLabel()->isVisible());
    QVERIFY(!window.stopAction()->toolTip().startsWith(QStringLiteral("Not allowed")));
    QVERIFY(window.findChild<QAction *>(QStringLiteral("restartClusterAction"))->isEnabled());
}

// A cluster across hosts is one tree, grouped by host: every host's master
// and workers at once. The window follows the host of the selection, so an
// action reaches the process of the row it was chosen on, on its host; a
// host that dies is shown lost, the others live, and it comes back.
void tst_Gui::clusterAcrossHostsIsOneTreeByHost()
{
    const QString name = QStringLiteral("acrosshosts");
    const QJsonObject spec = testWorkerEntry(QStringLiteral("clustr-test-worker"), QStringLiteral("web"), 1);
    const auto startMaster = [&](const QString &host) {
        auto master = std::make_unique<TestProcess>();
        if (!master->startWorker({QStringLiteral("--master"), QStringLiteral("--cluster-redis=") + m_redis.url(),
                                  QStringLiteral("--cluster-namespace=") + name, QStringLiteral("--cluster-host=") + host,
                                  QStringLiteral("--spawn=") + QString::fromUtf8(QJsonDocument(QJsonArray{spec}).toJson(QJsonDocument::Compact))})
            || !master->waitForEvent(QStringLiteral("clusterStarted"), ownEvents(), 30000))
            return std::unique_ptr<TestProcess>();
        return master;
    };
    std::map<QString, std::unique_ptr<TestProcess>> masters;
    for (const QString &host : {QStringLiteral("beta"), QStringLiteral("alpha")}) {
        masters[host] = startMaster(host);
        QVERIFY(masters[host]);
    }
    const QString alpha = QStringLiteral("alpha");
    const QString beta = QStringLiteral("beta");

    QSettings settings(m_dir.filePath(QStringLiteral("hosts.ini")), QSettings::IniFormat);
    MainWindow::Options options;
    options.pollIntervalMs = 200;
    MainWindow window(&settings, options);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    ConnectionSettings connection;
    connection.clusterName = name;
    connection.redisUrl = m_redis.url();
    connection.automatic = false;
    window.connectTo(connection, false);

    // Both hosts at once, each with its master and its worker under it.
    ClusterMonitor *monitor = window.monitor();
    ProcessTreeModel *model = window.processModel();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest); // three levels, changed in place
    QTRY_VERIFY_WITH_TIMEOUT(model->isAcrossHosts() && model->keysOn(alpha, QStringLiteral("web")).size() == 1
                                 && model->keysOn(beta, QStringLiteral("web")).size() == 1,
                             15000);
    QTRY_VERIFY_WITH_TIMEOUT(model->keysOn(alpha, QStringLiteral("master")) == QList<qint64>{masters[alpha]->pid()}
                                 && model->keysOn(beta, QStringLiteral("master")) == QList<qint64>{masters[beta]->pid()},
                             10000);
    QVERIFY(!window.isShowingEmptyState());
    QSortFilterProxyModel *proxy = window.processView()->proxyModel();
    QCOMPARE(proxy->rowCount(), 2);
    for (int row = 0; row < 2; ++row) {
        const QModelIndex hostRow = proxy->index(row, 0);
        QCOMPARE(hostRow.data().toString(), row == 0 ? alpha : beta);
        QVERIFY(window.processView()->treeView()->isExpanded(hostRow));
        QCOMPARE(hostRow.siblingAtColumn(ProcessTreeModel::StateColumn).data().toString(), QStringLiteral("running · 1 worker"));
    }
    // Followed without being asked: the first running host. The other is read by a feed of its own.
    QTRY_VERIFY_WITH_TIMEOUT(monitor->isRunning() && monitor->host() == alpha, 10000);
    QTRY_COMPARE(window.hostFeeds()->hosts(), QSet<QString>{beta});
    QVERIFY(window.windowTitle().contains(QStringLiteral("on alpha")));

    // Kill from a worker row of beta: the monitor follows beta, the kill reaches beta's worker with its code.
    const qint64 alphaWorker = model->keysOn(alpha, QStringLiteral("web")).constFirst();
    const qint64 betaWorker = model->keysOn(beta, QStringLiteral("web")).constFirst();
    QVERIFY(window.processView()->selectOn(beta, betaWorker));
    QCOMPARE(window.processView()->selectedHost(), beta);
    QTRY_VERIFY_WITH_TIMEOUT(monitor->isRunning() && monitor->host() == beta && monitor->masterPid() == masters[beta]->pid()
                                 && window.killAction()->isEnabled(),
                             15000);
    QCOMPARE(window.details()->key(), betaWorker);
    QCOMPARE(window.stopAction()->text(), QStringLiteral("S&top host beta…"));
    // alpha stays shown, now through a feed of its own.
    QTRY_COMPARE(window.hostFeeds()->hosts(), QSet<QString>{alpha});
    QVERIFY(model->keysOn(alpha, QStringLiteral("web")) == QList<qint64>{alphaWorker});
    window.killAction()->trigger();
    auto *dialog = qobject_cast<ExitCodeDialog *>(window.activeDialog());
    QVERIFY(dialog);
    dialog->setExitCode(7);
    dialog->accept();
    QVERIFY(masters[beta]->waitForEvent(QStringLiteral("killRequested"), [betaWorker](const QJsonObject &e) {
        return qint64(e.value(QStringLiteral("_from")).toDouble()) == betaWorker && e.value(QStringLiteral("code")).toInt() == 7;
    }, 15000));
    QVERIFY(masters[beta]->waitForEvent(QStringLiteral("childExited"), ownEvents([betaWorker](const QJsonObject &e) {
        return qint64(e.value(QStringLiteral("pid")).toDouble()) == betaWorker && e.value(QStringLiteral("code")).toInt() == 7;
    }), 15000));
    QTRY_VERIFY(window.activity()->contains(QStringLiteral("Killed web %1").arg(betaWorker)));
    QCOMPARE(masters[alpha]->count(QStringLiteral("killRequested")), 0);
    QCOMPARE(masters[alpha]->count(QStringLiteral("childExited")), 0);
    QVERIFY(model->keysOn(alpha, QStringLiteral("web")) == QList<qint64>{alphaWorker});

    // A command under way on beta is followed to its end: a selection on
    // alpha meanwhile shows alpha's worker, and alpha is followed after.
    QTRY_VERIFY_WITH_TIMEOUT(model->keysOn(beta, QStringLiteral("web")).size() == 1
                                 && model->keysOn(beta, QStringLiteral("web")).constFirst() != betaWorker,
                             15000); // respawned
    QVERIFY(window.processView()->selectOn(beta, model->keysOn(beta, QStringLiteral("web")).constFirst()));
    QAction *restartGroup = window.operations()->restartGroupAction();
    QTRY_VERIFY(restartGroup->isEnabled());
    restartGroup->trigger();
    QVERIFY(window.operationRunner()->isActive());
    QVERIFY(window.processView()->selectOn(alpha, alphaWorker));
    QCOMPARE(window.details()->key(), alphaWorker);
    QVERIFY(!window.details()->isGone());
    QVERIFY(window.details()->commandLineText().contains(QStringLiteral("clustr-test-worker")));
    QCOMPARE(monitor->host(), beta);
    QVERIFY(!window.killAction()->isEnabled());
    QVERIFY(!restartGroup->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(!window.operationRunner()->isActive(), 30000);
    QVERIFY(window.activity()->contains(QStringLiteral("Restart of group web")));
    QTRY_VERIFY_WITH_TIMEOUT(monitor->isRunning() && monitor->host() == alpha && window.killAction()->isEnabled(), 15000);
    QCOMPARE(masters[alpha]->count(QStringLiteral("childExited")), 0);

    // A host's own row: that host followed.
    QVERIFY(window.processView()->selectOn(beta, 0));
    QTRY_VERIFY_WITH_TIMEOUT(monitor->isRunning() && monitor->host() == beta, 15000);

    // --host NAME: that host opened and selected, and followed.
    {
        MainWindow other(nullptr, options);
        ConnectionSettings toBeta = connection;
        toBeta.host = beta;
        other.connectTo(toBeta, false);
        QTRY_VERIFY_WITH_TIMEOUT(other.processModel()->isAcrossHosts() && other.processView()->selectedHost() == beta, 15000);
        QCOMPARE(other.monitor()->host(), beta);
        QVERIFY(other.processView()->expandedHosts().contains(beta));
    }

    // A host that dies without stopping is shown lost, and said so; the other stays as it was.
    masters[alpha]->signal(SIGKILL);
    QVERIFY(masters[alpha]->waitForFinished());
    QTRY_VERIFY_WITH_TIMEOUT(model->isHostLost(alpha), 30000);
    const QModelIndex alphaState = model->indexOfHost(alpha, ProcessTreeModel::StateColumn);
    QVERIFY(alphaState.data().toString().startsWith(QStringLiteral("lost")));
    QVERIFY(alphaState.data(Qt::ForegroundRole).isValid()); // its colour
    QVERIFY(window.activity()->contains(QStringLiteral("Host alpha is lost")));
    QVERIFY(!model->isHostLost(beta));
    QVERIFY(!model->indexOfHost(beta, ProcessTreeModel::StateColumn).data(Qt::ForegroundRole).isValid());
    QCOMPARE(monitor->host(), beta); // still following the host of the selection
    QCOMPARE(monitor->state(), ClusterMonitor::State::Running);
    QVERIFY(!window.hostFeeds()->hosts().contains(alpha)); // nothing to read of a lost host

    // It runs again: back to normal, its new master under it.
    masters[alpha] = startMaster(alpha);
    QVERIFY(masters[alpha]);
    QTRY_VERIFY_WITH_TIMEOUT(!model->isHostLost(alpha) && model->keysOn(alpha, QStringLiteral("master")) == QList<qint64>{masters[alpha]->pid()}, 30000);
    QVERIFY(!model->indexOfHost(alpha, ProcessTreeModel::StateColumn).data(Qt::ForegroundRole).isValid());
    QTRY_VERIFY(window.activity()->contains(QStringLiteral("Host alpha rejoined")));
}

QTEST_MAIN(tst_Gui)
#include "tst_gui.moc"
