// SPDX-License-Identifier: MIT
#include "processdetails.h"

#include "elidedlabel.h"
#include "format.h"
#include "icons.h"
#include "messagelogmodel.h"
#include "processtreemodel.h"

#include <QtCore/QDateTime>
#include <QtGui/QFontDatabase>
#include <QtWidgets/QGridLayout>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QPlainTextEdit>
#include <QtWidgets/QTableWidget>
#include <QtWidgets/QTreeWidget>
#include <QtWidgets/QVBoxLayout>

#include <iterator>

namespace {

constexpr int MaxRecent = 200;

// The original thirteen first, in clustr-node's order, then clustr-qt's own.
// The names are the counters' names people know from clustr-node (and the
// ones tst_gui asks statValue() for).
struct StatRow
{
    const char *name;
    quint64 (Clustr::Stats::*counter)() const;
};
const StatRow StatOrder[] = {
    {"emitPublic", &Clustr::Stats::emitPublic},
    {"emitPrivate", &Clustr::Stats::emitPrivate},
    {"emitGroup", &Clustr::Stats::emitGroup},
    {"emitKill", &Clustr::Stats::emitKill},
    {"emitConfirmation", &Clustr::Stats::emitConfirmation},
    {"onMessage", &Clustr::Stats::onMessage},
    {"onPublic", &Clustr::Stats::onPublic},
    {"onGroup", &Clustr::Stats::onGroup},
    {"onPrivate", &Clustr::Stats::onPrivate},
    {"spawnChildProcess", &Clustr::Stats::spawnChildProcess},
    {"respawnChildProcess", &Clustr::Stats::respawnChildProcess},
    {"receivedConfirmations", &Clustr::Stats::receivedConfirmations},
    {"successfulConfirmations", &Clustr::Stats::successfulConfirmations},
    {"rejectedMessages", &Clustr::Stats::rejectedMessages},
    {"droppedMessages", &Clustr::Stats::droppedMessages},
    {"refusedMessages", &Clustr::Stats::refusedMessages},
};
constexpr int StatCount = int(std::size(StatOrder));

enum Field { Host, Parent, Started, Uptime, Restarts, Cpus, Rss, Cpu, LastSeen, Program, FieldCount };
const char *const FieldNames[FieldCount] = {"Host", "Parent", "Started", "Uptime", "Restarts", "CPUs", "RSS", "CPU", "Last seen", "Program"};

QLabel *sectionLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

} // namespace

