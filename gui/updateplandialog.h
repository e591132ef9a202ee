// SPDX-License-Identifier: MIT
#pragma once

#include "confirmdialog.h"

#include <QtCore/QStringList>

/*
  The plan of an update from the cluster file (the master's answer to a
  dry run), one line per group, and the question whether to apply it.
  Applying takes processes down (removed groups, rolled ones): Cancel is
  the default button.
*/
class UpdatePlanDialog : public ConfirmDialog
{
    Q_OBJECT
public:
    explicit UpdatePlanDialog(const QStringList &plan, QWidget *parent = nullptr);

    QStringList plan() const { return m_plan; }

private:
    QStringList m_plan;
};
