#include "screentext.h"

#include <QVector>

namespace dfm::tui {

namespace {

// The ranges of East Asian Wide/Fullwidth characters and emoji presentation
// that terminals draw two columns wide (Unicode 15, coarsened to blocks).
constexpr char32_t kWide[][2] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
    {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
    {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
    {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251}, {0x1F300, 0x1F64F},
    {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF},
    {0x20000, 0x3FFFD},
};

bool isZeroWidth(char32_t c)
{
    if (c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF
        || (c >= 0xFE00 && c <= 0xFE0F))
        return true;
    switch (QChar::category(c)) {
    case QChar::Mark_NonSpacing:
    case QChar::Mark_Enclosing:
        return true;
    default:
        return false;
    }
}

bool isControl(char32_t c)
{
    return c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0x2028 || c == 0x2029;
}

/// True when every character is printable ASCII: one column each, nothing
/// to replace (task names nearly always; the layout's fast path).
bool plainAscii(const QString &s)
{
    for (QChar c : s)
        if (c.unicode() < 0x20 || c.unicode() > 0x7E)
            return false;
    return true;
}

QString ellipsis(bool asciiOnly) { return asciiOnly ? QStringLiteral("~") : QStringLiteral("\u2026"); }

} // namespace

int charWidth(char32_t c)
{
    if (c < 0x300)
        return 1;
    if (isZeroWidth(c))
        return 0;
    for (const auto &r : kWide) {
        if (c < r[0])
            break;
        if (c <= r[1])
            return 2;
    }
    return 1;
}

QString printable(const QString &s, bool asciiOnly)
{
    if (plainAscii(s))
        return s;
    QString out;
    out.reserve(s.size());
    for (char32_t c : s.toUcs4()) {
        if (isControl(c) || (asciiOnly && c > 0x7E) || c > 0x10FFFF)
            out += QLatin1Char('?');
        else
            out += QString::fromUcs4(&c, 1);
    }
    return out;
}

int displayWidth(const QString &s)
{
    if (plainAscii(s))
        return int(s.size());
    int w = 0;
    for (char32_t c : printable(s).toUcs4())
        w += charWidth(c);
    return w;
}

QString elide(const QString &s, int width, bool asciiOnly)
{
    if (width <= 0)
        return {};
    if (plainAscii(s))
        return s.size() <= width ? s : s.left(width - 1) + ellipsis(asciiOnly);
    const QString p = printable(s, asciiOnly);
    const QVector<uint> chars = p.toUcs4();
    int total = 0;
    for (char32_t c : chars)
        total += charWidth(c);
    if (total <= width)
        return p;
    // Keep what fits in width - 1 columns, then the one-column ellipsis.
    QString out;
    int used = 0;
    for (char32_t c : chars) {
        const int w = charWidth(c);
        if (used + w > width - 1)
            break;
        out += QString::fromUcs4(&c, 1);
        used += w;
    }
    return out + ellipsis(asciiOnly);
}

QString cell(const QString &s, int width, bool alignRight, bool asciiOnly)
{
    const QString e = elide(s, width, asciiOnly);
    const QString pad(qMax(0, width - displayWidth(e)), QLatin1Char(' '));
    return alignRight ? pad + e : e + pad;
}

QString clock(qint64 ms)
{
    const qint64 s = qMax<qint64>(0, ms) / 1000;
    const qint64 d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60, sec = s % 60;
    auto two = [](qint64 v) { return QStringLiteral("%1").arg(v, 2, 10, QLatin1Char('0')); };
    if (d > 0)
        return QStringLiteral("%1d %2:%3:%4").arg(d).arg(two(h), two(m), two(sec));
    if (h > 0)
        return QStringLiteral("%1:%2:%3").arg(h).arg(two(m), two(sec));
    return QStringLiteral("%1:%2").arg(m).arg(two(sec));
}

} // namespace dfm::tui
