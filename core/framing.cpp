#include "framing.h"

namespace dfm {

namespace {

bool isBlank(const QByteArray &line)
{
    for (const char c : line)
        if (!(c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'))
            return false;
    return true;
}

} // namespace

bool LineReader::append(const QByteArray &bytes)
{
    if (m_overflow)
        return false;
    // All read: the buffer goes, capacity and all (a burst of input must
    // not stay allocated), and the new bytes are shared, not copied.
    // Otherwise compact lazily: drop consumed bytes once they dominate.
    if (m_pos > 0 && m_pos == m_buf.size()) {
        m_buf.clear();
        m_pos = 0;
        m_scanned = 0;
    } else if (m_pos > 0 && m_pos * 2 >= m_buf.size()) {
        m_buf.remove(0, m_pos);
        m_pos = 0;
    }
    const qsizetype oldSize = m_buf.size();
    m_buf.append(bytes);
    // The unterminated tail is what counts against the cap. Found without
    // scanning the whole buffer again on every read: a long line arriving in
    // many reads cost time quadratic in its length (seconds for 8 MiB).
    qsizetype tail = 0;
    const qsizetype nlNew = bytes.lastIndexOf('\n');
    if (nlNew >= 0) {
        tail = bytes.size() - nlNew - 1;
    } else if (m_pos + m_scanned >= oldSize) {
        tail = m_buf.size() - m_pos; // next() found no '\n' in what was buffered
    } else {
        const qsizetype lastNl = oldSize > 0 ? m_buf.lastIndexOf('\n', oldSize - 1) : -1;
        tail = lastNl < m_pos ? m_buf.size() - m_pos : m_buf.size() - lastNl - 1;
    }
    if (tail > m_maxLine) {
        m_overflow = true;
        return false;
    }
    return true;
}

bool LineReader::setMaxLine(qsizetype maxLine)
{
    m_maxLine = maxLine;
    return append(QByteArray());
}

void LineReader::clear()
{
    m_buf.clear();
    m_pos = 0;
    m_scanned = 0;
    m_overflow = false;
}

bool LineReader::next(QByteArray *line)
{
    while (true) {
        qsizetype nl = m_buf.indexOf('\n', m_pos + m_scanned);
        if (nl < 0) {
            m_scanned = m_buf.size() - m_pos;
            return false;
        }
        qsizetype end = nl;
        if (end > m_pos && m_buf.at(end - 1) == '\r')
            --end;
        QByteArray l = m_buf.mid(m_pos, end - m_pos);
        m_pos = nl + 1;
        m_scanned = 0;
        if (l.size() > m_maxLine) {
            m_overflow = true;
            return false;
        }
        if (isBlank(l)) // not trimmed(): that copies every line once more
            continue;
        *line = l;
        return true;
    }
}

} // namespace dfm
