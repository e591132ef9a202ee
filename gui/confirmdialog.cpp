// SPDX-License-Identifier: MIT
#include "confirmdialog.h"

#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QLabel>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QVBoxLayout>

ConfirmDialog::ConfirmDialog(const QString &title, const QString &question, const QString &actionText, QWidget *parent,
                             Default defaultButton)
    : QDialog(parent)
    , m_content(new QVBoxLayout)
{
    setWindowTitle(title);
    setObjectName(QStringLiteral("confirmDialog"));
    auto *text = new QLabel(question, this);
    text->setObjectName(QStringLiteral("question"));
    text->setWordWrap(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *action = buttons->addButton(actionText, QDialogButtonBox::AcceptRole);
    const bool cancelFirst = defaultButton == Default::Cancel;
    buttons->button(QDialogButtonBox::Cancel)->setDefault(cancelFirst);
    action->setDefault(!cancelFirst);
    action->setAutoDefault(!cancelFirst);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addLayout(m_content);
    layout->addWidget(buttons);
    setMinimumWidth(380);
}

void ConfirmDialog::addContent(QLayout *layout)
{
    m_content->addLayout(layout);
}

void ConfirmDialog::addHelp(const QString &text)
{
    auto *help = new QLabel(text, this);
    help->setWordWrap(true);
    help->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_content->addWidget(help);
}
