// SPDX-License-Identifier: MIT
#include <ClustrQt/stats.h>

#include <QtCore/QJsonDocument>
#include <QtTest/QTest>

#include <cstring>

using Clustr::Stats;

namespace {

// The names clustr-node's `stats` object uses, plus clustr-qt's three.
const char *const CounterNames[] = {
    "emitPublic", "emitPrivate", "emitGroup", "emitKill", "emitConfirmation",
    "onMessage", "onPublic", "onGroup", "onPrivate", "spawnChildProcess",
    "respawnChildProcess", "receivedConfirmations", "successfulConfirmations",
    "rejectedMessages", "droppedMessages", "refusedMessages",
};

Stats numbered()
{
    Stats stats;
    stats.setEmitPublic(1);
    stats.setEmitPrivate(2);
    stats.setEmitGroup(3);
    stats.setEmitKill(4);
    stats.setEmitConfirmation(5);
    stats.setOnMessage(6);
    stats.setOnPublic(7);
    stats.setOnGroup(8);
    stats.setOnPrivate(9);
    stats.setSpawnChildProcess(10);
    stats.setRespawnChildProcess(11);
    stats.setReceivedConfirmations(12);
    stats.setSuccessfulConfirmations(13);
    stats.setRejectedMessages(14);
    stats.setDroppedMessages(15);
    stats.setRefusedMessages(16);
    return stats;
}

} // namespace

class tst_Stats : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keysAreTheMemberNames();
    void valuesAreNumbers();
    void roundTrip();
    void fromJsonIsLenient();
    void equality();
    void version();
};

void tst_Stats::keysAreTheMemberNames()
{
    QStringList expected;
    for (const char *name : CounterNames)
        expected.append(QLatin1String(name));
    expected.sort();
    QCOMPARE(Stats().toJson().keys(), expected);
}

void tst_Stats::valuesAreNumbers()
{
    const QJsonObject zero = Stats().toJson();
    for (auto it = zero.constBegin(); it != zero.constEnd(); ++it) {
        QVERIFY2(it.value().isDouble(), qPrintable(it.key()));
        QCOMPARE(it.value().toInteger(-1), 0);
    }

    // Each counter lands under its own name.
    const QJsonObject json = numbered().toJson();
    for (int i = 0; i < int(std::size(CounterNames)); ++i)
        QCOMPARE(json.value(QLatin1String(CounterNames[i])).toInteger(-1), i + 1);

    QCOMPARE(QJsonDocument(numbered().toJson()).toJson(QJsonDocument::Compact),
             QByteArray(R"({"droppedMessages":15,"emitConfirmation":5,"emitGroup":3,"emitKill":4,)"
                        R"("emitPrivate":2,"emitPublic":1,"onGroup":8,"onMessage":6,"onPrivate":9,)"
                        R"("onPublic":7,"receivedConfirmations":12,"refusedMessages":16,"rejectedMessages":14,)"
                        R"("respawnChildProcess":11,"spawnChildProcess":10,"successfulConfirmations":13})"));
}

void tst_Stats::roundTrip()
{
    const Stats stats = numbered();
    QCOMPARE(Stats::fromJson(stats.toJson()), stats);

    Stats large;
    large.setOnMessage(Q_UINT64_C(1) << 53);
    large.setEmitPublic(Q_UINT64_C(1) << 62);
    QCOMPARE(Stats::fromJson(large.toJson()).onMessage(), large.onMessage());
    QCOMPARE(Stats::fromJson(large.toJson()).emitPublic(), large.emitPublic());

    // Through text, as `clustr-qt status` would read it.
    const QByteArray text = QJsonDocument(stats.toJson()).toJson();
    QCOMPARE(Stats::fromJson(QJsonDocument::fromJson(text).object()), stats);
}

void tst_Stats::fromJsonIsLenient()
{
    QCOMPARE(Stats::fromJson(QJsonObject()), Stats());

    const QJsonObject object = QJsonDocument::fromJson(R"({
        "emitPublic": 3,
        "onMessage": 4.0,
        "emitGroup": -2,
        "emitKill": "7",
        "onPublic": null,
        "onGroup": 1.5,
        "onPrivate": [1],
        "futureCounter": 99
    })").object();
    const Stats stats = Stats::fromJson(object);
    QCOMPARE(stats.emitPublic(), Q_UINT64_C(3));
    QCOMPARE(stats.onMessage(), Q_UINT64_C(4));
    QCOMPARE(stats.emitGroup(), Q_UINT64_C(0));
    QCOMPARE(stats.emitKill(), Q_UINT64_C(0));
    QCOMPARE(stats.onPublic(), Q_UINT64_C(0));
    QCOMPARE(stats.onGroup(), Q_UINT64_C(0));
    QCOMPARE(stats.onPrivate(), Q_UINT64_C(0));
    QCOMPARE(stats.droppedMessages(), Q_UINT64_C(0));
    QVERIFY(!stats.toJson().contains(QStringLiteral("futureCounter")));
}

void tst_Stats::equality()
{
    QVERIFY(Stats() == Stats());
    QVERIFY(numbered() == numbered());
    QVERIFY(numbered() != Stats());
    Stats one;
    one.setDroppedMessages(1); // the last counter takes part too
    QVERIFY(one != Stats());
}

void tst_Stats::version()
{
    QVERIFY(Clustr::version());
    QCOMPARE(Clustr::version(), CLUSTRQT_VERSION_STR);
    // The generated header follows the project's version in CMake (passed to this test as CLUSTR_PROJECT_VERSION).
    QCOMPARE(Clustr::version(), CLUSTR_PROJECT_VERSION);
    QCOMPARE(QByteArray::number(CLUSTRQT_VERSION_MAJOR) + '.' + QByteArray::number(CLUSTRQT_VERSION_MINOR) + '.'
                 + QByteArray::number(CLUSTRQT_VERSION_PATCH),
             QByteArray(CLUSTR_PROJECT_VERSION));
    QCOMPARE(CLUSTRQT_VERSION, QT_VERSION_CHECK(CLUSTRQT_VERSION_MAJOR, CLUSTRQT_VERSION_MINOR, CLUSTRQT_VERSION_PATCH));
    QVERIFY(std::strlen(Clustr::version()) > 0);
}

QTEST_APPLESS_MAIN(tst_Stats)

#include "tst_stats.moc"
