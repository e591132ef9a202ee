// SPDX-License-Identifier: MIT
#include "scaledialog.h"

#include <QtWidgets/QFormLayout>
#include <QtWidgets/QSpinBox>

namespace {
constexpr int MaxInstances = 1000; // the master refuses more (docs/CLI.md, scale)

QString question(const QString &group, int current)
{
    return current >= 0 ? QStringLiteral("Group %1 is configured for %2 processes. How many should it have?").arg(group).arg(current)
                        : QStringLiteral("How many processes should group %1 have?").arg(group);
}
} // namespace

ScaleDialog::ScaleDialog(const QString &group, int current, QWidget *parent)
    // Not destructive by itself (the number is chosen): Enter scales.
    : ConfirmDialog(QStringLiteral("Scale group %1").arg(group), question(group, current), QStringLiteral("Scale"), parent, Default::Action)
    , m_group(group)
    , m_instances(new QSpinBox(this))
{
    setObjectName(QStringLiteral("scaleDialog"));
    m_instances->setObjectName(QStringLiteral("instances"));
    m_instances->setRange(0, MaxInstances);
    m_instances->setValue(std::max(0, current));
    auto *form = new QFormLayout;
    form->addRow(QStringLiteral("Processes:"), m_instances);
    addContent(form);
    addHelp(QStringLiteral("Up: new ones start like the group's spawn entry. Down: the highest instances stop "
                           "(their kill handler runs). A stopped group keeps the count for its next start."));
}

int ScaleDialog::instances() const
{
    return m_instances->value();
}

void ScaleDialog::setInstances(int instances)
{
    m_instances->setValue(instances);
}
