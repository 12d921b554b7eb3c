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

// p at an opening quote: past the closing one, or nullptr. *escaped says
// whether a backslash was seen. memchr finds the next quote; only a
// backslash before it makes the bytes between worth a look.
const char *skipString(const char *p, const char *end, bool *escaped)
{
    *escaped = false;
    for (++p;;) {
        const char *q = static_cast<const char *>(memchr(p, '"', size_t(end - p)));
        if (!q)
            return nullptr;
        const char *b = static_cast<const char *>(memchr(p, '\\', size_t(q - p)));
        if (!b)
            return q + 1;
        *escaped = true;
        p = b + 2; // past the backslash and the byte it escapes
        if (p > end)
            return nullptr;
    }
}

// p at the first byte of a value: past its last byte, or nullptr.
const char *skipValue(const char *p, const char *end)
{
    if (p == end)
        return nullptr;
    bool escaped = false;
    if (*p == '"')
        return skipString(p, end, &escaped);
    if (*p == '{' || *p == '[') {
        int depth = 0;
        while (p != end) {
            switch (*p) {
            case '"':
                p = skipString(p, end, &escaped);
                if (!p)
                    return nullptr;
                continue;
            case '{':
            case '[':
                ++depth;
                break;
            case '}':
            case ']':
                if (--depth == 0)
                    return p + 1;
                break;
            default:
                break;
            }
            ++p;
        }
        return nullptr;
    }
    // A number, true, false or null: up to the next delimiter.
    const char *start = p;
    while (p != end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' && *p != '\r'
           && *p != '\n')
        ++p;
    return p == start ? nullptr : p;
}

struct Member {
    QByteArrayView key;   /* between the quotes */
    QByteArrayView value; /* the value's text */
    bool escapedKey = false;
};

// Calls f(member) for each top-level member; false when the text is not an
// object as expected (or f returns false).
template <typename F>
bool forEachMember(QByteArrayView object, F f)
{
    const char *p = object.constData();
    const char *end = p + object.size();
    p = skipSpace(p, end);
    if (p == end || *p != '{')
        return false;
    p = skipSpace(p + 1, end);
    if (p != end && *p == '}')
        return true;
    while (p != end) {
        if (*p != '"')
            return false;
        Member m;
        const char *k = p;
        p = skipString(p, end, &m.escapedKey);
        if (!p)
            return false;
        m.key = QByteArrayView(k + 1, p - k - 2);
        p = skipSpace(p, end);
        if (p == end || *p != ':')
            return false;
        p = skipSpace(p + 1, end);
        const char *v = p;
        p = skipValue(p, end);
        if (!p)
            return false;
        m.value = QByteArrayView(v, p - v);
        if (!f(m))
            return false;
        p = skipSpace(p, end);
        if (p == end)
            return false;
        if (*p == '}')
            return true;
        if (*p != ',')
            return false;
        p = skipSpace(p + 1, end);
    }
    return false;
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
