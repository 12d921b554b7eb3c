#include "wirescan.h"

#include "jsonscan.h"
#include "resources.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QVarLengthArray>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace dfm::proto {

namespace {

// What a value's text is. The scanner has checked it is strict JSON, so
// the first byte tells the kind.
bool isNull(QByteArrayView v) { return v == "null"; }
bool isString(QByteArrayView v) { return !v.isEmpty() && v.front() == '"'; }
bool isObject(QByteArrayView v) { return !v.isEmpty() && v.front() == '{'; }
bool isArray(QByteArrayView v) { return !v.isEmpty() && v.front() == '['; }

// A string without escapes: its UTF-8 bytes, as Qt's parser would decode them.
bool plainString(QByteArrayView v, QByteArrayView *utf8)
{
    if (!isString(v) || v.indexOf('\\') >= 0)
        return false;
    *utf8 = v.sliced(1, v.size() - 2);
    return true;
}

bool plainString(QByteArrayView v, QString *out)
{
    QByteArrayView utf8;
    if (!plainString(v, &utf8))
        return false;
    *out = QString::fromUtf8(utf8);
    return true;
}

bool boolValue(QByteArrayView v, bool *out)
{
    if (v != "true" && v != "false")
        return false;
    *out = v.front() == 't';
    return true;
}

// An integer written as one (no fraction, no exponent, not "-0"), of at
// most `maxDigits` digits: exactly what Qt's parser makes an integer of.
bool integerValue(QByteArrayView v, int maxDigits, qint64 *out)
{
    const bool negative = !v.isEmpty() && v.front() == '-';
    const QByteArrayView digits = negative ? v.sliced(1) : v;
    if (digits.isEmpty() || digits.size() > maxDigits || (negative && digits == "0"))
        return false;
    qint64 n = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9')
            return false;
        n = n * 10 + (c - '0');
    }
    *out = negative ? -n : n;
    return true;
}

// The index of `key` in `names`, -1 when it is none of them.
template <size_t N>
int keyIndex(QByteArrayView key, const QLatin1String (&names)[N])
{
    for (size_t i = 0; i < N; ++i)
        if (key.size() == names[i].size() && memcmp(key.data(), names[i].data(), size_t(key.size())) == 0)
            return int(i);
    return -1;
}

// The top-level members of a message the daemon reads.
struct Envelope {
    QByteArrayView method, id, params;
};

// One pass over a message: its method, id and params (others are ignored,
// as proto::parse() ignores them), and params' members handed to onParam.
// True when the method is `method`, params is an object and onParam took
// each of its members; a second method, id or params is declined.
template <typename F>
bool readMessage(QByteArrayView line, QByteArrayView method, Envelope *e, F &&onParam)
{
    static constexpr QLatin1String names[] = {QLatin1String("method"), QLatin1String("id"),
                                              QLatin1String("params")};
    QByteArrayView *fields[] = {&e->method, &e->id, &e->params};
    unsigned seen = 0;
    const auto top = [&](const JsonMember &m) {
        if (m.escapedKey)
            return false;
        const int k = keyIndex(m.key, names);
        if (k < 0)
            return true;
        if (seen & (1u << k))
            return false;
        seen |= 1u << k;
        *fields[k] = m.value;
        return k != 0 || m.value == method;
    };
    // Methods come first as our clients and workers write them: another
    // message's params are not read in vain then.
    const auto param = [&](const JsonMember &m) { return ((seen & 1u) == 0 || e->method == method) && onParam(m); };
    return forEachMember(line, top, QLatin1String("params"), param) && (seen & 1u) && isObject(e->params);
}

// A message's params read in the same pass: each member named in `names`
// goes to take(index, value), once (a second one declines the line); each
// member that keep(index or -1, member) keeps goes to `kept`; `seen` has
// the bit of each named field found.
struct Params {
    Envelope envelope;
    unsigned seen = 0;
    QVarLengthArray<JsonMember, 24> kept;
};

template <size_t N, typename Take, typename Keep>
bool readParams(QByteArrayView line, QByteArrayView method, const QLatin1String (&names)[N], Params *p, Take take,
                Keep keep)
{
    return readMessage(line, method, &p->envelope, [&](const JsonMember &m) {
        if (m.escapedKey)
            return false;
        const int k = keyIndex(m.key, names);
        if (k >= 0) {
            if ((p->seen & (1u << k)) || !take(k, m.value))
                return false;
            p->seen |= 1u << k;
        }
        if (keep(k, m))
            p->kept.append(m);
        return true;
    });
}

// A value Qt's parser makes of a small piece of the text: for the rare
// fields whose checks are parseTaskSpec's own (resources, pythonpath).
QJsonValue parsedValue(QByteArrayView v)
{
    QByteArray doc = "[";
    doc.append(v);
    doc.append(']');
    return QJsonDocument::fromJson(doc).array().first();
}

// The fields of task.submit's params that parseTaskSpec() reads.
enum SubmitField {
    RequestId, Name, ResourceClass, Resources, Env, Inputs, Pythonpath, Timeout, NotifyStarted,
    Shell, Body, Srcdir, Rundir, CallableSpec,
};
constexpr QLatin1String kSubmitFields[] = {
    QLatin1String("request_id"), QLatin1String("name"),       QLatin1String("resource_class"),
    QLatin1String("resources"),  QLatin1String("env"),        QLatin1String("inputs"),
    QLatin1String("pythonpath"), QLatin1String("timeout"),    QLatin1String("notify_started"),
    QLatin1String("shell"),      QLatin1String("body"),       QLatin1String("srcdir"),
    QLatin1String("rundir"),     QLatin1String("callable_spec")};