ProcessDetails::ProcessDetails(ProcessTreeModel *model, MessageLogModel *log, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_log(log)
    , m_title(new QLabel(this))
    , m_placeholder(new QLabel(QStringLiteral("Select a process to see its details."), this))
    , m_body(new QWidget(this))
    , m_stats(new QTableWidget(this))
    , m_commandLine(new QPlainTextEdit(this))
    , m_recent(new QTreeWidget(this))
{
    setObjectName(QStringLiteral("processDetails"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.25);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextFormat(Qt::RichText);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setStyleSheet(QStringLiteral("color: palette(mid);"));

    QGridLayout *fields = createFields();
    setUpStats();
    setUpCommandLineAndRecent();
    layOut(fields);
    followModel();
    showProcess(0);
}

// Properties, two per row to leave room for the messages below.
QGridLayout *ProcessDetails::createFields()
{
    auto *fields = new QGridLayout;
    fields->setHorizontalSpacing(10);
    fields->setVerticalSpacing(2);
    for (int f = 0; f < FieldCount; ++f) {
        auto *name = new QLabel(QLatin1String(FieldNames[f]) + QLatin1Char(':'), m_body);
        name->setStyleSheet(QStringLiteral("color: palette(mid);"));
        // A long program path must not make the pane wider than the splitter
        // says: it is elided in the middle, whole in its tooltip.
        auto *value = new ElidedLabel(m_body);
        value->setObjectName(QStringLiteral("value%1").arg(f));
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        m_values.append(value);
        const int row = f / 2;
        const int column = (f % 2) * 2;
        fields->addWidget(name, row, column);
        fields->addWidget(value, row, column + 1);
    }
    fields->setColumnStretch(1, 1);
    fields->setColumnStretch(3, 1);
    return fields;
}

void ProcessDetails::setUpStats()
{
    m_stats->setObjectName(QStringLiteral("statsTable"));
    m_stats->setColumnCount(4);
    m_stats->setRowCount((StatCount + 1) / 2);
    m_stats->horizontalHeader()->hide();
    m_stats->verticalHeader()->hide();
    m_stats->verticalHeader()->setDefaultSectionSize(m_stats->fontMetrics().height() + 4);
    // Names take the room, numbers what they need.
    m_stats->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_stats->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_stats->horizontalHeader()->setSectionResizeMode(3, QHeaderView::ResizeToContents);
    m_stats->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_stats->setSelectionMode(QAbstractItemView::NoSelection);
    m_stats->setFocusPolicy(Qt::NoFocus);
    m_stats->setShowGrid(false);
    m_stats->setAlternatingRowColors(true);
    for (int i = 0; i < StatCount; ++i) {
        // Names in the normal text colour: the disabled one made the table look switched off.
        auto *name = new QTableWidgetItem(QLatin1String(StatOrder[i].name));
        auto *value = new QTableWidgetItem(Format::unknown());
        value->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_stats->setItem(i / 2, (i % 2) * 2, name);
        m_stats->setItem(i / 2, (i % 2) * 2 + 1, value);
    }
    m_stats->setFixedHeight(m_stats->rowCount() * m_stats->verticalHeader()->defaultSectionSize() + 4);
}

void ProcessDetails::setUpCommandLineAndRecent()
{
    m_commandLine->setObjectName(QStringLiteral("commandLine"));
    m_commandLine->setReadOnly(true);
    m_commandLine->setFixedHeight(m_commandLine->fontMetrics().height() * 3 + 12);
    m_commandLine->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    m_recent->setObjectName(QStringLiteral("recentMessages"));
    m_recent->setColumnCount(4);
    m_recent->setHeaderLabels({QStringLiteral("Time"), QString(), QStringLiteral("Channel"), QStringLiteral("Data")});
    m_recent->setRootIsDecorated(false);
    m_recent->setUniformRowHeights(true);
    m_recent->setAlternatingRowColors(true);
    m_recent->setColumnWidth(0, 90);
    m_recent->setColumnWidth(1, 24);
    m_recent->setColumnWidth(2, 120);
}

void ProcessDetails::layOut(QGridLayout *fields)
{
    auto *body = new QVBoxLayout(m_body);
    body->setContentsMargins(0, 0, 0, 0);
    body->addLayout(fields);
    body->addWidget(sectionLabel(QStringLiteral("Statistics"), m_body));
    body->addWidget(m_stats);
    body->addWidget(sectionLabel(QStringLiteral("Command line"), m_body));
    body->addWidget(m_commandLine);
    body->addWidget(sectionLabel(QStringLiteral("Recent messages (→ sent, ← received)"), m_body));
    body->addWidget(m_recent, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_placeholder, 1);
    layout->addWidget(m_body, 1);
}

void ProcessDetails::followModel()
{
    connect(m_model, &ProcessTreeModel::processUpdated, this, [this](qint64 key) {
        if (key == m_key) {
            m_gone = false;
            refresh();
        }
    });
    connect(m_model, &ProcessTreeModel::processRemoved, this, [this](qint64 key) {
        if (key == m_key) {
            m_gone = true;
            refresh();
        }
    });
    connect(m_model, &ProcessTreeModel::staleChanged, this, &ProcessDetails::refresh);
    // Another cluster or Redis: a process of the old one has nothing more to say.
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] { showProcess(0); });
}

void ProcessDetails::showProcess(qint64 key)
{
    m_key = key;
    m_gone = false;
    m_body->setVisible(key != 0);
    m_placeholder->setVisible(key == 0);
    refresh();
    fillRecent();
}

void ProcessDetails::refresh()
{
    if (m_key == 0) {
        m_title->setText(QStringLiteral("No process selected"));
        return;
    }
    const bool wasMember = m_info.registered;
    const QString oldGroup = m_info.group;
    const QDateTime oldStart = m_info.startedAt;
    if (const auto info = m_model->process(m_key))
        m_info = *info;
    else
        m_gone = true;
    const ProcessInfo &p = m_info;
    m_groupChannel = QStringLiteral("group:") + p.group;
    // Which messages a process hears depends on its group and on whether it
    // has registered: a status that says so later than the first messages
    // came (a slow poll) must not leave them out of the list.
    if (!m_gone && (p.registered != wasMember || p.group != oldGroup || p.startedAt != oldStart))
        fillRecent();
    const bool grey = m_gone || m_model->isStale();
    const QString state = m_gone ? QStringLiteral("gone") : p.state.text();
    m_title->setText(QStringLiteral("%1 <span style=\"color:%2\">●</span> %3 <span style=\"font-weight:normal\">%4</span>")
                         .arg(p.group.toHtmlEscaped(), (grey ? ProcessState() : p.state).color().name())
                         .arg(p.pid > 0 ? QString::number(p.pid) : Format::unknown())
                         .arg(state.toHtmlEscaped()));
    const QString values[FieldCount] = { // in the order of FieldNames
        p.host,
        p.ppid > 0 ? QString::number(p.ppid) : Format::unknown(),
        p.startedAt.isValid() ? p.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : Format::unknown(),
        Format::duration(p.uptimeMs),
        QString::number(p.restarts),
        p.cpus.isEmpty() ? QStringLiteral("any") : p.cpus,
        Format::bytes(p.rss),
        Format::percent(p.cpu),
        p.isMaster ? QStringLiteral("now (announcement)") : p.heartbeat ? Format::ago(p.lastSeenMs) : QStringLiteral("no heartbeat"),
        p.file.isEmpty() ? Format::unknown() : p.file,
    };
    for (int f = 0; f < FieldCount; ++f) {
        m_values[f]->setFullText(values[f]);
        m_values[f]->setEnabled(!grey);
    }
    for (int i = 0; i < StatCount; ++i) {
        const QString value = p.stats ? Format::count(qint64(((*p.stats).*StatOrder[i].counter)())) : Format::unknown();
        m_stats->item(i / 2, (i % 2) * 2 + 1)->setText(value);
    }
    QString commandLine = p.commandLineText();
    if (commandLine.isEmpty())
        commandLine = p.isMaster ? QStringLiteral("(the master does not publish its own command line)")
                                 : QStringLiteral("(known only for the master's own children: this process was started by %1)")
                                       .arg(p.ppid > 0 ? QString::number(p.ppid) : QStringLiteral("someone else"));
    if (m_commandLine->toPlainText() != commandLine)
        m_commandLine->setPlainText(commandLine);
}

