// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QStringList>
#include <QtCore/QtGlobal>

#include <utility>

/*
  The messages logged while it lives (qWarning(), qCInfo(), the library's
  categories), as "warning: TEXT" / "info: TEXT" / "other: TEXT", kept
  instead of printed. One at a time.
*/
class LoggedMessages
{
public:
    LoggedMessages() { s_current = this, m_previous = qInstallMessageHandler(&LoggedMessages::handle); }
    ~LoggedMessages() { qInstallMessageHandler(m_previous), s_current = nullptr; }
    LoggedMessages(const LoggedMessages &) = delete;
    LoggedMessages &operator=(const LoggedMessages &) = delete;

    //! What was logged since the last take(), which forgets it.
    QStringList take() { return std::exchange(m_messages, {}); }
    //! What was logged since the last take().
    const QStringList &seen() const { return m_messages; }

private:
    static void handle(QtMsgType type, const QMessageLogContext &, const QString &text)
    {
        s_current->m_messages.append((type == QtWarningMsg ? QStringLiteral("warning: ") : type == QtInfoMsg ? QStringLiteral("info: ") : QStringLiteral("other: ")) + text);
    }
    static inline LoggedMessages *s_current = nullptr;
    QtMessageHandler m_previous = nullptr;
    QStringList m_messages;
};
