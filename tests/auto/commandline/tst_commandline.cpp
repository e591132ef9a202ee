// SPDX-License-Identifier: MIT
#include "base/environment_p.h"
#include "protocol/commandline_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtTest/QTest>

using Clustr::CommandLine;

namespace {

QStringList list(std::initializer_list<const char *> items)
{
    QStringList result;
    for (const char *item : items)
        result.append(QString::fromUtf8(item));
    return result;
}

QJsonObject object(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}

} // namespace

class tst_CommandLine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void options();
    void endOfOptions();
    void notOptions();
    void emptyCommandLine();
    void clusterArguments_data();
    void clusterArguments();
    void masterPid_data();
    void masterPid();
    void environmentPid_data();
    void environmentPid();
    void argumentsFrom();
    void argumentsFromRoundTrip();
    void mergeClusterArguments_data();
    void mergeClusterArguments();
};

void tst_CommandLine::options()
{
    const QStringList arguments = list({"/usr/bin/app", "--a=1", "--flag", "positional", "--empty=",
                                        "--eq=x=y", "--a=2", "--spaced=hello world", "--quoted=\"q\" 'r'",
                                        "--unicode=wörker"});
    const CommandLine commandLine(arguments);
    QCOMPARE(commandLine.arguments(), arguments);
    QCOMPARE(commandLine.option(QStringLiteral("a")), QStringLiteral("2")); // the last one wins
    QCOMPARE(commandLine.option(QStringLiteral("flag")), QStringLiteral("true"));
    QVERIFY(commandLine.hasOption(QStringLiteral("empty")));
    QCOMPARE(commandLine.option(QStringLiteral("empty"), QStringLiteral("default")), QString());
    QCOMPARE(commandLine.option(QStringLiteral("eq")), QStringLiteral("x=y"));
    QCOMPARE(commandLine.option(QStringLiteral("spaced")), QStringLiteral("hello world"));
    QCOMPARE(commandLine.option(QStringLiteral("quoted")), QStringLiteral("\"q\" 'r'"));
    QCOMPARE(commandLine.option(QStringLiteral("unicode")), QString::fromUtf8("wörker"));
    QVERIFY(!commandLine.hasOption(QStringLiteral("missing")));
    QCOMPARE(commandLine.option(QStringLiteral("missing"), QStringLiteral("fallback")), QStringLiteral("fallback"));
    QVERIFY(commandLine.option(QStringLiteral("missing")).isNull());

    QMap<QString, QString> expected;
    expected.insert(QStringLiteral("a"), QStringLiteral("2"));
    expected.insert(QStringLiteral("flag"), QStringLiteral("true"));
    expected.insert(QStringLiteral("empty"), QString());
    expected.insert(QStringLiteral("eq"), QStringLiteral("x=y"));
    expected.insert(QStringLiteral("spaced"), QStringLiteral("hello world"));
    expected.insert(QStringLiteral("quoted"), QStringLiteral("\"q\" 'r'"));
    expected.insert(QStringLiteral("unicode"), QString::fromUtf8("wörker"));
    QCOMPARE(commandLine.options(), expected);
}

void tst_CommandLine::endOfOptions()
{
    // After a lone `--` everything is positional, as with optimist and getopt.
    const QStringList arguments = list({"app", "--before=1", "--", "--after=2", "--cluster-verbose"});
    const CommandLine commandLine(arguments);
    QCOMPARE(commandLine.arguments(), arguments);
    QCOMPARE(commandLine.option(QStringLiteral("before")), QStringLiteral("1"));
    QVERIFY(!commandLine.hasOption(QStringLiteral("after")));
    QVERIFY(!commandLine.hasOption(QStringLiteral("cluster-verbose")));
    QVERIFY(!commandLine.hasOption(QString()));
    QVERIFY(commandLine.clusterArguments().isEmpty());
}

void tst_CommandLine::notOptions()
{
    const CommandLine commandLine(list({"-v", "-", "--=x", "x--y", "---", "—-dash"}));
    QVERIFY(!commandLine.hasOption(QString()));
    QVERIFY(!commandLine.hasOption(QStringLiteral("v")));
    QVERIFY(!commandLine.hasOption(QStringLiteral("y")));
    // `---` is the option named "-": odd, but what the convention says.
    QCOMPARE(commandLine.options().keys(), QStringList{QStringLiteral("-")});
    QCOMPARE(commandLine.arguments().size(), 6);
}

void tst_CommandLine::emptyCommandLine()
{
    const CommandLine none;
    QVERIFY(none.arguments().isEmpty());
    QVERIFY(none.options().isEmpty());
    QVERIFY(none.clusterArguments().isEmpty());
    QCOMPARE(none.masterPid(), 0);
}

