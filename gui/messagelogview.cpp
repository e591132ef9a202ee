// SPDX-License-Identifier: MIT
#include "messagelogview.h"

#include "format.h"
#include "icons.h"
#include "messagelogfilter.h"
#include "messagelogmodel.h"

#include <QtCore/QDir>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QSaveFile>
#include <QtGui/QAction>
#include <QtGui/QClipboard>
#include <QtGui/QGuiApplication>
#include <QtGui/QIntValidator>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QFileDialog>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QMenu>
#include <QtWidgets/QScrollBar>
#include <QtWidgets/QToolButton>
#include <QtWidgets/QTreeView>
#include <QtWidgets/QVBoxLayout>

#include <algorithm>

MessageLogView::MessageLogView(MessageLogModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_filter(new MessageLogFilter(this))
    , m_view(new QTreeView(this))
    , m_kindsButton(new QToolButton(this))
    , m_groupBox(new QComboBox(this))
    , m_pidEdit(new QLineEdit(this))
    , m_textEdit(new QLineEdit(this))
    , m_counts(new QLabel(this))
{
    setObjectName(QStringLiteral("messageLog"));
    m_filter->setSourceLog(model);
    // Heartbeats are a message per process per second: in the log by default
    // they would bury everything else. One click shows them.
    m_filter->setKindVisible(LogKind::Heartbeat, false);
    m_filter->setKindVisible(LogKind::Sampling, false); // ours, every few seconds while we look

    setUpFilterBar();
    createActions();
    setUpView();
    layOut();
    setKnownGroups({});
    updateCounts();
}

// The filters above the log: kinds, group, pid and text.
void MessageLogView::setUpFilterBar()
{
    // Kinds: a menu of check boxes.
    auto *kindsMenu = new QMenu(m_kindsButton);
    for (LogKind kind : allKinds()) {
        QAction *action = kindsMenu->addAction(kindName(kind));
        action->setIcon(dotIcon(kindColor(kind)));
        action->setCheckable(true);
        action->setChecked(m_filter->isKindVisible(kind));
        connect(action, &QAction::toggled, this, [this, kind](bool on) { m_filter->setKindVisible(kind, on); });
    }
    kindsMenu->addSeparator();
    kindsMenu->addAction(QStringLiteral("Show all kinds"), this, [this, kindsMenu] {
        for (QAction *action : kindsMenu->actions())
            if (action->isCheckable())
                action->setChecked(true);
    });
    m_kindsButton->setObjectName(QStringLiteral("kindFilter"));
    m_kindsButton->setMenu(kindsMenu);
    m_kindsButton->setPopupMode(QToolButton::InstantPopup);
    m_kindsButton->setToolTip(QStringLiteral("Which kinds of messages to show"));
    m_kindsButton->setMinimumWidth(m_kindsButton->fontMetrics().horizontalAdvance(QStringLiteral("Kinds: 11 of 12")) + 30);

    m_groupBox->setObjectName(QStringLiteral("groupFilter"));
    m_groupBox->setEditable(true);
    m_groupBox->setInsertPolicy(QComboBox::NoInsert);
    m_groupBox->setMinimumContentsLength(10);
    m_groupBox->lineEdit()->setPlaceholderText(QStringLiteral("any group"));
    m_groupBox->setToolTip(QStringLiteral("Messages sent by this group or to it"));
    connect(m_groupBox, &QComboBox::currentTextChanged, m_filter, [this](const QString &text) { m_filter->setGroup(text.trimmed()); });

    m_pidEdit->setObjectName(QStringLiteral("pidFilter"));
    m_pidEdit->setPlaceholderText(QStringLiteral("any pid"));
    m_pidEdit->setValidator(new QIntValidator(0, std::numeric_limits<int>::max(), m_pidEdit));
    m_pidEdit->setClearButtonEnabled(true);
    m_pidEdit->setMaximumWidth(110);
    m_pidEdit->setToolTip(QStringLiteral("Messages sent by this pid or privately to it"));
    connect(m_pidEdit, &QLineEdit::textChanged, m_filter, [this](const QString &text) { m_filter->setPid(text.toLongLong()); });

    m_textEdit->setObjectName(QStringLiteral("textFilter"));
    m_textEdit->setPlaceholderText(QStringLiteral("Filter messages: text in the data or channel"));
    m_textEdit->setClearButtonEnabled(true);
    connect(m_textEdit, &QLineEdit::textChanged, m_filter, &MessageLogFilter::setText);
}

void MessageLogView::createActions()
{
    m_pauseAction = new QAction(QStringLiteral("Pause"), this);
    m_pauseAction->setObjectName(QStringLiteral("pauseLogAction"));
    m_pauseAction->setCheckable(true);
    m_pauseAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    m_pauseAction->setToolTip(QStringLiteral("Freeze the log; new messages are kept and shown on resume (Ctrl+P)"));
    connect(m_pauseAction, &QAction::toggled, m_model, &MessageLogModel::setPaused);
    connect(m_model, &MessageLogModel::pausedChanged, m_pauseAction, &QAction::setChecked);

    m_followAction = new QAction(QStringLiteral("Follow"), this);
    m_followAction->setCheckable(true);
    m_followAction->setChecked(true);
    m_followAction->setToolTip(QStringLiteral("Keep the newest message in view"));

    m_copyAction = new QAction(QStringLiteral("Copy"), this);
    m_copyAction->setShortcut(QKeySequence::Copy);
    m_copyAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_copyAction->setToolTip(QStringLiteral("Copy the selected messages as tab-separated text (Ctrl+C)"));
    connect(m_copyAction, &QAction::triggered, this, &MessageLogView::copySelection);
    m_view->addAction(m_copyAction);

    m_exportAction = new QAction(QStringLiteral("Export…"), this);
    m_exportAction->setObjectName(QStringLiteral("exportLogAction"));
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_S));
    m_exportAction->setToolTip(QStringLiteral("Write the shown messages to a file (Ctrl+S)"));
    connect(m_exportAction, &QAction::triggered, this, &MessageLogView::chooseExportFile);

    m_clearAction = new QAction(QStringLiteral("Clear"), this);
    m_clearAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_clearAction->setToolTip(QStringLiteral("Empty the log (Ctrl+L)"));
    connect(m_clearAction, &QAction::triggered, m_model, &MessageLogModel::clear);
}

