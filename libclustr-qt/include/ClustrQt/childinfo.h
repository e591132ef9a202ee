// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

#include <QtCore/QDateTime>
#include <QtCore/QJsonObject>
#include <QtCore/QMetaType>
#include <QtCore/QStringList>

namespace Clustr {

//! A snapshot of one child a process spawned and supervises.
struct CLUSTR_EXPORT ChildInfo
{
    qint64 pid = 0;          //!< 0 while it is not running
    QString group;           //!< the spec's group, else the file's name
    QString file;
    QString cpu;
    QString state;           //!< starting, running, backing off, stopping, stopped, failed
    int restarts = 0;
    QDateTime startedAt;
    bool registers = true;
    bool respawn = true;
    QStringList commandLine;
    QString error;           //!< why it failed, if it did

    QJsonObject toJson() const;
};

} // namespace Clustr

Q_DECLARE_METATYPE(Clustr::ChildInfo)
