// SPDX-License-Identifier: MIT
// libFuzzer target: the typed records (Protocol::Records) that a master, the
// CLI and the GUI read from Redis: heartbeats, the announcement, the status
// snapshot, events, control commands, the runtime record and the lock value.
// Every input is read as each of them.
//
// Besides crashes and sanitizer reports it checks that what a reader accepts
// its writer writes back into a record the reader accepts again, and that
// writing that one gives the same JSON: nothing a peer sends can make a
// process publish a record that its own peers refuse.
#include "fuzzcheck.h"

#include "protocol/records_p.h"

#include <cstddef>
#include <cstdint>

using Clustr::Protocol::Records;

namespace {

// Reads \a object with \a read; if accepted, checks the write-read-write cycle.
template<typename Read, typename Write>
void roundTrip(const QJsonObject &object, Read read, Write write)
{
    QString error;
    const auto record = read(object, &error);
    if (!record) {
        FUZZ_CHECK(!error.isEmpty());
        return;
    }
    const QJsonObject written = write(*record);
    QString againError;
    const auto again = read(written, &againError);
    if (!again)
        std::fprintf(stderr, "%s\n-> %s\nrefused: %s\n", Records::toBytes(object).constData(),
                     Records::toBytes(written).constData(), qPrintable(againError));
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(Records::toBytes(write(*again)) == Records::toBytes(written));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    if (const auto owner = Records::lockOwner(bytes)) {
        FUZZ_CHECK(owner->pid > 0);
        const auto again = Records::lockOwner(Records::lockValue(*owner));
        FUZZ_CHECK(again && again->pid == owner->pid && again->host == owner->host);
    }

    QString error;
    const auto object = Records::objectFromBytes(bytes, &error);
    if (!object) {
        FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    using Form = Records::ChildForm;
    roundTrip(*object, [](const QJsonValue &v, QString *e) { return Records::childInfo(v, e); },
              [](const Clustr::ChildInfo &c) { return Records::toJson(c, Form::Full); });
    roundTrip(*object, [](const QJsonValue &v, QString *e) { return Records::childInfo(v, e); },
              [](const Clustr::ChildInfo &c) { return Records::toJson(c, Form::Heartbeat); });
    roundTrip(*object, [](const QJsonValue &v, QString *e) { return Records::heartbeat(v, e); },
              [](const Clustr::Heartbeat &h) { return Records::toJson(h); });
    roundTrip(*object, [](const QJsonValue &v, QString *e) { return Records::masterInfo(v, e); },
              [](const Clustr::MasterInfo &m) { return Records::toJson(m); });
    roundTrip(*object, [](const QJsonValue &v, QString *e) { return Records::processStatus(v, e); },
              [](const Clustr::ProcessStatus &p) { return Records::toJson(p); });
    roundTrip(*object, [](const QJsonValue &v, QString *e) { return Records::clusterStatus(v, e); },
              [](const Clustr::ClusterStatus &s) { return Records::toJson(s); });
    roundTrip(*object, [](const QJsonValue &v, QString *e) { return Records::clusterEvent(v, e); },
              [](const Clustr::ClusterEvent &c) { return Records::toJson(c); });
    roundTrip(*object, [](const QJsonValue &v, QString *e) { return Records::controlCommand(v, e); },
              [](const Clustr::Protocol::ControlCommand &c) { return Records::toJson(c); });
    roundTrip(*object, [](const QJsonValue &v, QString *e) { return Records::runtimeRecord(v, e); },
              [](const Clustr::Protocol::RuntimeRecord &r) { return Records::toJson(r); });
    return 0;
}
