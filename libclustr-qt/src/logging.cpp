// SPDX-License-Identifier: MIT
#include "logging_p.h"


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

void enableVerbose()
{
    QLoggingCategory::setFilterRules(QStringLiteral("clustr.*.debug=true\nclustr.*.info=true"));
}

namespace {

QtMessageHandler previousHandler = nullptr;
Logger currentLogger;
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

void setLogger(const Logger &logger)
{
    currentLogger = logger;
    if (logger && !installed) {
        previousHandler = qInstallMessageHandler(route);
        installed = true;
    } else if (!logger && installed) {
        qInstallMessageHandler(previousHandler);
        previousHandler = nullptr;
        installed = false;
    }
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
