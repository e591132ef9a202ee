// SPDX-License-Identifier: MIT
#include "exitcodedialog.h"

#include <QtWidgets/QFormLayout>
#include <QtWidgets/QSpinBox>

ExitCodeDialog::ExitCodeDialog(const QString &title, const QString &question, const QString &codeHelp, int defaultCode,
                               const QString &actionText, QWidget *parent)
    : ConfirmDialog(title, question, actionText, parent)
    , m_code(new QSpinBox(this))
{
    setObjectName(QStringLiteral("exitCodeDialog"));
    m_code->setObjectName(QStringLiteral("exitCode"));
    m_code->setRange(0, 255);
    m_code->setValue(defaultCode);
    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("Exit code:"), m_code);
    addContent(form);
    addHelp(codeHelp);
}

int ExitCodeDialog::exitCode() const
{
    return m_code->value();
}

void ExitCodeDialog::setExitCode(int code)
{
    m_code->setValue(code);
}