void MessageLogView::setUpView()
{
    m_view->setObjectName(QStringLiteral("messageLogView"));
    m_view->setModel(m_filter);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true); // what keeps tens of thousands of rows cheap
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAllColumnsShowFocus(true);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->addAction(m_exportAction);
    m_view->header()->setStretchLastSection(true);
    m_view->setColumnWidth(MessageLogModel::TimeColumn, 100);
    m_view->setColumnWidth(MessageLogModel::KindColumn, 110);
    m_view->setColumnWidth(MessageLogModel::ChannelColumn, 150);
    m_view->setColumnWidth(MessageLogModel::SenderColumn, 130);

    // Following stops when the user scrolls up and starts again at the end.
    QScrollBar *bar = m_view->verticalScrollBar();
    connect(bar, &QAbstractSlider::actionTriggered, this, [this, bar] {
        m_followAction->setChecked(bar->sliderPosition() >= bar->maximum());
    });
    connect(m_followAction, &QAction::toggled, m_view, [this](bool on) {
        if (on)
            m_view->scrollToBottom();
    });
    connect(m_model, &MessageLogModel::batchAppended, this, [this] {
        if (m_followAction->isChecked())
            m_view->scrollToBottom();
        updateCounts();
    });
    connect(m_model, &MessageLogModel::heldCountChanged, this, &MessageLogView::updateCounts);
    connect(m_model, &QAbstractItemModel::modelReset, this, &MessageLogView::updateCounts);
    connect(m_filter, &MessageLogFilter::filterChanged, this, &MessageLogView::updateCounts);
}

void MessageLogView::layOut()
{
    auto toolButton = [this](QAction *action) {
        auto *button = new QToolButton(this);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        return button;
    };

    auto *bar1 = new QHBoxLayout;
    bar1->setSpacing(4);
    bar1->addWidget(m_kindsButton);
    bar1->addWidget(m_groupBox);
    bar1->addWidget(m_pidEdit);
    bar1->addWidget(m_textEdit, 1);
    bar1->addWidget(toolButton(m_followAction));
    bar1->addWidget(toolButton(m_pauseAction));
    bar1->addWidget(toolButton(m_copyAction));
    bar1->addWidget(toolButton(m_exportAction));
    bar1->addWidget(toolButton(m_clearAction));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addLayout(bar1);
    layout->addWidget(m_view);
    layout->addWidget(m_counts);
}

