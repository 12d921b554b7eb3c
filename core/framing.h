#pragma once
// Line framing for both sockets: UTF-8 JSON objects, one per '\n'-terminated
// line. A reader accumulates partial reads and hands out whole lines; a line
// longer than the cap is an error, so a peer cannot make us buffer without
// bound.

#include <QByteArray>

namespace dfm {

/// Default cap on one line: task bodies and environments fit easily.
inline constexpr qsizetype kMaxLineBytes = 8 * 1024 * 1024;

class LineReader {
public:
    explicit LineReader(qsizetype maxLine = kMaxLineBytes) : m_maxLine(maxLine) {}

    /// Appends received bytes. Returns false once the pending (unterminated)
    /// line exceeds the cap; the reader is then in the overflow state and the
    /// connection should be closed.
    bool append(const QByteArray &bytes);

    /// Takes the next complete line (without '\n', '\r' trimmed) into *line.
    /// Blank lines are skipped. Returns false when no complete line is buffered.
    bool next(QByteArray *line);

    /// Changes the cap; what is already buffered is held to the new one
    /// (false, and the overflow state, when the unterminated tail is over it).
    bool setMaxLine(qsizetype maxLine);
    qsizetype maxLine() const { return m_maxLine; }
    /// Forgets everything buffered and the overflow state.
    void clear();

    bool overflowed() const { return m_overflow; }
    qsizetype buffered() const { return m_buf.size() - m_pos; }

private:
    QByteArray m_buf;
    qsizetype m_pos = 0;     /* start of the first unconsumed byte */
    qsizetype m_scanned = 0; /* bytes after m_pos already known to hold no '\n' */
    qsizetype m_maxLine;
    bool m_overflow = false;
};

} // namespace dfm
