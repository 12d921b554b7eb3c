#include "jsonwriter.h"

#include <QLocale>

#include <charconv>

#include <cmath>
#include <limits>

namespace dfm::proto {

// Every write goes through extend(): one capacity check and a memcpy, where
// QByteArray::append() costs a call into Qt and an insert() per piece.
char *JsonWriter::extend(qsizetype n)
{
    const qsizetype size = m_out->size();
    if (m_out->capacity() - size < n)
        m_out->reserve(qMax(size + n, 2 * m_out->capacity() + 64));
    m_out->resize(size + n);
    return m_out->data() + size;
}

void JsonWriter::separate()
{
    if (m_out->isEmpty())
        return;
    const char last = m_out->back();
    if (last != '{' && last != '[' && last != ':')
        put(',');
}

namespace {
// A byte copied into a JSON string as it is: printable ASCII but '"' and '\\'.
inline bool plain(unsigned c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }
} // namespace

void JsonWriter::escaped(QByteArrayView utf8)
{
    static const char hex[] = "0123456789abcdef";
    const char *p = utf8.constData();
    const char *end = p + utf8.size();
    const char *run = p; // bytes copied as they are, in one put
    for (; p != end; ++p) {
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(run, p - run);
        run = p + 1;
        switch (c) {
        case '"': put("\\\"", 2); break;
        case '\\': put("\\\\", 2); break;
        case '\b': put("\\b", 2); break;
        case '\f': put("\\f", 2); break;
        case '\n': put("\\n", 2); break;
        case '\r': put("\\r", 2); break;
        case '\t': put("\\t", 2); break;
        default: {
            const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
            put(u, 6);
        }
        }
    }
    put(run, end - run);
}

void JsonWriter::string(QByteArrayView utf8)
{
    put('"');
    escaped(utf8);
    put('"');
}

template <typename Char>
qsizetype JsonWriter::plainPrefix(const Char *s, qsizetype n)
{
    char *d = extend(n + 2);
    *d++ = '"';
    qsizetype i = 0;
    while (i < n && plain(uint(s[i]))) {
        d[i] = char(s[i]);
        ++i;
    }
    if (i == n)
        d[n] = '"';
    else
        m_out->resize(m_out->size() - (n - i) - 1);
    return i;
}

void JsonWriter::string(QStringView s)
{
    // Most strings are plain ASCII (ids, names, paths): written straight from
    // UTF-16, with no UTF-8 copy. The rest goes through UTF-8 and escaping.
    const qsizetype i = plainPrefix(s.utf16(), s.size());
    if (i < s.size()) {
        escaped(s.sliced(i).toUtf8());
        put('"');
    }
}

void JsonWriter::string(QLatin1String s)
{
    const qsizetype i = plainPrefix(s.data(), s.size());
    if (i < s.size()) {
        escaped(QString(s.sliced(i)).toUtf8());
        put('"');
    }
}

void JsonWriter::key(QLatin1String k)
{
    separate();
    // Keys of our own messages are plain ASCII names: nothing to escape.
    char *d = extend(k.size() + 3);
    *d++ = '"';
    memcpy(d, k.data(), size_t(k.size()));
    d += k.size();
    *d++ = '"';
    *d = ':';
}

void JsonWriter::key(const QString &k)
{
    separate();
    string(QStringView(k));
    put(':');
}

void JsonWriter::value(const QString &s)
{
    separate();
    string(QStringView(s));
}

void JsonWriter::utf8(QByteArrayView s)
{
    separate();
    string(s);
}

void JsonWriter::value(QLatin1String s)
{
    separate();
    string(s);
}

void JsonWriter::value(qint64 n)
{
    separate();
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, n);
    put(buf, r.ptr - buf);
}

void JsonWriter::value(bool b)
{
    separate();
    if (b)
        put("true", 4);
    else
        put("false", 5);
}

void JsonWriter::null()
{
    separate();
    put("null", 4);
}

void JsonWriter::value(const QJsonObject &o)
{
    beginObject();
    for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
        key(it.key());
        value(it.value());
    }
    endObject();
}

void JsonWriter::value(const QJsonArray &a)
{
    beginArray();
    for (const QJsonValue &v : a)
        value(v);
    endArray();
}

void JsonWriter::value(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined: // as QJsonDocument writes it inside a container
        null();
        break;
    case QJsonValue::Bool:
        value(v.toBool());
        break;
    case QJsonValue::Double: {
        const double d = v.toDouble();
        constexpr qint64 kNotInteger = std::numeric_limits<qint64>::min();
        const qint64 i = v.toInteger(kNotInteger);
        if (i != kNotInteger) {
            value(i);
        } else if (std::isfinite(d)) {
            separate();
            const QByteArray t = QByteArray::number(d, 'g', QLocale::FloatingPointShortest);
            put(t.constData(), t.size());
        } else {
            null(); // as QJsonDocument writes a NaN or an infinity
        }
        break;
    }
    case QJsonValue::String:
        value(v.toString());
        break;
    case QJsonValue::Array:
        value(v.toArray());
        break;
    case QJsonValue::Object:
        value(v.toObject());
        break;
    }
}

} // namespace dfm::proto
