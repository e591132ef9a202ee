// SPDX-License-Identifier: MIT
#pragma once

#include "actiontracker.h"

#include <QtCore/QJsonValue>
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
    //! What will be sent: the text as JSON if it parses, else as a string.
    QJsonValue data() const;
    static QJsonValue parseData(const QString &text);

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
