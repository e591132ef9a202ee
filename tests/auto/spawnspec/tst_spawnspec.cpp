// SPDX-License-Identifier: MIT
#include <ClustrQt/spawnspec.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QVariant>
#include <QtTest/QTest>

using namespace Clustr;
using namespace std::chrono_literals;

class tst_SpawnSpec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaults();
    void fullRoundTrip();
    void cpuForms_data();
    void cpuForms();
    void nullMeansDefault();
    void partialRestartPolicy();
    void errors_data();
    void errors();
    void metaType();
};

static QJsonObject parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON %s: %s", json.constData(), qPrintable(error.errorString()));
    return document.object();
}

void tst_SpawnSpec::defaults()
{
    QString error = QStringLiteral("stale");
    const auto spec = SpawnSpec::fromJson(parse(R"({"file": "./worker"})"), &error);
    QVERIFY2(spec, qPrintable(error));
    QVERIFY(error.isEmpty());
    QCOMPARE(spec->file(), QStringLiteral("./worker"));
    QVERIFY(spec->command().isEmpty());
    QVERIFY(spec->cpu().isEmpty());
    QVERIFY(spec->respawn());
    QVERIFY(spec->args().isEmpty());
    QCOMPARE(spec->instances(), 1);
    QVERIFY(spec->env().isEmpty());
    QVERIFY(spec->workingDirectory().isEmpty());
    QVERIFY(spec->registers());
    QVERIFY(spec->group().isEmpty());
    QVERIFY(!spec->restartPolicy());
    QVERIFY(!spec->killTimeout());
    // Defaults are left out of the JSON form.
    QCOMPARE(spec->toJson(), parse(R"({"file": "./worker"})"));

    const RestartPolicy policy;
    QCOMPARE(policy.maxRestarts, 5);
    QCOMPARE(policy.window, 10000ms);
}

void tst_SpawnSpec::fullRoundTrip()
{
    SpawnSpec spec;
    spec.setFile(QStringLiteral("scripts/job.sh"));
    spec.setCommand(QStringLiteral("bash"));
    spec.setCpu(QStringLiteral("0-1,3"));
    spec.setRespawn(false);
    spec.setArgs(parse(R"({"port": 8080, "verbose": true, "name": "a b \"c\"", "cluster-option": "x"})"));
    spec.setInstances(3);
    spec.setEnv({{QStringLiteral("LANG"), QStringLiteral("C")}, {QStringLiteral("EMPTY"), QString()}});
    spec.setWorkingDirectory(QStringLiteral("/tmp"));
    spec.setRegisters(false);
    spec.setGroup(QStringLiteral("jobs"));
    spec.setRestartPolicy(RestartPolicy{3, 2000ms, 100ms, 800ms, 5000ms});
    spec.setKillTimeout(1500ms);
    spec.setMaxUnavailable(InstanceCount{2, false});
    spec.setMaxSurge(InstanceCount{25, true});
    spec.setSockets({QStringLiteral("http"), QStringLiteral("admin.v2")});

    const QJsonObject json = spec.toJson();
    QCOMPARE(json, parse(R"({
        "file": "scripts/job.sh", "command": "bash", "cpu": "0-1,3", "respawn": false,
        "args": {"port": 8080, "verbose": true, "name": "a b \"c\"", "cluster-option": "x"},
        "instances": 3, "env": {"LANG": "C", "EMPTY": ""}, "workingDirectory": "/tmp",
        "register": false, "group": "jobs",
        "restartPolicy": {"maxRestarts": 3, "windowMs": 2000, "initialBackoffMs": 100,
                          "maxBackoffMs": 800, "resetAfterMs": 5000},
        "killTimeoutMs": 1500, "maxUnavailable": 2, "maxSurge": "25%", "sockets": ["http", "admin.v2"]})"));

    QString error;
    const auto back = SpawnSpec::fromJson(json, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(*back, spec);
    // And once more through text, as a cluster file would carry it.
    const auto again = SpawnSpec::fromJson(QJsonDocument::fromJson(QJsonDocument(json).toJson()).object());
    QVERIFY(again);
    QCOMPARE(*again, spec);
}

void tst_SpawnSpec::cpuForms_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("cpu");
    QTest::addColumn<QByteArray>("written");

    QTest::newRow("number") << QByteArray(R"({"file": "w", "cpu": 2})") << QStringLiteral("2") << QByteArray("2");
    QTest::newRow("zero") << QByteArray(R"({"file": "w", "cpu": 0})") << QStringLiteral("0") << QByteArray("0");
    QTest::newRow("number as string") << QByteArray(R"({"file": "w", "cpu": "2"})") << QStringLiteral("2") << QByteArray("2");
    QTest::newRow("list") << QByteArray(R"({"file": "w", "cpu": "0,2"})") << QStringLiteral("0,2") << QByteArray("\"0,2\"");
    QTest::newRow("range") << QByteArray(R"({"file": "w", "cpu": "0-3"})") << QStringLiteral("0-3") << QByteArray("\"0-3\"");
    QTest::newRow("canonicalised") << QByteArray(R"({"file": "w", "cpu": " 3, 1,0 "})") << QStringLiteral("0-1,3")
                                   << QByteArray("\"0-1,3\"");
    QTest::newRow("empty: no pinning") << QByteArray(R"({"file": "w", "cpu": ""})") << QString() << QByteArray();
}

