// SPDX-License-Identifier: MIT
#pragma once

#include <QtWidgets/QWidget>

class ClusterMonitor;
class QLabel;

/*
  What the window shows while there is no cluster to show: what it is
  looking for and where, why it may not find it, and how to start one.
  It disappears by itself once a cluster announces itself.
*/
class EmptyStateWidget : public QWidget
{
    Q_OBJECT
public:
    explicit EmptyStateWidget(QWidget *parent = nullptr);

    void update(const ClusterMonitor &monitor);
    QString text() const;

Q_SIGNALS:
    void settingsRequested();

private:
    QLabel *m_title;
    QLabel *m_body;
    QLabel *m_where;
};
