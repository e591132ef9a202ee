// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/message.h>
#include <ClustrQt/stats.h>

#include <QtCore/QJsonValue>
#include <QtCore/QVariantMap>
#include <QtQml/QJSValue>

#include <optional>

/*
  The library's values as QML sees them: plain JavaScript objects (a
  QVariantMap arrives in QML as one), so a handler reads `message.data.text`
  or `worker.stats.onPublic` without any type of ours being registered.
*/
namespace JsValues {

//! {kind, pid, group, channel, data, dataJson}: data as JavaScript values, dataJson as the sender wrote it.
QVariantMap message(const Clustr::Message &message);
//! Every counter of Stats by its property name (onPublic, emitGroup, ...).
QVariantMap stats(const Clustr::Stats &stats);
//! {group: [pid, ...], ...}
QVariantMap clusterInfo(const Clustr::ClusterInfo &info);

/*!
  What a QML caller passed as a message's data, as JSON. undefined, a
  function or a value JSON cannot hold (NaN, Infinity) gives nothing, and
  \a error says why: a message is never sent with data its sender did not mean.
*/
std::optional<QJsonValue> toJson(const QJSValue &value, QString *error);

} // namespace JsValues
