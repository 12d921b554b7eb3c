#include "jsonwriter.h"

#include <QLocale>

#include <cmath>
#include <limits>

namespace dfm::proto {

void JsonWriter::separate()
{
    if (m_out->isEmpty())
        return;
    const char last = m_out->back();
    if (last != '{' && last != '[' && last != ':')
        m_out->append(',');
}

void JsonWriter::string(QByteArrayView utf8)
{
    static const char hex[] = "0123456789abcdef";
    m_out->append('"');
    const char *p = utf8.constData();
    const char *end = p + utf8.size();
    const char *run = p; // bytes copied as they are, in one append
    for (; p != end; ++p) {
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        m_out->append(run, p - run);
        run = p + 1;
        switch (c) {
        case '"': m_out->append("\\\"", 2); break;
        case '\\': m_out->append("\\\\", 2); break;
        case '\b': m_out->append("\\b", 2); break;
        case '\f': m_out->append("\\f", 2); break;
        case '\n': m_out->append("\\n", 2); break;
        case '\r': m_out->append("\\r", 2); break;
        case '\t': m_out->append("\\t", 2); break;
        default: {
            const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
            m_out->append(u, 6);
        }
        }
    }
    m_out->append(run, end - run);
    m_out->append('"');
}

void JsonWriter::key(QLatin1String k)
{
    separate();
    // Keys of our own messages are plain ASCII names: nothing to escape.
    m_out->append('"');
    m_out->append(k.data(), k.size());
    m_out->append("\":", 2);
}

void JsonWriter::key(const QString &k)
{
    separate();
    string(k.toUtf8());
    m_out->append(':');
}

void JsonWriter::value(const QString &s)
{
    separate();
    string(s.toUtf8());
}

void JsonWriter::utf8(QByteArrayView s)
{
    separate();
    string(s);
}

void JsonWriter::value(QLatin1String s)
{
    separate();
    string(QString(s).toUtf8());
}

void JsonWriter::value(qint64 n)
{
    separate();
    m_out->append(QByteArray::number(n));
}

void JsonWriter::value(bool b)
{
    separate();
    if (b)
        m_out->append("true", 4);
    else
        m_out->append("false", 5);
}

void JsonWriter::null()
{
    separate();
    m_out->append("null", 4);
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
            m_out->append(QByteArray::number(d, 'g', QLocale::FloatingPointShortest));
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
