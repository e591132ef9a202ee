// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QtGlobal>

#include <algorithm>
#include <vector>

/*
  A fixed-capacity FIFO: append at the back, drop from the front, O(1)
  random access by position (0 = oldest). The memory is allocated as it
  fills, never beyond the capacity: the message log's bound.
*/
template<typename T>
class RingBuffer
{
public:
    explicit RingBuffer(qsizetype capacity = 1) : m_capacity(std::max<qsizetype>(1, capacity)) {}

    qsizetype capacity() const { return m_capacity; }
    qsizetype size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    bool isFull() const { return m_size == m_capacity; }

    //! Position 0 is the oldest element.
    const T &at(qsizetype position) const { return m_items[physical(position)]; }
    T &operator[](qsizetype position) { return m_items[physical(position)]; }
    const T &last() const { return at(m_size - 1); }

    //! Appends \a item; a full buffer must be made room in first (dropFront).
    void append(T item)
    {
        Q_ASSERT(!isFull());
        const qsizetype n = qsizetype(m_items.size());
        const qsizetype slot = m_head + m_size;
        if (slot == n && n < m_capacity)
            m_items.push_back(std::move(item)); // still growing towards the capacity
        else
            m_items[size_t(slot < n ? slot : slot - n)] = std::move(item);
        ++m_size;
    }

    //! Drops the \a count oldest elements.
    void dropFront(qsizetype count)
    {
        count = std::min(count, m_size);
        for (qsizetype i = 0; i < count; ++i)
            m_items[physical(i)] = T(); // release what they hold now, not when overwritten
        m_size -= count;
        m_head = m_size == 0 || m_items.empty() ? 0 : (m_head + count) % qsizetype(m_items.size());
    }

    void clear()
    {
        m_items.clear();
        m_head = 0;
        m_size = 0;
    }

    //! A new capacity; keeps the newest elements that fit.
    void setCapacity(qsizetype capacity)
    {
        capacity = std::max<qsizetype>(1, capacity);
        std::vector<T> items;
        items.reserve(size_t(std::min(capacity, m_size)));
        for (qsizetype i = std::max<qsizetype>(0, m_size - capacity); i < m_size; ++i)
            items.push_back(std::move(m_items[physical(i)]));
        m_items = std::move(items);
        m_capacity = capacity;
        m_head = 0;
        m_size = qsizetype(m_items.size());
    }

private:
    size_t physical(qsizetype position) const
    {
        const qsizetype n = qsizetype(m_items.size());
        const qsizetype p = m_head + position;
        return size_t(p < n ? p : p - n);
    }

    std::vector<T> m_items;
    qsizetype m_capacity;
    qsizetype m_head = 0;
    qsizetype m_size = 0;
};
