#include "jsonscan.h"

#include <QVarLengthArray>

#include <charconv>
#include <cmath>
#include <cstring>

namespace dfm::proto {

namespace {

const char *skipSpace(const char *p, const char *end)
{
    while (p != end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        ++p;
    return p;
}

// Nesting deeper than this is declined (the caller encodes instead), so the
// recursion below stays small.
constexpr int kMaxDepth = 256;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isHex(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// p at the lead byte (>= 0x80) of a UTF-8 sequence: past it, or nullptr
// when it is not well-formed UTF-8 (an overlong form, a surrogate, past
// U+10FFFF, a stray byte), which Qt's parser refuses.
const char *skipUtf8(const char *p, const char *end)
{
    const unsigned char c = static_cast<unsigned char>(*p);
    int more = 0;
    unsigned char lo = 0x80, hi = 0xBF; // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        more = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        more = 2;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        more = 3;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return nullptr;
    }
    if (end - p <= more)
        return nullptr;
    const auto b = [p](int i) { return static_cast<unsigned char>(p[i]); };
    if (b(1) < lo || b(1) > hi)
        return nullptr;
    for (int i = 2; i <= more; ++i)
        if (b(i) < 0x80 || b(i) > 0xBF)
            return nullptr;
    return p + more + 1;
}

// The bytes skipString() must look at: '"', '\\', controls and non-ASCII.
struct SpecialBytes {
    bool is[256] = {};
    constexpr SpecialBytes()
    {
        for (int c = 0; c < 256; ++c)
            is[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
    }
};
constexpr SpecialBytes kSpecial;

// p at an opening quote: past the closing one, or nullptr. *escaped says
// whether a backslash was seen. Strict: Qt's parser also takes a raw
// control character or an unknown escape ("\x"), which must not reach a
// worker as they came; and it refuses malformed UTF-8, which must not
// reach one either.
const char *skipString(const char *p, const char *end, bool *escaped)
{
    *escaped = false;
    for (++p; p != end; ++p) {
        while (!kSpecial.is[static_cast<unsigned char>(*p)] && ++p != end) {
        }
        if (p == end)
            return nullptr;
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c == '"')
            return p + 1;
        if (c < 0x20)
            return nullptr;
        if (c >= 0x80) {
            if (!(p = skipUtf8(p, end)))
                return nullptr;
            --p; // the loop steps past the sequence's last byte
            continue;
        }
        if (c != '\\')
            continue;
        *escaped = true;
        if (++p == end)
            return nullptr;
        switch (*p) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            break;
        case 'u':
            if (end - p < 5 || !isHex(p[1]) || !isHex(p[2]) || !isHex(p[3]) || !isHex(p[4]))
                return nullptr;
            p += 4;
            break;
        default:
            return nullptr;
        }
    }
    return nullptr;
}

// A number as JSON writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
// (Qt's parser also takes "1."). One whose value does not fit a double is
// declined, as Qt's parser refuses it (1e999, and 1e-999: not zero, but
// read as zero); so is one read as a denormal, which Qt takes, to be safe.
const char *skipNumber(const char *p, const char *end)
{
    const char *start = p;
    if (p != end && *p == '-')
        ++p;
    if (p == end || !isDigit(*p))
        return nullptr;
    if (*p == '0')
        ++p;
    else
        while (p != end && isDigit(*p))
            ++p;
    if (p != end && *p == '.') {
        if (++p == end || !isDigit(*p))
            return nullptr;
        while (p != end && isDigit(*p))
            ++p;
    }
    bool exponent = false;
    if (p != end && (*p == 'e' || *p == 'E')) {
        exponent = true;
        if (++p != end && (*p == '+' || *p == '-'))
            ++p;
        if (p == end || !isDigit(*p))
            return nullptr;
        while (p != end && isDigit(*p))
            ++p;
    }
    if (!exponent && p - start <= 300)
        return p; // at most 300 digits: within a double's range either way
    double d = 0;
    const auto [last, ec] = std::from_chars(start, p, d);
    if (ec != std::errc() || last != p || !std::isfinite(d))
        return nullptr;
    return p;
}

const char *skipWord(const char *p, const char *end, const char *word, qsizetype n)
{
    return end - p >= n && memcmp(p, word, size_t(n)) == 0 ? p + n : nullptr;
}

const char *skipValue(const char *p, const char *end, int depth);

bool sameKey(QByteArrayView raw, QLatin1String key)
{
    return raw.size() == key.size() && memcmp(raw.constData(), key.data(), size_t(key.size())) == 0;
}

struct AcceptAll {
    bool operator()(const JsonMember &) const { return true; }
};

// p at '{' or '[': past the closing bracket, or nullptr when the container
// is not strict JSON. An object's members are handed to f, which may stop
// the walk by returning false. nestedKey, when set, names a member whose
// value, if an object, is walked in the same pass with its members handed
// to `nested`.
template <typename F, typename G = AcceptAll>
const char *walkContainer(const char *p, const char *end, int depth, F f, QLatin1String nestedKey = {},
                          G nested = {})
{
    const char close = *p == '{' ? '}' : ']';
    p = skipSpace(p + 1, end);
    if (p != end && *p == close)
        return p + 1;
    while (p != end) {
        JsonMember m;
        if (close == '}') {
            const char *k = p;
            if (*p != '"' || !(p = skipString(p, end, &m.escapedKey)))
                return nullptr;
            m.key = QByteArrayView(k + 1, p - k - 2);
            p = skipSpace(p, end);
            if (p == end || *p != ':')
                return nullptr;
            p = skipSpace(p + 1, end);
        }
        const char *v = p;
        if (close == '}' && p != end && *p == '{' && nestedKey.size() && !m.escapedKey && sameKey(m.key, nestedKey))
            p = depth + 1 > kMaxDepth ? nullptr : walkContainer(p, end, depth + 1, nested);
        else
            p = skipValue(p, end, depth + 1);
        if (!p)
            return nullptr;
        m.value = QByteArrayView(v, p - v);
        if (close == '}' && !f(m))
            return nullptr;
        p = skipSpace(p, end);
        if (p == end)
            return nullptr;
        if (*p == close)
            return p + 1;
        if (*p != ',')
            return nullptr;
        p = skipSpace(p + 1, end);
    }
    return nullptr;
}

// p at the first byte of a value: past its last byte, or nullptr when it is
// not strict JSON (or nests deeper than kMaxDepth).
const char *skipValue(const char *p, const char *end, int depth)
{
    if (p == end || depth > kMaxDepth)
        return nullptr;
    bool escaped = false;
    switch (*p) {
    case '"':
        return skipString(p, end, &escaped);
    case '{':
    case '[':
        return walkContainer(p, end, depth, AcceptAll{});
    case 't':
        return skipWord(p, end, "true", 4);
    case 'f':
        return skipWord(p, end, "false", 5);
    case 'n':
        return skipWord(p, end, "null", 4);
    default:
        return skipNumber(p, end);
    }
}

} // namespace

namespace detail {

bool forEachMember(QByteArrayView object, bool (*call)(void *, const JsonMember &), void *f,
                   QLatin1String nestedKey, bool (*nestedCall)(void *, const JsonMember &), void *nestedF)
{
    const char *p = object.constData();
    const char *end = p + object.size();
    p = skipSpace(p, end);
    if (p == end || *p != '{')
        return false;
    const auto top = [call, f](const JsonMember &m) { return call(f, m); };
    if (nestedCall)
        p = walkContainer(p, end, 0, top, nestedKey,
                          [nestedCall, nestedF](const JsonMember &m) { return nestedCall(nestedF, m); });
    else
        p = walkContainer(p, end, 0, top);
    return p && skipSpace(p, end) == end;
}

} // namespace detail

QByteArray joinMembers(const JsonMember *members, qsizetype count)
{
    qsizetype size = 0;
    for (qsizetype i = 0; i < count; ++i)
        size += members[i].key.size() + members[i].value.size() + 4; // "key":value,
    QByteArray out(qMax<qsizetype>(size - 1, 0), Qt::Uninitialized);
    char *d = out.data();
    for (qsizetype i = 0; i < count; ++i) {
        const JsonMember &m = members[i];
        if (i > 0)
            *d++ = ',';
        *d++ = '"';
        memcpy(d, m.key.constData(), size_t(m.key.size()));
        d += m.key.size();
        *d++ = '"';
        *d++ = ':';
        memcpy(d, m.value.constData(), size_t(m.value.size()));
        d += m.value.size();
    }
    return out;
}

bool findMember(QByteArrayView object, QLatin1String key, QByteArrayView *value)
{
    bool found = false;
    const bool ok = forEachMember(object, [&](const JsonMember &m) {
        if (m.escapedKey)
            return false; // it might spell `key`: let the caller use the parsed object
        if (sameKey(m.key, key)) {
            *value = m.value; // the last one wins, as in Qt's parser
            found = true;
        }
        return true;
    });
    return ok && found;
}

bool membersExcept(QByteArrayView object, std::initializer_list<QLatin1String> drop, QByteArray *out)
{
    QVarLengthArray<JsonMember, 32> kept;
    const bool ok = forEachMember(object, [&](const JsonMember &m) {
        if (m.escapedKey)
            return false;
        for (const QLatin1String &d : drop) {
            if (sameKey(m.key, d))
                return true;
        }
        kept.append(m);
        return true;
    });
    if (!ok)
        return false;
    *out = joinMembers(kept.constData(), kept.size());
    return true;
}

} // namespace dfm::proto