void tst_CommandLine::clusterArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QStringList>("clusterArguments");

    QTest::newRow("none") << list({"app", "--verbose", "--port=80"}) << QStringList();
    QTest::newRow("in order, verbatim")
        << list({"app", "--cluster-verbose", "--verbose", "--cluster-redis=redis://h:6379/0", "x",
                 "--cluster-master-pid=42"})
        << list({"--cluster-verbose", "--cluster-redis=redis://h:6379/0", "--cluster-master-pid=42"});
    QTest::newRow("last wins at the first position")
        << list({"--cluster-a=1", "--cluster-b=2", "--cluster-a=3"})
        << list({"--cluster-a=3", "--cluster-b=2"});
    QTest::newRow("flag then value")
        << list({"--cluster-verbose", "--cluster-verbose=false"}) << list({"--cluster-verbose=false"});
    QTest::newRow("not cluster options")
        << list({"--cluster-", "--cluster", "--clusterx=1", "--my-cluster-x=1", "-cluster-x", "cluster-x"})
        << QStringList();
    QTest::newRow("value with spaces") << list({"--cluster-namespace=a b"}) << list({"--cluster-namespace=a b"});
}

void tst_CommandLine::clusterArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, clusterArguments);
    QCOMPARE(CommandLine(arguments).clusterArguments(), clusterArguments);
}

void tst_CommandLine::masterPid_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<qint64>("pid");

    QTest::newRow("number") << list({"app", "--cluster-master-pid=4242"}) << qint64(4242);
    QTest::newRow("last wins") << list({"--cluster-master-pid=1", "--cluster-master-pid=2"}) << qint64(2);
    QTest::newRow("large") << list({"--cluster-master-pid=9007199254740992"}) << qint64(9007199254740992);
    QTest::newRow("absent") << list({"app", "--master-pid=5"}) << qint64(0);
    QTest::newRow("flag") << list({"--cluster-master-pid"}) << qint64(0);
    QTest::newRow("empty") << list({"--cluster-master-pid="}) << qint64(0);
    QTest::newRow("zero") << list({"--cluster-master-pid=0"}) << qint64(0);
    QTest::newRow("negative") << list({"--cluster-master-pid=-5"}) << qint64(0);
    QTest::newRow("plus") << list({"--cluster-master-pid=+5"}) << qint64(0);
    QTest::newRow("space") << list({"--cluster-master-pid= 5"}) << qint64(0);
    QTest::newRow("suffix") << list({"--cluster-master-pid=5x"}) << qint64(0);
    QTest::newRow("fraction") << list({"--cluster-master-pid=5.0"}) << qint64(0);
    QTest::newRow("overflow") << list({"--cluster-master-pid=99999999999999999999999"}) << qint64(0);
    QTest::newRow("after --") << list({"--", "--cluster-master-pid=5"}) << qint64(0);
}

void tst_CommandLine::masterPid()
{
    QFETCH(QStringList, arguments);
    QFETCH(qint64, pid);
    QCOMPARE(CommandLine(arguments).masterPid(), pid);
}

// The pids a worker finds in its environment (its spawner, its master, the
// tree's process group) are read as the command line's are: digits only.
void tst_CommandLine::environmentPid_data()
{
    QTest::addColumn<QByteArray>("value"); // empty: unset
    QTest::addColumn<qint64>("pid");

    QTest::newRow("unset") << QByteArray() << qint64(0);
    QTest::newRow("number") << QByteArray("4242") << qint64(4242);
    QTest::newRow("leading zeros") << QByteArray("0042") << qint64(42);
    QTest::newRow("18 digits") << QByteArray("123456789012345678") << qint64(123456789012345678);
    QTest::newRow("empty") << QByteArray("") << qint64(0);
    QTest::newRow("zero") << QByteArray("0") << qint64(0);
    QTest::newRow("negative") << QByteArray("-5") << qint64(0);
    QTest::newRow("plus") << QByteArray("+5") << qint64(0);
    QTest::newRow("space") << QByteArray(" 5") << qint64(0);
    QTest::newRow("suffix") << QByteArray("5x") << qint64(0);
    QTest::newRow("overflow") << QByteArray("99999999999999999999999") << qint64(0);
    QTest::newRow("not ASCII") << QByteArray("\xd9\xa5") << qint64(0); // ARABIC-INDIC DIGIT FIVE
}

void tst_CommandLine::environmentPid()
{
    QFETCH(QByteArray, value);
    QFETCH(qint64, pid);
    const char *name = "CLUSTR_TEST_ENVIRONMENT_PID";
    if (value.isNull())
        qunsetenv(name);
    else
        qputenv(name, value);
    QCOMPARE(Clustr::environmentPid(name), pid);
    qunsetenv(name);
}