// One field of task.submit's params checked as parseTaskSpec() checks it;
// false where that would fail (or where this cannot tell).
bool takeSubmitField(int field, QByteArrayView v, ScannedSubmit *out, ResourceRequest *resources)
{
    TaskSpec &s = out->spec;
    switch (SubmitField(field)) {
    case RequestId:
        return plainString(v, &s.requestId) && !s.requestId.isEmpty();
    case Name:
        return isNull(v) || plainString(v, &s.name);
    case ResourceClass:
        return isNull(v) || plainString(v, &s.resourceClass);
    case Resources: {
        if (isNull(v))
            return true;
        QString err;
        return isObject(v) && parseResourceRequest(parsedValue(v).toObject(), resources, &err);
    }
    case Env:
        // An object of strings; the keys are the worker's business.
        return isNull(v)
            || (isObject(v) && forEachMember(v, [](const JsonMember &m) { return isString(m.value); }));
    case Inputs:
        return isNull(v) || isArray(v);
    case Pythonpath: {
        if (isNull(v))
            return true;
        if (!isArray(v))
            return false;
        const QJsonArray paths = parsedValue(v).toArray();
        return std::all_of(paths.begin(), paths.end(), [](const QJsonValue &p) { return p.isString(); });
    }
    case Timeout: {
        if (isNull(v))
            return true;
        if (v.isEmpty() || !(v.front() == '-' || (v.front() >= '0' && v.front() <= '9')))
            return false;
        double t = 0; // not strtod(): the locale's decimal point is not JSON's
        const auto [last, ec] = std::from_chars(v.data(), v.data() + v.size(), t);
        return ec == std::errc() && last == v.data() + v.size() && t > 0 && t <= 1e7;
    }
    case NotifyStarted:
        out->notifyStarted = v == "true"; // Qt's toBool(): only true is true
        return true;
    case Shell:
    case Body:
    case Srcdir:
    case Rundir:
    case CallableSpec:
        return isNull(v) || isString(v);
    }
    return false;
}

// The fields of a RESULT the daemon reads or replaces.
enum ResultField { ResRequestId, Status, Changed, Output, Markers, Memento, Cancelled, Duration, Log,
                   Hostname, WorkerId, Attempts };
constexpr QLatin1String kResultFields[] = {
    QLatin1String("request_id"), QLatin1String("status"),      QLatin1String("changed"),
    QLatin1String("output"),     QLatin1String("markers"),     QLatin1String("memento"),
    QLatin1String("cancelled"),  QLatin1String("duration_ms"), QLatin1String("log"),
    QLatin1String("hostname"),   QLatin1String("worker_id"),   QLatin1String("attempts")};
// The fields toJson() always writes: a RESULT without one is declined.
constexpr unsigned kAlwaysWritten =
    1u << Status | 1u << Changed | 1u << Output | 1u << Markers | 1u << Memento;

// One field of a RESULT: read into *out, or false where the parsed route
// would write something else than the text says.
bool takeResultField(int field, QByteArrayView v, QByteArray *requestId, PassedResult *out)
{
    qint64 n = 0;
    QByteArrayView text;
    switch (ResultField(field)) {
    case ResRequestId:
        if (!plainString(v, &text))
            return false;
        *requestId = text.toByteArray();
        return true;
    case Status:
        if (!integerValue(v, 9, &n))
            return false;
        out->status = int(n);
        return true;
    case Changed: {
        bool changed = false;
        return boolValue(v, &changed);
    }
    case Output:
    case Markers:
        return isArray(v);
    case Memento:
    case WorkerId:
    case Attempts:
        return true;
    case Cancelled:
        out->hasCancelled = true;
        return boolValue(v, &out->cancelled);
    case Duration:
        out->hasDuration = true;
        return integerValue(v, 15, &out->durationMs);
    case Log:
        return plainString(v, &out->log);
    case Hostname:
        out->hostnameJson = v.toByteArray();
        return plainString(v, &out->hostname);
    }
    return false;
}

} // namespace

bool scanTaskSubmit(QByteArrayView line, ScannedSubmit *out)
{
    ScannedSubmit r;
    ResourceRequest resources;
    Params p;
    const bool ok = readParams(
        line, "\"task.submit\"", kSubmitFields, &p,
        [&](int field, QByteArrayView v) { return takeSubmitField(field, v, &r, &resources); },
        [](int, const JsonMember &m) { return !isNotPassedOn(m.key); });
    if (!ok || !(p.seen & (1u << RequestId)))
        return false;
    qint64 id = 0;
    QString sid;
    if (integerValue(p.envelope.id, 15, &id))
        r.id = QJsonValue(id);
    else if (plainString(p.envelope.id, &sid))
        r.id = sid;
    else
        return false; // none, or a kind parse() refuses
    TaskSpec &s = r.spec;
    if (s.name.isEmpty())
        s.name = s.requestId;
    s.poolClass = poolClassKey(s.resourceClass, resources);
    s.executeParams = joinMembers(p.kept.constData(), p.kept.size());
    *out = std::move(r);
    return true;
}

bool scanTaskResult(QByteArrayView line, QByteArray *requestIdUtf8, PassedResult *out)
{
    PassedResult r;
    QByteArray rid;
    Params p;
    const bool ok = readParams(
        line, "\"task.result\"", kResultFields, &p,
        [&](int field, QByteArrayView v) { return takeResultField(field, v, &rid, &r); },
        [](int field, const JsonMember &) {
            return field != ResRequestId && field != Hostname && field != WorkerId && field != Attempts;
        });
    if (!ok || !(p.seen & (1u << ResRequestId)) || (p.seen & kAlwaysWritten) != kAlwaysWritten)
        return false;
    r.members = joinMembers(p.kept.constData(), p.kept.size());
    *requestIdUtf8 = std::move(rid);
    *out = std::move(r);
    return true;
}

} // namespace dfm::proto
