// SPDX-License-Identifier: MIT
// clustr-test-spawner: supervises one "clustr-test-child --pause=60000" with
// Clustr::ChildProcess and prints "child:<pid>" once it runs; then waits to be
// killed. The tests kill it with SIGKILL and check that the child dies too.
#include "supervision/childprocess_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Clustr::ChildProcess::Config config;
    config.program = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("clustr-test-child"));
    config.arguments = {QStringLiteral("--pause=60000")};
    config.group = QStringLiteral("sleeper");
    Clustr::ChildProcess child(config);
    QObject::connect(&child, &Clustr::ChildProcess::started, [](qint64 pid) {
        std::printf("child:%lld\n", static_cast<long long>(pid));
        std::fflush(stdout);
    });
    child.start();
    return app.exec();
}
