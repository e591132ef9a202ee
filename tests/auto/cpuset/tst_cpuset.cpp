// SPDX-License-Identifier: MIT
#include "supervision/cpuset_p.h"

#include <QtCore/QFile>
#include <QtTest/QTest>

#include <sched.h>

using namespace Clustr;

class tst_CpuSet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data();
    void parse();
    void rejects_data();
    void rejects();
    void toString_data();
    void toString();
    void allowedMatchesKernel();
    void validate();
    void validateAgainstRealAffinity();
};

void tst_CpuSet::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<int>>("cpus");

    QTest::newRow("one") << QStringLiteral("2") << QList<int>{2};
    QTest::newRow("zero") << QStringLiteral("0") << QList<int>{0};
    QTest::newRow("list") << QStringLiteral("0,2") << QList<int>{0, 2};
    QTest::newRow("range") << QStringLiteral("0-3") << QList<int>{0, 1, 2, 3};
    QTest::newRow("mixed") << QStringLiteral("0-1,3") << QList<int>{0, 1, 3};
    QTest::newRow("unsorted, duplicated") << QStringLiteral("3,0-1,1") << QList<int>{0, 1, 3};
    QTest::newRow("blanks") << QStringLiteral(" 4 - 5 , 1 ") << QList<int>{1, 4, 5};
    QTest::newRow("single range") << QStringLiteral("7-7") << QList<int>{7};
    QTest::newRow("largest") << QStringLiteral("4095") << QList<int>{4095};
}

void tst_CpuSet::parse()
{
    QFETCH(QString, text);
    QFETCH(QList<int>, cpus);
    QString error;
    const auto parsed = CpuSet::parse(text, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(*parsed, cpus);
}

void tst_CpuSet::rejects_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");

    QTest::newRow("empty") << QString() << QStringLiteral("expected a CPU id or list like \"0-3\"");
    QTest::newRow("blank") << QStringLiteral("  ") << QStringLiteral("expected a CPU id or list like \"0-3\"");
    QTest::newRow("garbage") << QStringLiteral("abc") << QStringLiteral("expected a CPU id or list like \"0-3\", got \"abc\"");
    QTest::newRow("plus sign") << QStringLiteral("+1") << QStringLiteral("expected a CPU id or list like \"0-3\", got \"+1\"");
    QTest::newRow("hex") << QStringLiteral("0x1") << QStringLiteral("expected a CPU id or list like \"0-3\", got \"0x1\"");
    QTest::newRow("empty item") << QStringLiteral("0,,2") << QStringLiteral("expected a CPU id or list like \"0-3\", got \"0,,2\"");
    QTest::newRow("open range") << QStringLiteral("1-") << QStringLiteral("expected a CPU id or list like \"0-3\", got \"1-\"");
    QTest::newRow("double range") << QStringLiteral("1-2-3") << QStringLiteral("expected a CPU id or list like \"0-3\", got \"1-2-3\"");
    QTest::newRow("negative") << QStringLiteral("-1") << QStringLiteral("CPU ids cannot be negative, got \"-1\"");
    QTest::newRow("negative end") << QStringLiteral("1--3") << QStringLiteral("CPU ids cannot be negative, got \"1--3\"");
    QTest::newRow("reversed") << QStringLiteral("3-1") << QStringLiteral("reversed range \"3-1\" (did you mean \"1-3\"?)");
    QTest::newRow("absurd") << QStringLiteral("4096") << QStringLiteral("CPU 4096 is out of range (0-4095)");
    QTest::newRow("overflow") << QStringLiteral("99999999999999999999")
                              << QStringLiteral("CPU 99999999999999999999 is out of range (0-4095)");
    QTest::newRow("absurd range end") << QStringLiteral("0-100000") << QStringLiteral("CPU 100000 is out of range (0-4095)");
}

void tst_CpuSet::rejects()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    QString actual;
    QVERIFY(!CpuSet::parse(text, &actual));
    QCOMPARE(actual, error);
}

