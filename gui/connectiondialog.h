// SPDX-License-Identifier: MIT
#pragma once

#include "connectionsettings.h"

#include <QtWidgets/QDialog>

class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;

/*
  Where to find the cluster: its name, and Redis either found like the
  CLI finds it (showing what that finds right now) or given by hand (a URL
  checked as it is typed, as everywhere else a URL is given).
*/
class ConnectionDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ConnectionDialog(const ConnectionSettings &settings, QWidget *parent = nullptr);

    ConnectionSettings settings() const;

private:
    void updateDiscovery();
    void checkUrl();

    QLineEdit *m_name;
    QRadioButton *m_automatic;
    QRadioButton *m_manual;
    QLineEdit *m_url;
    QLabel *m_urlError;
    QLabel *m_found;
    QPushButton *m_connect = nullptr;
};
