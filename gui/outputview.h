// SPDX-License-Identifier: MIT
#pragma once

#include "logrecord.h"
#include "ringbuffer.h"

#include <QtCore/QSet>
#include <QtWidgets/QWidget>

class OutputFeed;
class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

/*
  The Output tab: what the workers printed (OutputFeed), one line each as
  `clustr-qt logs` shows it (`TIME  GROUP[PID]  STREAM  TEXT`), the newest
  at the bottom. Bounded: the oldest lines go beyond Capacity. Filtered by
  text, and to the process (or group) selected in the tree when asked.
*/
class OutputView : public QWidget
{
    Q_OBJECT
public:
    static constexpr qsizetype Capacity = 5000;

    explicit OutputView(OutputFeed *feed, QWidget *parent = nullptr);

    //! What the tree selects: a process (one pid) or a group (its processes' pids, and its name).
    void setSelection(const QString &group, const QSet<qint64> &pids);
    void setSelectedOnly(bool only);
    void setTextFilter(const QString &text);

    //! The lines shown, as shown (for tests and copying).
    QStringList shownLines() const;
    QLabel *placeholder() const { return m_placeholder; }

private:
    void append(const QList<LogRecord::Entry> &lines);
    void clear();
    void rebuild();
    bool matches(const LogRecord::Entry &entry) const;

    RingBuffer<LogRecord::Entry> m_lines{Capacity};
    QPlainTextEdit *m_text;
    QLineEdit *m_filter;
    QCheckBox *m_selectedOnly;
    QLabel *m_placeholder;
    QString m_group;
    QSet<qint64> m_pids;
};