void tst_SpawnSpec::cpuForms()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, cpu);
    QFETCH(QByteArray, written);

    QString error;
    const auto spec = SpawnSpec::fromJson(parse(json), &error);
    QVERIFY2(spec, qPrintable(error));
    QCOMPARE(spec->cpu(), cpu);
    const QJsonObject out = spec->toJson();
    if (written.isEmpty()) {
        QVERIFY(!out.contains(QStringLiteral("cpu")));
    } else {
        const QJsonValue expected = QJsonDocument::fromJson("[" + written + "]").array().at(0);
        QCOMPARE(out.value(QStringLiteral("cpu")), expected);
    }
}

void tst_SpawnSpec::nullMeansDefault()
{
    const auto spec = SpawnSpec::fromJson(parse(R"({"file": "w", "command": null, "cpu": null, "respawn": null,
        "args": null, "instances": null, "env": null, "register": null, "restartPolicy": null,
        "killTimeoutMs": null})"));
    QVERIFY(spec);
    SpawnSpec expected;
    expected.setFile(QStringLiteral("w"));
    QCOMPARE(*spec, expected);
}

void tst_SpawnSpec::partialRestartPolicy()
{
    const auto spec = SpawnSpec::fromJson(parse(R"({"file": "w", "restartPolicy": {"maxRestarts": 2}})"));
    QVERIFY(spec);
    QVERIFY(spec->restartPolicy());
    RestartPolicy expected;
    expected.maxRestarts = 2;
    QCOMPARE(*spec->restartPolicy(), expected);
}

