// SPDX-License-Identifier: MIT
#include "hostpicker.h"

HostPicker::HostPicker(QWidget *parent)
    : QComboBox(parent)
{
    setObjectName(QStringLiteral("hostPicker"));
    setSizeAdjustPolicy(QComboBox::AdjustToContents);
    setToolTip(QStringLiteral("The host of the cluster shown: each host has a master of its own"));
    // activated: people only; setHosts() changes the entries without a word.
    connect(this, &QComboBox::activated, this, [this](int index) {
        const QString host = hostAt(index);
        if (!host.isEmpty())
            Q_EMIT hostChosen(host);
    });
}

void HostPicker::setHosts(const QList<Clustr::ClusterHost> &hosts, const QString &current)
{
    clear();
    bool listed = false;
    for (const Clustr::ClusterHost &host : hosts) {
        addItem(host.lost ? QStringLiteral("%1 (lost)").arg(host.name) : host.name, host.name);
        listed = listed || host.name == current;
    }
    if (!current.isEmpty() && !listed)
        addItem(QStringLiteral("%1 (not listed)").arg(current), current);
    setCurrentIndex(findData(current));
}

QString HostPicker::hostAt(int index) const
{
    return itemData(index).toString();
}
