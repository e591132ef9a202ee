// SPDX-License-Identifier: MIT
#include "hostlookup_p.h"

#include <QtCore/QObject>

#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

namespace Clustr::HostLookup {

namespace {

// What the lookup thread and the receiving side share. The thread may
// outlive the receiver: it posts only while `receiver` is set, and the
// receiver clears it (under the lock) before it dies. Qt drops the events
// already posted to an object when it is destroyed.
struct Delivery
{
    std::mutex mutex;
    QObject *receiver = nullptr;
};

// Lives on the context's thread as its child, so it dies with the context.
class Receiver : public QObject
{
public:
    Receiver(std::shared_ptr<Delivery> delivery, QObject *context)
        : QObject(context), m_delivery(std::move(delivery))
    {
        m_delivery->receiver = this;
    }
    ~Receiver() override
    {
        const std::lock_guard<std::mutex> lock(m_delivery->mutex);
        m_delivery->receiver = nullptr;
    }

private:
    std::shared_ptr<Delivery> m_delivery;
};

QByteArrayList addressesOf(const QByteArray &host, QString *error)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo *found = nullptr;
    const int rc = getaddrinfo(host.constData(), nullptr, &hints, &found);
    if (rc != 0) {
        *error = QString::fromLocal8Bit(gai_strerror(rc));
        return {};
    }
    QByteArrayList addresses;
    for (const addrinfo *entry = found; entry; entry = entry->ai_next) {
        char text[INET6_ADDRSTRLEN] = {};
        const void *address = nullptr;
        if (entry->ai_family == AF_INET6)
            address = &reinterpret_cast<const sockaddr_in6 *>(entry->ai_addr)->sin6_addr;
        else if (entry->ai_family == AF_INET)
            address = &reinterpret_cast<const sockaddr_in *>(entry->ai_addr)->sin_addr;
        if (address && inet_ntop(entry->ai_family, address, text, sizeof text) && !addresses.contains(text))
            addresses.append(QByteArray(text));
    }
    freeaddrinfo(found);
    if (addresses.isEmpty())
        *error = QStringLiteral("no IPv4 or IPv6 address");
    return addresses;
}

} // namespace

bool isAddress(const QString &host)
{
    // toUtf8(), not toLatin1(): the same bytes for an address, and its ASCII
    // path needs none of the conversion tables toLatin1() reads.
    const QByteArray text = host.toUtf8();
    unsigned char buffer[sizeof(in6_addr)];
    return inet_pton(AF_INET, text.constData(), buffer) == 1 || inet_pton(AF_INET6, text.constData(), buffer) == 1;
}

void lookup(const QString &host, QObject *context, Callback callback)
{
    auto delivery = std::make_shared<Delivery>();
    auto *receiver = new Receiver(delivery, context);
    try {
        std::thread([delivery, receiver, name = host.toUtf8(), callback]() mutable {
            QString error;
            const QByteArrayList addresses = addressesOf(name, &error);
            const std::lock_guard<std::mutex> lock(delivery->mutex);
            if (!delivery->receiver)
                return; // the context is gone: nobody to tell
            QMetaObject::invokeMethod(receiver, [receiver, addresses, error, callback = std::move(callback)] {
                receiver->deleteLater();
                callback(addresses, error);
            }, Qt::QueuedConnection);
        }).detach();
    } catch (const std::system_error &e) {
        // No thread to be had (resource limits): fail this attempt, the
        // client retries later like after any other connection failure.
        QMetaObject::invokeMethod(receiver, [receiver, reason = QString::fromLocal8Bit(e.what()), callback] {
            receiver->deleteLater();
            callback(QByteArrayList(), QStringLiteral("cannot start a resolver thread: %1").arg(reason));
        }, Qt::QueuedConnection);
    }
}

} // namespace Clustr::HostLookup
