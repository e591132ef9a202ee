// SPDX-License-Identifier: MIT
#pragma once

#include "confirmdialog.h"

class QSpinBox;

/*
  How many processes a group should have: a spin box from 0 to 1000
  (what the master takes), preselected with the group's configured count.
*/
class ScaleDialog : public ConfirmDialog
{
    Q_OBJECT
public:
    //! \a current: the configured count (ClusterStatus::groupInstances()); -1 when not known.
    ScaleDialog(const QString &group, int current, QWidget *parent = nullptr);

    QString group() const { return m_group; }
    int instances() const;
    void setInstances(int instances);

private:
    QString m_group;
    QSpinBox *m_instances;
};
