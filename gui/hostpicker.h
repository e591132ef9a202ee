// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/clusterstatus.h>

#include <QtWidgets/QComboBox>

/*
  The hosts of a cluster across hosts (docs/MULTI-HOST.md), one of which the
  window shows: each by name, a lost one (listed, its master's announcement
  expired) marked so. Choosing one asks for it; the list and the current
  entry follow the monitor, never the other way round.
*/
class HostPicker : public QComboBox
{
    Q_OBJECT
public:
    explicit HostPicker(QWidget *parent = nullptr);

    //! Lists \a hosts with \a current selected (added, marked unknown, if it is not among them).
    void setHosts(const QList<Clustr::ClusterHost> &hosts, const QString &current);
    //! The host of entry \a index (the text without its mark).
    QString hostAt(int index) const;

Q_SIGNALS:
    //! People chose \a host (not emitted by setHosts()).
    void hostChosen(const QString &host);
};
