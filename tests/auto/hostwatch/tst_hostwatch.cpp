// SPDX-License-Identifier: MIT
// HostWatch: the hosts of a cluster across hosts as one master sees them.
#include "hostwatch_p.h"

#include <QtTest/QtTest>

using Clustr::HostWatch;

class tst_HostWatch : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void lostAfterTheEntryStopsChanging();
    void rejoinsWhenItChangesAgain();
    void aHostThatStoppedIsForgotten();
    void ownHostIsNeverWatched();
    void clockSkewDoesNotMatter();
};

void tst_HostWatch::lostAfterTheEntryStopsChanging()
{
    HostWatch watch(QStringLiteral("h1"));
    qint64 now = 1000;
    QVERIFY(watch.update({{QStringLiteral("h2"), "a"}}, now).lost.isEmpty());
    // Rewritten every 2 s: never lost.
    for (int i = 0; i < 10; ++i) {
        now += 2000;
        QVERIFY(watch.update({{QStringLiteral("h2"), "a" + QByteArray::number(i)}}, now).lost.isEmpty());
    }
    // Then the same bytes: lost once 6 s passed since the last change, said once.
    const qint64 lastChange = now;
    now += 2000;
    QVERIFY(watch.update({{QStringLiteral("h2"), "a9"}}, now).lost.isEmpty());
    now = lastChange + HostWatch::LostAfterMs - 1;
    QVERIFY(watch.update({{QStringLiteral("h2"), "a9"}}, now).lost.isEmpty());
    now = lastChange + HostWatch::LostAfterMs;
    QCOMPARE(watch.update({{QStringLiteral("h2"), "a9"}}, now).lost, QStringList{QStringLiteral("h2")});
    QCOMPARE(watch.lostHosts(), QStringList{QStringLiteral("h2")});
    now += 2000;
    QVERIFY(watch.update({{QStringLiteral("h2"), "a9"}}, now).lost.isEmpty());
}

void tst_HostWatch::rejoinsWhenItChangesAgain()
{
    HostWatch watch(QStringLiteral("h1"));
    watch.update({{QStringLiteral("h2"), "x"}, {QStringLiteral("h3"), "y"}}, 0);
    const auto lost = watch.update({{QStringLiteral("h2"), "x"}, {QStringLiteral("h3"), "y2"}}, HostWatch::LostAfterMs);
    QCOMPARE(lost.lost, QStringList{QStringLiteral("h2")});
    const auto back = watch.update({{QStringLiteral("h2"), "x2"}, {QStringLiteral("h3"), "y3"}}, HostWatch::LostAfterMs + 2000);
    QCOMPARE(back.rejoined, QStringList{QStringLiteral("h2")});
    QVERIFY(back.lost.isEmpty());
    QVERIFY(watch.lostHosts().isEmpty());
}

void tst_HostWatch::aHostThatStoppedIsForgotten()
{
    HostWatch watch(QStringLiteral("h1"));
    watch.update({{QStringLiteral("h2"), "x"}}, 0);
    QCOMPARE(watch.update({{QStringLiteral("h2"), "x"}}, HostWatch::LostAfterMs).lost.size(), 1);
    // Its entry deleted (it stopped): neither lost nor rejoined, and a new
    // entry later is a new host, given the whole wait.
    const auto gone = watch.update({}, HostWatch::LostAfterMs + 2000);
    QVERIFY(gone.lost.isEmpty() && gone.rejoined.isEmpty());
    QVERIFY(watch.lostHosts().isEmpty());
    const auto fresh = watch.update({{QStringLiteral("h2"), "x"}}, HostWatch::LostAfterMs + 4000);
    QVERIFY(fresh.lost.isEmpty() && fresh.rejoined.isEmpty());
}

void tst_HostWatch::ownHostIsNeverWatched()
{
    HostWatch watch(QStringLiteral("h1"));
    watch.update({{QStringLiteral("h1"), "me"}}, 0);
    QVERIFY(watch.update({{QStringLiteral("h1"), "me"}}, 10 * HostWatch::LostAfterMs).lost.isEmpty());
}

void tst_HostWatch::clockSkewDoesNotMatter()
{
    // The entries carry the other host's clock (here an hour behind): only
    // whether they change counts.
    HostWatch watch(QStringLiteral("h1"));
    qint64 now = 0;
    for (int i = 0; i < 5; ++i, now += 2000) {
        const QByteArray entry = R"({"pid":1,"updatedAt":"2026-12-04T0)" + QByteArray::number(i) + R"(:00:00Z"})";
        QVERIFY(watch.update({{QStringLiteral("h2"), entry}}, now).lost.isEmpty());
    }
}

QTEST_GUILESS_MAIN(tst_HostWatch)
#include "tst_hostwatch.moc"
