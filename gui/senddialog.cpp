// SPDX-License-Identifier: MIT
#include "senddialog.h"

#include <ClustrQt/json.h>

#include <QtGui/QIntValidator>
#include <QtGui/QShortcut>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QGridLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QPlainTextEdit>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QRadioButton>
#include <QtWidgets/QVBoxLayout>

SendDialog::SendDialog(const QStringList &groups, const QString &group, qint64 pid, QWidget *parent)
    : QDialog(parent)
    , m_public(new QRadioButton(QStringLiteral("Everybody (public)"), this))
    , m_group(new QRadioButton(QStringLiteral("Group:"), this))
    , m_private(new QRadioButton(QStringLiteral("Process (private):"), this))
    , m_groups(new QComboBox(this))
    , m_pid(new QLineEdit(this))
    , m_text(new QPlainTextEdit(this))
    , m_hint(new QLabel(this))
{
    setWindowTitle(QStringLiteral("Send a message"));
    setObjectName(QStringLiteral("sendDialog"));
    m_groups->setEditable(true);
    m_groups->addItems(groups);
    m_groups->setCurrentText(group);
    m_pid->setValidator(new QIntValidator(1, std::numeric_limits<int>::max(), m_pid));
    m_pid->setPlaceholderText(QStringLiteral("pid"));
    if (pid > 0)
        m_pid->setText(QString::number(pid));
    m_text->setPlaceholderText(QStringLiteral("hello, or {\"cmd\": \"flush\"}"));
    m_text->setTabChangesFocus(true);
    m_hint->setStyleSheet(QStringLiteral("color: palette(mid);"));
    (pid > 0 ? m_private : !group.isEmpty() ? m_group : m_public)->setChecked(true);

    auto *targets = new QGridLayout;
    targets->addWidget(m_public, 0, 0, 1, 2);
    targets->addWidget(m_group, 1, 0);
    targets->addWidget(m_groups, 1, 1);
    targets->addWidget(m_private, 2, 0);
    targets->addWidget(m_pid, 2, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_send = buttons->addButton(QStringLiteral("Send"), QDialogButtonBox::AcceptRole);
    m_send->setToolTip(QStringLiteral("Ctrl+Enter"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *send = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    connect(send, &QShortcut::activated, m_send, &QPushButton::click);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(QStringLiteral("To:"), this));
    layout->addLayout(targets);
    layout->addWidget(new QLabel(QStringLiteral("Data:"), this));
    layout->addWidget(m_text);
    layout->addWidget(m_hint);
    layout->addWidget(buttons);

    for (QRadioButton *b : {m_public, m_group, m_private})
        connect(b, &QRadioButton::toggled, this, &SendDialog::updateState);
    connect(m_groups, &QComboBox::currentTextChanged, this, [this] { m_group->setChecked(true); updateState(); });
    connect(m_pid, &QLineEdit::textEdited, this, [this] { m_private->setChecked(true); updateState(); });
    connect(m_text, &QPlainTextEdit::textChanged, this, &SendDialog::updateState);
    updateState();
    resize(460, 320);
    m_text->setFocus();
}

ActionTracker::Target SendDialog::target() const
{
    if (m_group->isChecked())
        return ActionTracker::Target::Group;
    if (m_private->isChecked())
        return ActionTracker::Target::Private;
    return ActionTracker::Target::Public;
}

void SendDialog::setTarget(ActionTracker::Target target)
{
    switch (target) {
    case ActionTracker::Target::Public: m_public->setChecked(true); break;
    case ActionTracker::Target::Group: m_group->setChecked(true); break;
    case ActionTracker::Target::Private: m_private->setChecked(true); break;
    }
}

QString SendDialog::group() const
{
    return m_groups->currentText().trimmed();
}

void SendDialog::setGroup(const QString &group)
{
    m_groups->setCurrentText(group);
}

qint64 SendDialog::pid() const
{
    return m_pid->text().toLongLong();
}

void SendDialog::setPid(qint64 pid)
{
    m_pid->setText(pid > 0 ? QString::number(pid) : QString());
    m_private->setChecked(true);
}

QString SendDialog::text() const
{
    return m_text->toPlainText();
}

void SendDialog::setText(const QString &text)
{
    m_text->setPlainText(text);
}

QByteArray SendDialog::dataJson() const
{
    return Clustr::jsonOrString(text());
}

void SendDialog::updateState()
{
    const QJsonValue value = Clustr::parseJson(dataJson()).value_or(QJsonValue());
    QString kind;
    switch (value.type()) {
    case QJsonValue::Object: kind = QStringLiteral("a JSON object"); break;
    case QJsonValue::Array: kind = QStringLiteral("a JSON array"); break;
    case QJsonValue::Double: kind = QStringLiteral("a number"); break;
    case QJsonValue::Bool: kind = QStringLiteral("a boolean"); break;
    case QJsonValue::Null: kind = QStringLiteral("null"); break;
    default: kind = QStringLiteral("a string"); break;
    }
    m_hint->setText(QStringLiteral("Sent as %1.").arg(kind));
    bool ok = !text().isEmpty();
    if (target() == ActionTracker::Target::Group)
        ok = ok && !group().isEmpty();
    else if (target() == ActionTracker::Target::Private)
        ok = ok && pid() > 0;
    m_send->setEnabled(ok);
}
