// SPDX-License-Identifier: MIT
#pragma once

#include <QtWidgets/QDialog>

class QLayout;
class QVBoxLayout;

/*
  A question with Cancel and one action button: "Are you sure?" before an
  operation that takes processes down (stopping a group, restarting the
  whole cluster), and the base of the dialogs that also ask for a value
  (ExitCodeDialog, ScaleDialog). For a destructive action Cancel is the
  default button: Enter is not a yes.
*/
class ConfirmDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Default { Cancel, Action };

    ConfirmDialog(const QString &title, const QString &question, const QString &actionText, QWidget *parent = nullptr,
                  Default defaultButton = Default::Cancel);

protected:
    //! Adds what a derived dialog asks for, between the question and the buttons.
    void addContent(QLayout *layout);
    //! A greyed note below the content.
    void addHelp(const QString &text);

private:
    QVBoxLayout *m_content;
};