void tst_CpuSet::toString_data()
{
    QTest::addColumn<QList<int>>("cpus");
    QTest::addColumn<QString>("text");

    QTest::newRow("empty") << QList<int>{} << QString();
    QTest::newRow("one") << QList<int>{2} << QStringLiteral("2");
    QTest::newRow("pair") << QList<int>{0, 1} << QStringLiteral("0-1");
    QTest::newRow("gap") << QList<int>{0, 2} << QStringLiteral("0,2");
    QTest::newRow("mixed") << QList<int>{0, 1, 3} << QStringLiteral("0-1,3");
    QTest::newRow("unsorted with duplicates") << QList<int>{5, 3, 4, 4, 0} << QStringLiteral("0,3-5");
    QTest::newRow("two ranges") << QList<int>{0, 1, 2, 8, 9} << QStringLiteral("0-2,8-9");
}

void tst_CpuSet::toString()
{
    QFETCH(QList<int>, cpus);
    QFETCH(QString, text);
    QCOMPARE(CpuSet::toString(cpus), text);
    // Canonical text reads back as the same set.
    if (!text.isEmpty()) {
        const auto back = CpuSet::parse(text);
        QVERIFY(back);
        QCOMPARE(CpuSet::toString(*back), text);
    }
}

void tst_CpuSet::allowedMatchesKernel()
{
    const QList<int> allowed = CpuSet::allowedCpus();
    QVERIFY(!allowed.isEmpty());
    QVERIFY(std::is_sorted(allowed.begin(), allowed.end()));

    // The kernel's own account of this process, in the same notation.
    QFile status(QStringLiteral("/proc/self/status"));
    QVERIFY(status.open(QIODevice::ReadOnly));
    QString kernelList;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("Cpus_allowed_list:"))
            kernelList = QString::fromLatin1(line.mid(line.indexOf(':') + 1).trimmed());
    }
    QVERIFY(!kernelList.isEmpty());
    QCOMPARE(CpuSet::toString(allowed), kernelList);
}

void tst_CpuSet::validate()
{
    const QList<int> allowed{0, 1};
    QString error;
    QVERIFY(CpuSet::validate({0}, allowed, &error));
    QVERIFY(CpuSet::validate({0, 1}, allowed, &error));
    QVERIFY(CpuSet::validate({}, allowed, &error));

    QVERIFY(!CpuSet::validate({7}, allowed, &error));
    QCOMPARE(error, QStringLiteral("CPU 7 is not available here (allowed: 0-1)"));
    QVERIFY(!CpuSet::validate({1, 4, 5, 7}, allowed, &error));
    QCOMPARE(error, QStringLiteral("CPUs 4-5,7 are not available here (allowed: 0-1)"));
    QVERIFY(!CpuSet::validate({3}, {0, 1, 2, 4, 6, 7}, &error));
    QCOMPARE(error, QStringLiteral("CPU 3 is not available here (allowed: 0-2,4,6-7)"));
}

void tst_CpuSet::validateAgainstRealAffinity()
{
    const QList<int> allowed = CpuSet::allowedCpus();
    QString error;
    QVERIFY2(CpuSet::validate(allowed, &error), qPrintable(error));
    QVERIFY2(CpuSet::validate({allowed.first()}, &error), qPrintable(error));

    const int missing = allowed.last() + 1;
    QVERIFY(!CpuSet::validate({missing}, &error));
    QCOMPARE(error, QStringLiteral("CPU %1 is not available here (allowed: %2)")
                        .arg(missing).arg(CpuSet::toString(allowed)));

    // A narrower affinity is seen at once: restrict this process to its first
    // CPU (and restore it afterwards).
    cpu_set_t original;
    QCOMPARE(sched_getaffinity(0, sizeof original, &original), 0);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(allowed.first(), &one);
    QCOMPARE(sched_setaffinity(0, sizeof one, &one), 0);
    const QList<int> narrowed = CpuSet::allowedCpus();
    QCOMPARE(sched_setaffinity(0, sizeof original, &original), 0);
    QCOMPARE(narrowed, QList<int>{allowed.first()});
    QCOMPARE(CpuSet::allowedCpus(), allowed);
}

QTEST_GUILESS_MAIN(tst_CpuSet)
#include "tst_cpuset.moc"
