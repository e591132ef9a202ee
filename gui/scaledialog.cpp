// SPDX-License-Identifier: MIT
#include "scaledialog.h"

#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QSpinBox>
#include <QtWidgets/QVBoxLayout>

namespace {
constexpr int MaxInstances = 1000; // the master refuses more (docs/CLI.md, scale)
}

ScaleDialog::ScaleDialog(const QString &group, int current, QWidget *parent)
    : QDialog(parent)
    , m_group(group)
    , m_instances(new QSpinBox(this))
{
    setWindowTitle(QStringLiteral("Scale group %1").arg(group));
    setObjectName(QStringLiteral("scaleDialog"));
    auto *text = new QLabel(current >= 0 ? QStringLiteral("Group %1 is configured for %2 processes. How many should it have?").arg(group).arg(current)
                                         : QStringLiteral("How many processes should group %1 have?").arg(group),
                            this);
    text->setWordWrap(true);
    auto *help = new QLabel(QStringLiteral("Up: new ones start like the group's spawn entry. Down: the highest instances stop "
                                           "(their kill handler runs). A stopped group keeps the count for its next start."),
                            this);
    help->setWordWrap(true);
    help->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_instances->setObjectName(QStringLiteral("instances"));
    m_instances->setRange(0, MaxInstances);
    m_instances->setValue(std::max(0, current));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    buttons->addButton(QStringLiteral("Scale"), QDialogButtonBox::AcceptRole)->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("Processes:"), m_instances);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addLayout(form);
    layout->addWidget(help);
    layout->addWidget(buttons);
    setMinimumWidth(380);
}

int ScaleDialog::instances() const
{
    return m_instances->value();
}

void ScaleDialog::setInstances(int instances)
{
    m_instances->setValue(instances);
}
