// SPDX-License-Identifier: MIT
#include "outputview.h"

#include "outputfeed.h"

#include <QtGui/QFontDatabase>
#include <QtWidgets/QCheckBox>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QPlainTextEdit>
#include <QtWidgets/QScrollBar>
#include <QtWidgets/QVBoxLayout>

namespace {
const QString TimeFormat = QStringLiteral("HH:mm:ss.zzz"); // the day is today's
} // namespace

OutputView::OutputView(OutputFeed *feed, QWidget *parent)
    : QWidget(parent)
    , m_text(new QPlainTextEdit(this))
    , m_filter(new QLineEdit(this))
    , m_selectedOnly(new QCheckBox(QStringLiteral("Selected process only"), this))
    , m_placeholder(new QLabel(this))
{
    setObjectName(QStringLiteral("outputView"));
    m_text->setObjectName(QStringLiteral("outputText"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setMaximumBlockCount(int(Capacity));
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_filter->setObjectName(QStringLiteral("outputFilter"));
    m_filter->setPlaceholderText(QStringLiteral("Filter output lines"));
    m_filter->setClearButtonEnabled(true);
    m_selectedOnly->setObjectName(QStringLiteral("outputSelectedOnly"));
    m_selectedOnly->setToolTip(QStringLiteral("Only the lines of the process, or group, selected in the tree"));
    m_placeholder->setObjectName(QStringLiteral("outputPlaceholder"));
    m_placeholder->setWordWrap(true);
    m_placeholder->setText(QStringLiteral("No output yet. `clustr-qt run` keeps the workers' last lines in Redis "
                                          "(the cluster file's logs.recentLines; 0 keeps none); a master run by a "
                                          "program of its own keeps none."));
    m_placeholder->setStyleSheet(QStringLiteral("color: palette(mid);"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_selectedOnly);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_placeholder);
    layout->addWidget(m_text, 1);

    connect(m_filter, &QLineEdit::textChanged, this, &OutputView::rebuild);
    connect(m_selectedOnly, &QCheckBox::toggled, this, &OutputView::rebuild);
    connect(feed, &OutputFeed::linesArrived, this, &OutputView::append);
    connect(feed, &OutputFeed::cleared, this, &OutputView::clear);
}

void OutputView::setSelection(const QString &group, const QSet<qint64> &pids)
{
    if (group == m_group && pids == m_pids)
        return;
    m_group = group;
    m_pids = pids;
    if (m_selectedOnly->isChecked())
        rebuild();
}

void OutputView::setSelectedOnly(bool only)
{
    m_selectedOnly->setChecked(only);
}

void OutputView::setTextFilter(const QString &text)
{
    m_filter->setText(text);
}

QStringList OutputView::shownLines() const
{
    return m_text->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

bool OutputView::matches(const LogRecord::Entry &entry) const
{
    if (m_selectedOnly->isChecked() && !m_pids.contains(entry.pid) && entry.group != m_group)
        return false;
    const QString text = m_filter->text();
    return text.isEmpty() || entry.text.contains(text, Qt::CaseInsensitive) || entry.group.contains(text, Qt::CaseInsensitive);
}

void OutputView::append(const QList<LogRecord::Entry> &lines)
{
    QStringList shown;
    for (const LogRecord::Entry &entry : lines) {
        if (m_lines.isFull())
            m_lines.dropFront(1);
        m_lines.append(entry);
        if (matches(entry))
            shown.append(LogRecord::display(entry, TimeFormat));
    }
    m_placeholder->hide();
    if (shown.isEmpty())
        return;
    // At the bottom, the view follows new lines; scrolled up, it stays.
    QScrollBar *scroll = m_text->verticalScrollBar();
    const bool following = scroll->value() == scroll->maximum();
    m_text->appendPlainText(shown.join(QLatin1Char('\n')));
    if (following)
        scroll->setValue(scroll->maximum());
}

void OutputView::clear()
{
    m_lines = RingBuffer<LogRecord::Entry>(Capacity);
    m_text->clear();
    m_placeholder->show();
}

void OutputView::rebuild()
{
    QStringList shown;
    for (qsizetype i = 0; i < m_lines.size(); ++i) {
        if (matches(m_lines.at(i)))
            shown.append(LogRecord::display(m_lines.at(i), TimeFormat));
    }
    m_text->setPlainText(shown.join(QLatin1Char('\n')));
    m_text->verticalScrollBar()->setValue(m_text->verticalScrollBar()->maximum());
}