void tst_CommandLine::argumentsFrom()
{
    const QJsonObject args = object(R"({
        "port": 8080,
        "verbose": true,
        "quiet": false,
        "nothing": null,
        "name": "hello world",
        "quoted": "say \"hi\" 'there' $HOME `x`",
        "ratio": 0.1,
        "negative": -3,
        "integral": 5.0,
        "big": 9007199254740993,
        "list": [1, "x", null],
        "map": {"k": "v", "n": 2.5},
        "cluster-option": "foo",
        "empty": "",
        "": "no name"
    })");
    const QStringList expected = list({
        "--big=9007199254740993",
        "--cluster-option=foo",
        "--empty=",
        "--integral=5",
        "--list=[1,\"x\",null]",
        "--map={\"k\":\"v\",\"n\":2.5}",
        "--name=hello world",
        "--negative=-3",
        "--port=8080",
        "--quoted=say \"hi\" 'there' $HOME `x`",
        "--ratio=0.1",
        "--verbose",
    });
    QCOMPARE(CommandLine::argumentsFrom(args), expected);
    QVERIFY(CommandLine::argumentsFrom(QJsonObject()).isEmpty());

    QJsonObject numbers;
    numbers.insert(QStringLiteral("third"), 1.0 / 3);
    numbers.insert(QStringLiteral("tiny"), 1.5e-7);
    const QStringList written = CommandLine::argumentsFrom(numbers);
    QCOMPARE(written.size(), 2);
    // Shortest text that reads back as the same double.
    QCOMPARE(written.at(0), QStringLiteral("--third=0.3333333333333333"));
    QCOMPARE(CommandLine(written).option(QStringLiteral("tiny")).toDouble(), 1.5e-7);
}

void tst_CommandLine::argumentsFromRoundTrip()
{
    // What a spawn entry's args become, the child reads back as the same strings.
    const QJsonObject args = object(R"({"a":"x=y","b":true,"c":42,"d":"","e":"ü ß"})");
    const CommandLine child(QStringList{QStringLiteral("child")} + CommandLine::argumentsFrom(args));
    QCOMPARE(child.option(QStringLiteral("a")), QStringLiteral("x=y"));
    QCOMPARE(child.option(QStringLiteral("b")), QStringLiteral("true"));
    QCOMPARE(child.option(QStringLiteral("c")), QStringLiteral("42"));
    QVERIFY(child.hasOption(QStringLiteral("d")));
    QCOMPARE(child.option(QStringLiteral("e")), QString::fromUtf8("ü ß"));
}

void tst_CommandLine::mergeClusterArguments_data()
{
    QTest::addColumn<QStringList>("inherited");
    QTest::addColumn<QStringList>("overrides");
    QTest::addColumn<QStringList>("merged");

    QTest::newRow("both empty") << QStringList() << QStringList() << QStringList();
    QTest::newRow("inherited only") << list({"--cluster-verbose", "--cluster-master-pid=1"}) << QStringList()
                                    << list({"--cluster-verbose", "--cluster-master-pid=1"});
    QTest::newRow("overrides only") << QStringList() << list({"--cluster-option=foo", "--private=option"})
                                    << list({"--cluster-option=foo", "--private=option"});
    QTest::newRow("README example")
        << list({"--cluster-verbose", "--cluster-option=bar", "--cluster-master-pid=1"})
        << list({"--cluster-option=foo", "--private=option"})
        << list({"--cluster-verbose", "--cluster-option=foo", "--cluster-master-pid=1", "--private=option"});
    QTest::newRow("flag replaces value and back")
        << list({"--cluster-a=1", "--cluster-b"}) << list({"--cluster-a", "--cluster-b=0"})
        << list({"--cluster-a", "--cluster-b=0"});
    QTest::newRow("duplicates collapse")
        << list({"--cluster-a=1", "--cluster-a=2"}) << list({"--x=1", "--x=2"})
        << list({"--cluster-a=2", "--x=2"});
    QTest::newRow("names compare exactly")
        << list({"--cluster-a=1"}) << list({"--cluster-ab=2", "--cluster-A=3"})
        << list({"--cluster-a=1", "--cluster-ab=2", "--cluster-A=3"});
    QTest::newRow("non-options appended as they are")
        << list({"--cluster-a=1"}) << list({"positional", "positional", "--"})
        << list({"--cluster-a=1", "positional", "positional", "--"});
}

void tst_CommandLine::mergeClusterArguments()
{
    QFETCH(QStringList, inherited);
    QFETCH(QStringList, overrides);
    QFETCH(QStringList, merged);
    QCOMPARE(CommandLine::mergeClusterArguments(inherited, overrides), merged);
}

QTEST_APPLESS_MAIN(tst_CommandLine)

#include "tst_commandline.moc"
