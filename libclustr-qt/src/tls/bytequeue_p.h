// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>

namespace Clustr::Tls {

/*!
  Bytes on their way through a tunnel: appended at the back, consumed from
  the front by partial writes without moving the rest each time.
*/
class ByteQueue
{
public:
    bool isEmpty() const { return m_head == m_bytes.size(); }
    qsizetype size() const { return m_bytes.size() - m_head; }
    const char *data() const { return m_bytes.constData() + m_head; }

    void append(const char *bytes, qsizetype count) { m_bytes.append(bytes, count); }

    void consume(qsizetype count)
    {
        m_head += count;
        if (m_head == m_bytes.size()) {
            clear(); // the common case: everything written at once; an idle tunnel holds no buffer
        } else if (m_head >= 64 * 1024 && m_head >= m_bytes.size() / 2) {
            m_bytes.remove(0, m_head);
            m_head = 0;
        }
    }

    void clear()
    {
        m_bytes.clear();
        m_head = 0;
    }

private:
    QByteArray m_bytes;
    qsizetype m_head = 0;
};

} // namespace Clustr::Tls
