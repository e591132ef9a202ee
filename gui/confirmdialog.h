// SPDX-License-Identifier: MIT
#pragma once

#include <QtWidgets/QDialog>

/*
  "Are you sure?" for an operation that takes processes down (stopping a
  group, restarting the whole cluster), with no value to choose. Like
  ExitCodeDialog, Cancel is the default button: Enter is not a yes.
*/
class ConfirmDialog : public QDialog
{
    Q_OBJECT
public:
    ConfirmDialog(const QString &title, const QString &question, const QString &actionText, QWidget *parent = nullptr);
};
