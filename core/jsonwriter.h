#pragma once
// Compact JSON written straight into a byte buffer, for the messages the
// daemon sends once per task (task.execute, task.started, a task's RESULT).
// Building a QJsonObject to encode it costs an insertion (a binary search
// and a move) per field and a QJsonDocument pass on top; at thousands of
// tasks a second that was most of the daemon's CPU (docs/performance.md,
// "Daemon CPU per task"). The text parses to the same JSON as
// QJsonDocument::toJson(Compact) would write for the same fields; only the
// order of an object's keys may differ, which JSON leaves open.

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <cstring>

namespace dfm::proto {

class JsonWriter {
public:
    /// Appends to `out`, which must outlive the writer.
    explicit JsonWriter(QByteArray *out) : m_out(out) {}

    void beginObject() { separate(); put('{'); }
    void endObject() { put('}'); }
    void beginArray() { separate(); put('['); }
    void endArray() { put(']'); }
    /// An object's key; its value follows.
    void key(QLatin1String k);
    void key(const QString &k);

    void value(const QString &s);
    /// A string given as UTF-8 bytes.
    void utf8(QByteArrayView s);
    void value(QLatin1String s);
    void value(qint64 n);
    void value(int n) { value(qint64(n)); }
    void value(bool b);
    void null();
    /// Any JSON value, objects and arrays written element by element.
    void value(const QJsonValue &v);
    void value(const QJsonObject &o);
    void value(const QJsonArray &a);

    /// Shorthands for one field.
    template <typename T>
    void field(QLatin1String k, const T &v)
    {
        key(k);
        value(v);
    }

private:
    // A comma before anything that follows a value: the last byte written
    // tells, since a value never ends in '{', '[' or ':'.
    void separate();
    /// Room for n more bytes at the end of the buffer, grown geometrically;
    /// returns where they start.
    char *extend(qsizetype n);
    void put(const char *p, qsizetype n)
    {
        if (n > 0)
            memcpy(extend(n), p, size_t(n));
    }
    void put(char c) { *extend(1) = c; }
    /// A string's text, quoted: plain ASCII is copied as it is, the rest
    /// escaped (string) or converted to UTF-8 first (string of a QStringView).
    void string(QByteArrayView utf8);
    void string(QStringView s);
    void string(QLatin1String s);
    void escaped(QByteArrayView utf8);
    /// Writes the opening quote and the plain-ASCII prefix of s; returns its
    /// length. When that is all of s, the closing quote too.
    template <typename Char>
    qsizetype plainPrefix(const Char *s, qsizetype n);

    QByteArray *m_out;
};

} // namespace dfm::proto