void MessageLogView::setKnownGroups(const QStringList &groups)
{
    QStringList wanted{QString()};
    wanted += groups;
    QStringList current;
    for (int i = 0; i < m_groupBox->count(); ++i)
        current.append(m_groupBox->itemText(i));
    if (current == wanted)
        return;
    // Rebuilt without touching what is typed: the filter must not change under the user.
    const QString text = m_groupBox->currentText();
    const QSignalBlocker blocker(m_groupBox);
    m_groupBox->clear();
    m_groupBox->addItems(wanted);
    m_groupBox->setCurrentText(text);
}

void MessageLogView::filterByPid(qint64 pid)
{
    m_pidEdit->setText(pid > 0 ? QString::number(pid) : QString());
}

void MessageLogView::filterByGroup(const QString &group)
{
    m_groupBox->setCurrentText(group);
}

void MessageLogView::focusTextFilter()
{
    m_textEdit->setFocus();
    m_textEdit->selectAll();
}

void MessageLogView::setDroppedCount(quint64 count)
{
    m_dropped = count;
    updateCounts();
}

void MessageLogView::updateCounts()
{
    int visibleKinds = 0;
    for (LogKind kind : allKinds())
        visibleKinds += m_filter->isKindVisible(kind) ? 1 : 0;
    m_kindsButton->setText(visibleKinds == int(allKinds().size()) ? QStringLiteral("All kinds")
                                                                   : QStringLiteral("Kinds: %1 of %2").arg(visibleKinds).arg(allKinds().size()));
    QString text = QStringLiteral("%1 shown · %2 in the log (keeps the newest %3)")
                       .arg(Format::count(m_filter->rowCount()), Format::count(m_model->rowCount()), Format::count(m_model->capacity()));
    if (m_dropped > 0)
        text += QStringLiteral(" · %1 skipped under load").arg(Format::count(qint64(m_dropped)));
    if (m_model->isPaused())
        text += QStringLiteral(" · paused, %1 new waiting").arg(Format::count(m_model->heldCount()));
    m_counts->setText(text);
    m_pauseAction->setText(m_model->isPaused() ? QStringLiteral("Resume (%1)").arg(Format::count(m_model->heldCount()))
                                               : QStringLiteral("Pause"));
}

QString MessageLogView::selectedText() const
{
    QModelIndexList rows = m_view->selectionModel()->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QStringList lines;
    for (const QModelIndex &row : std::as_const(rows))
        lines.append(MessageLogModel::toText(m_model->entry(m_filter->mapToSource(row).row())));
    return lines.join(QLatin1Char('\n'));
}

void MessageLogView::copySelection()
{
    const QString text = selectedText();
    if (text.isEmpty()) {
        Q_EMIT report(QStringLiteral("Nothing to copy: select messages in the log first"), false);
        return;
    }
    QGuiApplication::clipboard()->setText(text);
    Q_EMIT report(QStringLiteral("Copied %1 messages").arg(text.count(QLatin1Char('\n')) + 1), true);
}

bool MessageLogView::exportTo(const QString &path, int *written, QString *error) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    const bool json = path.endsWith(QLatin1String(".jsonl")) || path.endsWith(QLatin1String(".json"));
    if (!json)
        file.write("time\tkind\tchannel\tsender\tdata\n");
    const int rows = m_filter->rowCount();
    for (int row = 0; row < rows; ++row) {
        const LogEntry &e = m_model->entry(m_filter->mapToSource(m_filter->index(row, 0)).row());
        file.write(json ? QJsonDocument(MessageLogModel::toJson(e)).toJson(QJsonDocument::Compact)
                        : MessageLogModel::toText(e).toUtf8());
        file.write("\n");
    }
    if (!file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    if (written)
        *written = rows;
    return true;
}

void MessageLogView::chooseExportFile()
{
    // Asynchronous (open(), not exec()): the log keeps filling while the user picks a file.
    auto *dialog = new QFileDialog(this, QStringLiteral("Export %1 messages").arg(Format::count(m_filter->rowCount())),
                                   QDir::homePath() + QStringLiteral("/clustr-messages.jsonl"),
                                   QStringLiteral("JSON lines (*.jsonl);;Tab-separated text (*.tsv *.txt)"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        int written = 0;
        QString error;
        if (exportTo(path, &written, &error))
            Q_EMIT report(QStringLiteral("Exported %1 messages to %2").arg(Format::count(written), path), true);
        else
            Q_EMIT report(QStringLiteral("Could not export to %1: %2").arg(path, error), false);
    });
    dialog->open();
}