ProcessDetails::Direction ProcessDetails::directionOf(const LogEntry &e) const
{
    using K = LogKind;
    if (m_key <= 0 || e.kind == K::Heartbeat || predates(e))
        return Direction::None;
    if (e.pid == m_info.pid)
        return Direction::Sent;
    if (e.targetPid == m_info.pid)
        return Direction::Received;
    if (!m_info.registered && !m_info.isMaster)
        return Direction::None; // not a member: it hears nothing else
    if (e.kind == K::Public || e.kind == K::Confirmation || e.channel == m_groupChannel)
        return Direction::Received;
    if (m_info.isMaster && (e.kind == K::Registration || e.kind == K::Deregistration || e.kind == K::Control))
        return Direction::Received;
    return Direction::None;
}

bool ProcessDetails::predates(const LogEntry &e) const
{
    // Both clocks are this host's when the process runs here; a process
    // whose start is not known (no heartbeat yet) keeps everything.
    return m_info.startedAt.isValid() && e.timeMs < m_info.startedAt.toMSecsSinceEpoch();
}

void ProcessDetails::fillRecent()
{
    m_recent->clear();
    if (m_key <= 0)
        return;
    QList<const LogEntry *> found;
    m_log->visitNewestFirst([&](const LogEntry &e) {
        if (directionOf(e) != Direction::None)
            found.prepend(&e);
        return found.size() < MaxRecent;
    });
    appendRecent(found);
}

void ProcessDetails::addBatch(const LogBatch &batch)
{
    if (m_key <= 0 || m_gone)
        return;
    // Only the newest that can be shown: a burst of public messages matches every process.
    QList<const LogEntry *> found;
    for (qsizetype i = batch.size() - 1; i >= 0 && found.size() < MaxRecent; --i) {
        if (directionOf(batch.at(i)) != Direction::None)
            found.prepend(&batch.at(i));
    }
    appendRecent(found);
}

void ProcessDetails::appendRecent(const QList<const LogEntry *> &entries)
{
    if (entries.isEmpty())
        return;
    QList<QTreeWidgetItem *> items;
    for (const LogEntry *e : entries) {
        auto *item = new QTreeWidgetItem;
        item->setText(0, QDateTime::fromMSecsSinceEpoch(e->timeMs).toString(QStringLiteral("HH:mm:ss.zzz")));
        item->setText(1, directionOf(*e) == Direction::Sent ? QStringLiteral("→") : QStringLiteral("←"));
        item->setText(2, e->channel);
        item->setText(3, e->data);
        item->setToolTip(3, e->data);
        item->setIcon(2, dotIcon(kindColor(e->kind)));
        items.append(item);
    }
    m_recent->addTopLevelItems(items);
    const int excess = m_recent->topLevelItemCount() - MaxRecent;
    for (int i = 0; i < excess; ++i)
        delete m_recent->takeTopLevelItem(0);
    m_recent->scrollToBottom();
}

int ProcessDetails::recentCount() const
{
    return m_recent->topLevelItemCount();
}

QString ProcessDetails::recentText(int row) const
{
    const QTreeWidgetItem *item = m_recent->topLevelItem(row);
    return item ? item->text(1) + QLatin1Char(' ') + item->text(2) + QLatin1Char(' ') + item->text(3) : QString();
}

QString ProcessDetails::commandLineText() const
{
    return m_commandLine->toPlainText();
}

ElidedLabel *ProcessDetails::valueLabel(const QString &name) const
{
    for (int f = 0; f < FieldCount; ++f) {
        if (name == QLatin1String(FieldNames[f]))
            return m_values[f];
    }
    return nullptr;
}

QString ProcessDetails::statValue(const QString &name) const
{
    for (int i = 0; i < StatCount; ++i) {
        if (name == QLatin1String(StatOrder[i].name))
            return m_stats->item(i / 2, (i % 2) * 2 + 1)->text();
    }
    return QString();
}
