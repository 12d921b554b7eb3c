#include "jsonscan.h"

#include <QVarLengthArray>

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

// p at an opening quote: past the closing one, or nullptr. *escaped says
// whether a backslash was seen. Strict: Qt's parser also takes a raw
// control character or an unknown escape ("\x"), which must not reach a
// worker as they came.
const char *skipString(const char *p, const char *end, bool *escaped)
{
    *escaped = false;
    for (++p; p != end; ++p) {
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c == '"')
            return p + 1;
        if (c < 0x20)
            return nullptr;
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
// (Qt's parser also takes "1.").
const char *skipNumber(const char *p, const char *end)
{
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
    if (p != end && (*p == 'e' || *p == 'E')) {
        if (++p != end && (*p == '+' || *p == '-'))
            ++p;
        if (p == end || !isDigit(*p))
            return nullptr;
        while (p != end && isDigit(*p))
            ++p;
    }
    return p;
}

const char *skipWord(const char *p, const char *end, const char *word, qsizetype n)
{
    return end - p >= n && memcmp(p, word, size_t(n)) == 0 ? p + n : nullptr;
}

struct Member {
    QByteArrayView key;   /* between the quotes */
    QByteArrayView value; /* the value's text */
    bool escapedKey = false;
};

const char *skipValue(const char *p, const char *end, int depth);

// p at '{' or '[': past the closing bracket, or nullptr when the container
// is not strict JSON. An object's members are handed to f, which may stop
// the walk by returning false.
template <typename F>
const char *walkContainer(const char *p, const char *end, int depth, F f)
{
    const char close = *p == '{' ? '}' : ']';
    p = skipSpace(p + 1, end);
    if (p != end && *p == close)
        return p + 1;
    while (p != end) {
        Member m;
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
        if (!(p = skipValue(p, end, depth + 1)))
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
        return walkContainer(p, end, depth, [](const Member &) { return true; });
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

// Calls f(member) for each top-level member of the one object `object`
// holds; false when it is not such text (or f returns false).
template <typename F>
bool forEachMember(QByteArrayView object, F f)
{
    const char *p = object.constData();
    const char *end = p + object.size();
    p = skipSpace(p, end);
    if (p == end || *p != '{')
        return false;
    p = walkContainer(p, end, 0, f);
    return p && skipSpace(p, end) == end;
}

bool sameKey(QByteArrayView raw, QLatin1String key)
{
    return raw.size() == key.size() && memcmp(raw.constData(), key.data(), size_t(key.size())) == 0;
}

} // namespace

bool findMember(QByteArrayView object, QLatin1String key, QByteArrayView *value)
{
    bool found = false;
    const bool ok = forEachMember(object, [&](const Member &m) {
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
    QVarLengthArray<Member, 32> kept;
    qsizetype size = 0;
    const bool ok = forEachMember(object, [&](const Member &m) {
        if (m.escapedKey)
            return false;
        for (const QLatin1String &d : drop) {
            if (sameKey(m.key, d))
                return true;
        }
        kept.append(m);
        size += m.key.size() + m.value.size() + 4; // "key":value,
        return true;
    });
    if (!ok)
        return false;
    // One block of the exact size, filled in place.
    *out = QByteArray(qMax<qsizetype>(size - 1, 0), Qt::Uninitialized);
    char *d = out->data();
    for (const Member &m : kept) {
        if (d != out->data())
            *d++ = ',';
        *d++ = '"';
        memcpy(d, m.key.constData(), size_t(m.key.size()));
        d += m.key.size();
        *d++ = '"';
        *d++ = ':';
        memcpy(d, m.value.constData(), size_t(m.value.size()));
        d += m.value.size();
    }
    return true;
}

} // namespace dfm::proto
