// SPDX-License-Identifier: MIT
// The QML chat: one window per worker of the group "chat"; everything it
// does is in Main.qml, through `import ClustrQt`.
#include <QtCore/QDir>
#include <QtCore/QUrl>
#include <QtGui/QGuiApplication>
#include <QtQml/QQmlApplicationEngine>

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    QQmlApplicationEngine engine;
    // Built in the clustr-qt tree, the module is in build/qml beside build/bin;
    // installed, it is in Qt's own QML folder, which the engine knows.
    engine.addImportPath(QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../qml")));
    QObject::connect(&engine, &QQmlApplicationEngine::objectCreationFailed, &app,
                     [] { QCoreApplication::exit(2); }, Qt::QueuedConnection);
    engine.load(QUrl(QStringLiteral("qrc:/ClustrChat/Main.qml")));
    return app.exec();
}
