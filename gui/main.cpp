// SPDX-License-Identifier: MIT
// clustr-qt-gui: the desktop monitor of a running cluster.
#include "mainwindow.h"
#include "versionreport.h"

#include <ClustrQt/global.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QSettings>
#include <QtCore/QTimer>
#include <QtWidgets/QApplication>

#include <cstdio>

namespace {

struct Options
{
    QCommandLineOption redis{QStringLiteral("redis"), QStringLiteral("The Redis server of the cluster."), QStringLiteral("URL")};
    QCommandLineOption cluster{QStringLiteral("cluster"), QStringLiteral("The cluster's name (its namespace)."), QStringLiteral("NAME")};
    QCommandLineOption host{QStringLiteral("host"), QStringLiteral("Of a cluster across hosts, the host to open, select and follow first."), QStringLiteral("NAME")};
    QCommandLineOption capacity{QStringLiteral("log-capacity"), QStringLiteral("Messages kept in the log (default 20000)."),
                                QStringLiteral("N"), QStringLiteral("20000")};
    QCommandLineOption tab{QStringLiteral("tab"), QStringLiteral("The bottom tab to show: messages, charts or activity."), QStringLiteral("NAME")};
    QCommandLineOption select{QStringLiteral("select"), QStringLiteral("Select the first process of GROUP once it shows up."),
                              QStringLiteral("GROUP")};
    QCommandLineOption screenshot{QStringLiteral("screenshot"), QStringLiteral("Save a picture of the window to FILE and quit."),
                                  QStringLiteral("FILE")};
    QCommandLineOption screenshotDelay{QStringLiteral("screenshot-delay"), QStringLiteral("Wait MS before the screenshot (default 5000)."),
                                       QStringLiteral("MS"), QStringLiteral("5000")};
};

void setUp(QCommandLineParser &parser, const Options &o)
{
    QCoreApplication::setOrganizationName(QStringLiteral("clustr-qt"));
    QCoreApplication::setApplicationName(QStringLiteral("clustr-qt-gui"));
    QCoreApplication::setApplicationVersion(QLatin1String(Clustr::version()));
    parser.setApplicationDescription(QStringLiteral(
        "Desktop monitor for a running clustr-qt cluster.\n"
        "Without options it finds the cluster like the clustr-qt CLI does ($CLUSTR_REDIS, the record of a\n"
        "`clustr-qt run`, redis://127.0.0.1:6379) or uses what was chosen in Connection… last time.\n"
        "--redis and --cluster apply to this run only."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({o.redis, o.cluster, o.host, o.capacity, o.tab, o.select, o.screenshot, o.screenshotDelay});
}

} // namespace

int main(int argc, char *argv[])
{
    const Options o;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "-v" || arg == "--version") {
            // More than QCommandLineParser's one line: what the monitor runs on.
            QCoreApplication core(argc, argv);
            std::printf("%s\n", qPrintable(VersionReport::text(QStringLiteral("clustr-qt-gui"))));
            return 0;
        }
        if (arg == "-h" || arg == "--help" || arg == "-?" || arg == "--help-all") {
            // Answered without a display: no QApplication for these.
            QCoreApplication core(argc, argv);
            QCommandLineParser parser;
            setUp(parser, o);
            parser.process(core); // prints and exits
            return 0;
        }
    }

    QApplication app(argc, argv);
    QCommandLineParser parser;
    setUp(parser, o);
    parser.process(app);

    QSettings settings;
    ConnectionSettings connection = ConnectionSettings::load(settings);
    const bool fromCommandLine = parser.isSet(o.redis) || parser.isSet(o.cluster) || parser.isSet(o.host);
    if (parser.isSet(o.cluster))
        connection.clusterName = parser.value(o.cluster);
    if (parser.isSet(o.cluster) || parser.isSet(o.host))
        connection.host = parser.value(o.host); // another cluster: not the remembered one's host
    if (parser.isSet(o.redis)) {
        connection.redisUrl = parser.value(o.redis);
        connection.automatic = false;
    } else if (parser.isSet(o.cluster)) {
        connection.automatic = true; // a named cluster is found where its `clustr-qt run` recorded it
    }

    MainWindow::Options options;
    options.logCapacity = std::max(100LL, parser.value(o.capacity).toLongLong());
    MainWindow window(&settings, options);
    if (parser.isSet(o.tab))
        window.showTab(parser.value(o.tab));
    if (parser.isSet(o.select))
        window.selectFirstOf(parser.value(o.select));
    window.connectTo(connection, !fromCommandLine);
    window.show();

    if (parser.isSet(o.screenshot)) {
        const QString file = parser.value(o.screenshot);
        QTimer::singleShot(parser.value(o.screenshotDelay).toInt(), &window, [&window, file] {
            const bool saved = window.grab().save(file);
            std::fprintf(saved ? stdout : stderr, "%s %s\n", saved ? "saved" : "could not save", qPrintable(file));
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return app.exec();
}
