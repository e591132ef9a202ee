// SPDX-License-Identifier: MIT
#include "logging_p.h"

#include <atomic>
#include <cstdlib>

#include <unistd.h>

namespace Clustr {

// Warnings only by default: clustr-node logged nothing unless asked to, but
// errors must never be silent.
Q_LOGGING_CATEGORY(lcRedis, "clustr.redis", QtWarningMsg)
Q_LOGGING_CATEGORY(lcProtocol, "clustr.protocol", QtWarningMsg)
Q_LOGGING_CATEGORY(lcProcess, "clustr.process", QtWarningMsg)
Q_LOGGING_CATEGORY(lcWorker, "clustr.worker", QtWarningMsg)
Q_LOGGING_CATEGORY(lcMaster, "clustr.master", QtWarningMsg)
Q_LOGGING_CATEGORY(lcSpawn, "clustr.spawn", QtWarningMsg)

namespace Logging {

namespace {

enum class Detail { Unknown, Off, On };
std::atomic<Detail> detail{Detail::Unknown};

bool isSet(const char *variable)
{
    const char *value = std::getenv(variable);
    return value && *value;
}

bool fileExists(const QByteArray &path)
{
    return ::access(path.constData(), R_OK) == 0;
}

// Where Qt's logging registry looks for rule files (QLibraryInfo::DataPath,
// then QStandardPaths::GenericConfigLocation), found with plain libc calls.
bool ruleFileExists()
{
    static const char Suffix[] = "/QtProject/qtlogging.ini";
    if (fileExists(QByteArrayLiteral(CLUSTR_QT_DATA_DIR "/qtlogging.ini")))
        return true;
    const char *configHome = std::getenv("XDG_CONFIG_HOME");
    if (configHome && *configHome) {
        if (fileExists(QByteArray(configHome) + Suffix))
            return true;
    } else if (const char *home = std::getenv("HOME"); home && *home) {
        if (fileExists(QByteArray(home) + "/.config" + Suffix))
            return true;
    }
    const char *configDirs = std::getenv("XDG_CONFIG_DIRS");
    const QByteArray dirs = configDirs && *configDirs ? QByteArray(configDirs) : QByteArrayLiteral("/etc/xdg");
    for (const QByteArray &dir : dirs.split(':')) {
        if (!dir.isEmpty() && fileExists(dir + Suffix))
            return true;
    }
    return false;
}

} // namespace

bool detailRequested()
{
    if (detail == Detail::Unknown)
        detail = isSet("QT_LOGGING_RULES") || isSet("QT_LOGGING_CONF") || ruleFileExists() ? Detail::On : Detail::Off;
    return detail == Detail::On;
}

void followRules()
{
    detail = Detail::On;
}

namespace {

QLoggingCategory::CategoryFilter previousFilter = nullptr;
bool verboseFilterInstalled = false;

// Qt's rules first (the application's own, the files, the environment), then
// the library's categories switched on: setFilterRules() would have replaced
// whatever rules the application had set. Rules from the environment are
// the documented way to override --verbose, so with them Qt alone decides.
void verboseFilter(QLoggingCategory *category)
{
    if (previousFilter)
        previousFilter(category);
    if (qstrncmp(category->categoryName(), "clustr.", 7) != 0)
        return;
    if (qEnvironmentVariableIsSet("QT_LOGGING_RULES") || qEnvironmentVariableIsSet("QT_LOGGING_CONF"))
        return;
    category->setEnabled(QtDebugMsg, true);
    category->setEnabled(QtInfoMsg, true);
}

} // namespace

void enableVerbose()
{
    detail = Detail::On;
    if (verboseFilterInstalled)
        return;
    verboseFilterInstalled = true;
    previousFilter = QLoggingCategory::installFilter(verboseFilter);
}

namespace {

QtMessageHandler previousHandler = nullptr;
Logger currentLogger;
quint64 currentOwner = 0; // who installed currentLogger: only they remove it
quint64 lastOwner = 0;
bool installed = false;

void route(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    if (currentLogger && context.category && qstrncmp(context.category, "clustr.", 7) == 0) {
        currentLogger(type, QString::fromLatin1(context.category), text);
        return;
    }
    if (previousHandler)
        previousHandler(type, context, text);
    else
        fprintf(stderr, "%s\n", qPrintable(qFormatLogMessage(type, context, text)));
}

} // namespace

quint64 setLogger(const Logger &logger)
{
    currentLogger = logger;
    currentOwner = logger ? ++lastOwner : 0;
    if (logger)
        detail = Detail::On; // whoever installs a sink decides with Qt's rules what reaches it
    if (logger && !installed) {
        previousHandler = qInstallMessageHandler(route);
        installed = true;
    } else if (!logger && installed) {
        qInstallMessageHandler(previousHandler);
        previousHandler = nullptr;
        installed = false;
    }
    return currentOwner;
}

void removeLogger(quint64 owner)
{
    // Another process object may have installed its own logger since: keep it.
    if (owner != 0 && owner == currentOwner)
        setLogger({});
}

} // namespace Logging

bool RateLimiter::allow(quint64 *suppressed)
{
    if (m_last.isValid() && m_last.elapsed() < m_intervalMs) {
        ++m_suppressed;
        return false;
    }
    m_last.start();
    if (suppressed)
        *suppressed = m_suppressed;
    m_suppressed = 0;
    return true;
}

} // namespace Clustr

void Clustr::enableVerboseLogging()
{
    Logging::enableVerbose();
}

void Clustr::followLoggingRules()
{
    Logging::followRules();
}
