#pragma once
// Text measured and cut in terminal columns, as pure functions: what the
// layout uses so a line is exactly as wide as the screen, whatever the task
// names hold (wide characters, combining marks, control characters).

#include <QString>

namespace dfm::tui {

/// Columns `c` takes on a terminal: 0 for combining marks and zero-width
/// characters, 2 for East Asian wide characters and emoji, 1 otherwise.
int charWidth(char32_t c);

/// Columns `s` takes (after printable()).
int displayWidth(const QString &s);

/// `s` safe to send to a terminal: control characters (escape sequences,
/// tabs, newlines) become '?'; with `asciiOnly` (a terminal without UTF-8),
/// so does every non-ASCII character.
QString printable(const QString &s, bool asciiOnly = false);

/// printable(s) cut to at most `width` columns, ending in an ellipsis ("…",
/// or "~" when asciiOnly) when it had to be cut. Empty for width <= 0.
QString elide(const QString &s, int width, bool asciiOnly = false);

/// elide(s) padded with spaces to exactly `width` columns, on the left when
/// `alignRight`.
QString cell(const QString &s, int width, bool alignRight = false, bool asciiOnly = false);

/// Elapsed time as a clock: "0:07", "12:34", "1:02:03", "2d 01:02:03".
QString clock(qint64 ms);

} // namespace dfm::tui