void tst_SpawnSpec::errors_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");

    const auto row = [](const char *name, const char *json, const char *error) {
        QTest::newRow(name) << QByteArray(json) << QString::fromUtf8(error);
    };
    row("no file", R"({})", "file: required");
    row("sockets not an array", R"({"file": "w", "sockets": "http"})", "sockets: expected an array of socket names");
    row("socket name with a colon", R"({"file": "w", "sockets": ["a:b"]})",
        "sockets: expected an array of socket names (letters, digits, '-', '_' and '.', up to 255)");
    row("socket named twice", R"({"file": "w", "sockets": ["http", "http"]})", "sockets: names http twice");
    row("empty file", R"({"file": ""})", "file: required");
    row("null file", R"({"file": null})", "file: required");
    row("file not a string", R"({"file": 5})", "file: expected a string");
    row("unknown key", R"({"file": "w", "respwan": false})", "respwan: unknown field");
    row("command not a string", R"({"file": "w", "command": ["bash"]})", "command: expected a string");
    row("command with arguments", R"({"file": "w", "command": "node --inspect"})",
        "command: must be a single program without spaces; pass its options in args");
    row("cpu garbage", R"({"file": "w", "cpu": "abc"})", R"(cpu: expected a CPU id or list like "0-3", got "abc")");
    row("cpu trailing comma", R"({"file": "w", "cpu": "1,"})", R"(cpu: expected a CPU id or list like "0-3", got "1,")");
    row("cpu negative number", R"({"file": "w", "cpu": -1})", R"(cpu: CPU ids cannot be negative, got "-1")");
    row("cpu negative string", R"({"file": "w", "cpu": "-2"})", R"(cpu: CPU ids cannot be negative, got "-2")");
    row("cpu fraction", R"({"file": "w", "cpu": 1.5})", R"(cpu: expected a CPU id or list like "0-3", got "1.5")");
    row("cpu reversed", R"({"file": "w", "cpu": "3-1"})", R"(cpu: reversed range "3-1" (did you mean "1-3"?))");
    row("cpu absurd", R"({"file": "w", "cpu": 5000})", "cpu: CPU 5000 is out of range (0-4095)");
    row("cpu wrong type", R"({"file": "w", "cpu": true})", R"(cpu: expected a CPU id or list like "0-3")");
    row("respawn not bool", R"({"file": "w", "respawn": "yes"})", "respawn: expected true or false");
    row("args not object", R"({"file": "w", "args": ["--x"]})", "args: expected an object of option: value");
    row("instances zero", R"({"file": "w", "instances": 0})", "instances: must be an integer >= 1");
    row("instances fraction", R"({"file": "w", "instances": 1.5})", "instances: must be an integer >= 1");
    row("instances string", R"({"file": "w", "instances": "2"})", "instances: must be an integer >= 1");
    row("env not object", R"({"file": "w", "env": ["A=1"]})", R"(env: expected an object of name: "value")");
    row("env value not string", R"({"file": "w", "env": {"A": 1}})", "env: value of A must be a string");
    row("env bad name", R"({"file": "w", "env": {"A=B": "x"}})", R"(env: invalid variable name "A=B")");
    row("workingDirectory not string", R"({"file": "w", "workingDirectory": 1})", "workingDirectory: expected a string");
    row("register not bool", R"({"file": "w", "register": "no"})", "register: expected true or false");
    row("group not string", R"({"file": "w", "group": 7})", "group: expected a string");
    row("restartPolicy not object", R"({"file": "w", "restartPolicy": 5})", "restartPolicy: expected an object");
    row("maxRestarts negative", R"({"file": "w", "restartPolicy": {"maxRestarts": -1}})",
        "restartPolicy.maxRestarts: must be an integer >= 0");
    row("windowMs zero", R"({"file": "w", "restartPolicy": {"windowMs": 0}})",
        "restartPolicy.windowMs: must be an integer >= 1");
    row("initialBackoffMs string", R"({"file": "w", "restartPolicy": {"initialBackoffMs": "1s"}})",
        "restartPolicy.initialBackoffMs: must be an integer >= 0");
    row("maxBackoff below initial", R"({"file": "w", "restartPolicy": {"initialBackoffMs": 1000, "maxBackoffMs": 500}})",
        "restartPolicy.maxBackoffMs: must be >= initialBackoffMs (1000)");
    row("resetAfterMs fraction", R"({"file": "w", "restartPolicy": {"resetAfterMs": 0.5}})",
        "restartPolicy.resetAfterMs: must be an integer >= 0");
    row("restartPolicy unknown key", R"({"file": "w", "restartPolicy": {"max": 1}})",
        "restartPolicy.max: unknown field");
    row("killTimeoutMs negative", R"({"file": "w", "killTimeoutMs": -5})", "killTimeoutMs: must be an integer >= 0");
    row("killTimeoutMs huge", R"({"file": "w", "killTimeoutMs": 1e300})", "killTimeoutMs: must be an integer >= 0");
    const char *instanceCount = R"(expected an integer >= 0 or a percentage of the group's instances such as "25%")";
    for (const char *bad : {"-1", "1.5", "\"2\"", "\"25\"", "\"%\"", "\"101%\"", "\" 25%\"", "\"+5%\"", "\"2.5%\"", "true"}) {
        row(qPrintable(QStringLiteral("maxUnavailable %1").arg(QLatin1String(bad))),
            qPrintable(QStringLiteral(R"({"file": "w", "maxUnavailable": %1})").arg(QLatin1String(bad))),
            qPrintable(QStringLiteral("maxUnavailable: ") + QLatin1String(instanceCount)));
    }
    row("maxSurge string", R"({"file": "w", "maxSurge": "1"})",
        R"(maxSurge: expected an integer >= 0 or a percentage of the group's instances such as "25%")");
}

void tst_SpawnSpec::errors()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);

    QString actual;
    const auto spec = SpawnSpec::fromJson(parse(json), &actual);
    QVERIFY(!spec);
    QCOMPARE(actual, error);
    // The error pointer is optional.
    QVERIFY(!SpawnSpec::fromJson(parse(json)));
}

void tst_SpawnSpec::metaType()
{
    SpawnSpec spec;
    spec.setFile(QStringLiteral("w"));
    spec.setKillTimeout(10ms);
    const QVariant variant = QVariant::fromValue(spec);
    QVERIFY(variant.canConvert<SpawnSpec>());
    QCOMPARE(variant.value<SpawnSpec>(), spec);
}

QTEST_GUILESS_MAIN(tst_SpawnSpec)
#include "tst_spawnspec.moc"
