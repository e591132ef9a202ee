// SPDX-License-Identifier: MIT
#pragma once

#include "actiontracker.h"

#include <QtCore/QByteArray>
#include <QtWidgets/QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QRadioButton;

/*
  Compose a message: to everybody (public), to a group, or to one process
  (private). The text is sent as JSON when it is valid JSON (an object,
  an array, a number, true/false/null, a quoted string) and as a plain
  string otherwise; the dialog says which before sending.
*/
class SendDialog : public QDialog
{
    Q_OBJECT
public:
    SendDialog(const QStringList &groups, const QString &group, qint64 pid, QWidget *parent = nullptr);

    ActionTracker::Target target() const;
    void setTarget(ActionTracker::Target target);
    QString group() const;
    void setGroup(const QString &group);
    qint64 pid() const;
    void setPid(qint64 pid);
    QString text() const;
    void setText(const QString &text);
    //! What will be sent (Clustr::jsonOrString()): the text as typed if it is JSON, else as a string.
    QByteArray dataJson() const;

private:
    void updateState();

    QRadioButton *m_public;
    QRadioButton *m_group;
    QRadioButton *m_private;
    QComboBox *m_groups;
    QLineEdit *m_pid;
    QPlainTextEdit *m_text;
    QLabel *m_hint;
    QPushButton *m_send;
};
