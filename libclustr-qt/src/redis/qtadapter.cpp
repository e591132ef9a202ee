// SPDX-License-Identifier: MIT
#include "qtadapter_p.h"

#include <hiredis/async.h>

namespace Clustr {

QtRedisAdapter *QtRedisAdapter::attach(redisAsyncContext *context)
{
    if (!context || context->ev.data)
        return nullptr; // hiredis allows one adapter per context
    auto *adapter = new QtRedisAdapter(context);
    context->ev.data = adapter;
    context->ev.addRead = &QtRedisAdapter::addRead;
    context->ev.delRead = &QtRedisAdapter::delRead;
    context->ev.addWrite = &QtRedisAdapter::addWrite;
    context->ev.delWrite = &QtRedisAdapter::delWrite;
    context->ev.cleanup = &QtRedisAdapter::cleanup;
    return adapter;
}

QtRedisAdapter::QtRedisAdapter(redisAsyncContext *context)
    : m_context(context)
    , m_readNotifier(context->c.fd, QSocketNotifier::Read, this)
    , m_writeNotifier(context->c.fd, QSocketNotifier::Write, this)
{
    m_readNotifier.setEnabled(false);
    m_writeNotifier.setEnabled(false);
    connect(&m_readNotifier, &QSocketNotifier::activated, this, &QtRedisAdapter::handleReadable);
    connect(&m_writeNotifier, &QSocketNotifier::activated, this, &QtRedisAdapter::handleWritable);
}

void QtRedisAdapter::addRead(void *self)
{
    static_cast<QtRedisAdapter *>(self)->m_readNotifier.setEnabled(true);
}

void QtRedisAdapter::delRead(void *self)
{
    static_cast<QtRedisAdapter *>(self)->m_readNotifier.setEnabled(false);
}

void QtRedisAdapter::addWrite(void *self)
{
    static_cast<QtRedisAdapter *>(self)->m_writeNotifier.setEnabled(true);
}

void QtRedisAdapter::delWrite(void *self)
{
    static_cast<QtRedisAdapter *>(self)->m_writeNotifier.setEnabled(false);
}

void QtRedisAdapter::cleanup(void *self)
{
    auto *adapter = static_cast<QtRedisAdapter *>(self);
    adapter->m_readNotifier.setEnabled(false);
    adapter->m_writeNotifier.setEnabled(false);
    adapter->m_context = nullptr;
    // Called from inside hiredis: deleting now would pull the notifier out
    // from under a running activation. A pending DeferredDelete is dropped
    // if the owner deletes us directly first.
    adapter->deleteLater();
    Q_EMIT adapter->detached();
}

void QtRedisAdapter::handleReadable()
{
    if (m_context)
        redisAsyncHandleRead(m_context);
}

void QtRedisAdapter::handleWritable()
{
    if (m_context)
        redisAsyncHandleWrite(m_context);
}

} // namespace Clustr
