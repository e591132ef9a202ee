// SPDX-License-Identifier: MIT
#include "updateplandialog.h"

#include <QtGui/QFontDatabase>
#include <QtWidgets/QPlainTextEdit>
#include <QtWidgets/QVBoxLayout>

#include <algorithm>

UpdatePlanDialog::UpdatePlanDialog(const QStringList &plan, QWidget *parent)
    : ConfirmDialog(QStringLiteral("Update from the cluster file"),
                    QStringLiteral("The master read the cluster file again. Apply what changed? Groups marked keep are "
                                   "left alone."),
                    QStringLiteral("Apply"), parent)
    , m_plan(plan)
{
    setObjectName(QStringLiteral("updatePlanDialog"));
    auto *lines = new QPlainTextEdit(plan.join(QLatin1Char('\n')), this);
    lines->setObjectName(QStringLiteral("plan"));
    lines->setReadOnly(true);
    lines->setLineWrapMode(QPlainTextEdit::NoWrap);
    lines->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // As many lines as the plan has, up to a dozen; more scroll.
    const int rows = int(std::min<qsizetype>(plan.size(), 12)) + 1;
    lines->setFixedHeight(lines->fontMetrics().lineSpacing() * rows + 2 * lines->frameWidth() + 8);
    auto *layout = new QVBoxLayout;
    layout->addWidget(lines);
    addContent(layout);
    addHelp(QStringLiteral("Changed groups are replaced one by one like a restart (all at once when their processes "
                           "do not register); removed groups are stopped. The file's other settings apply when "
                           "the daemon starts again."));
    setMinimumWidth(560);
}
