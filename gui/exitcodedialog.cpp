// SPDX-License-Identifier: MIT
#include "exitcodedialog.h"

#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QSpinBox>
#include <QtWidgets/QVBoxLayout>

ExitCodeDialog::ExitCodeDialog(const QString &title, const QString &question, const QString &codeHelp, int defaultCode,
                               const QString &actionText, QWidget *parent)
    : QDialog(parent)
    , m_code(new QSpinBox(this))
{
    setWindowTitle(title);
    setObjectName(QStringLiteral("exitCodeDialog"));
    auto *text = new QLabel(question, this);
    text->setWordWrap(true);
    auto *help = new QLabel(codeHelp, this);
    help->setWordWrap(true);
    help->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_code->setObjectName(QStringLiteral("exitCode"));
    m_code->setRange(0, 255);
    m_code->setValue(defaultCode);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *action = buttons->addButton(actionText, QDialogButtonBox::AcceptRole);
    // Enter is not a yes: the destructive button must be chosen.
    buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
    action->setAutoDefault(false);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("Exit code:"), m_code);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addLayout(form);
    layout->addWidget(help);
    layout->addWidget(buttons);
    setMinimumWidth(380);
}

int ExitCodeDialog::exitCode() const
{
    return m_code->value();
}

void ExitCodeDialog::setExitCode(int code)
{
    m_code->setValue(code);
}
