// SPDX-License-Identifier: MIT
#pragma once

#include "confirmdialog.h"

class QSpinBox;

/*
  "Are you sure?" for the two destructive actions, killing a process and
  stopping the cluster, with the exit code to use. Opened with open(), so
  the window keeps updating while it asks.
*/
class ExitCodeDialog : public ConfirmDialog
{
    Q_OBJECT
public:
    ExitCodeDialog(const QString &title, const QString &question, const QString &codeHelp, int defaultCode,
                   const QString &actionText, QWidget *parent = nullptr);

    int exitCode() const;
    void setExitCode(int code);

private:
    QSpinBox *m_code;
};
