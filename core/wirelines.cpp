#include "wirelines.h"

#include "jsonscan.h"
#include "jsonwriter.h"

#include <QJsonDocument>

#include <algorithm>
#include <initializer_list>

namespace dfm::proto {

namespace {

/// True for the fields TaskResult::toJson() writes from its own members.
bool isResultField(const QString &k)
{
    return k == QLatin1String("status") || k == QLatin1String("changed") || k == QLatin1String("output")
           || k == QLatin1String("markers") || k == QLatin1String("memento");
}

/// Writes the fields of result.toJson(), less `extra`'s fields named in
/// `skip` (written by the caller), into the open object of `w`.
void resultFields(JsonWriter &w, const TaskResult &result, std::initializer_list<QLatin1String> skip)
{
    // As toJson(): the five fields win over an `extra` of the same name.
    for (auto it = result.extra.constBegin(); it != result.extra.constEnd(); ++it) {
        const QString k = it.key();
        if (isResultField(k) || std::find(skip.begin(), skip.end(), k) != skip.end())
            continue;
        w.key(k);
        w.value(it.value());
    }
    w.field(QLatin1String("status"), result.status);
    w.field(QLatin1String("changed"), result.changed);
    w.field(QLatin1String("output"), result.output);
    w.field(QLatin1String("markers"), result.markers);
    w.field(QLatin1String("memento"), result.memento);
}

} // namespace

void PassedResult::setHostname(const QString &name)
{
    hostname = name;
    hostnameJson.clear();
    JsonWriter(&hostnameJson).value(name);
}

void PassedResult::add(QLatin1String key, qint64 value)
{
    JsonWriter(&members).field(key, value);
}

void PassedResult::add(QLatin1String key, bool value)
{
    JsonWriter(&members).field(key, value);
}

void PassedResult::add(QLatin1String key, const QString &value)
{
    JsonWriter(&members).field(key, value);
}

void PassedResult::appendObject(QByteArray *out) const
{
    out->append('{');
    out->append(members);
    if (!hostnameJson.isEmpty()) {
        if (!members.isEmpty())
            out->append(',');
        out->append("\"hostname\":");
        out->append(hostnameJson);
    }
    out->append('}');
}

PassedResult passedResult(const TaskResult &result)
{
    PassedResult p;
    p.status = result.status;
    const QJsonValue cancelled = result.extra.value(QLatin1String("cancelled"));
    p.hasCancelled = !cancelled.isUndefined();
    p.cancelled = cancelled.toBool();
    const QJsonValue duration = result.extra.value(QLatin1String("duration_ms"));
    p.hasDuration = !duration.isUndefined();
    p.durationMs = duration.toInteger();
    p.log = result.extra.value(QLatin1String("log")).toString();
    const QJsonValue hostname = result.extra.value(kFieldHostname);
    if (!hostname.isUndefined()) {
        p.hostname = hostname.toString();
        JsonWriter(&p.hostnameJson).value(hostname);
    }
    QByteArray out;
    out.reserve(256);
    out.append('{'); // so the writer puts no comma before the first field
    JsonWriter w(&out);
    resultFields(w, result, {kFieldRequestId, kFieldWorkerId, kFieldHostname, QLatin1String("attempts")});
    p.members = QByteArray(out.constData() + 1, out.size() - 1);
    return p;
}

TaskResult toTaskResult(const PassedResult &result)
{
    QByteArray text;
    result.appendObject(&text);
    TaskResult r;
    QString err;
    if (!parseTaskResult(QJsonDocument::fromJson(text).object(), &r, &err))
        r = failedResult(err);
    return r;
}

QByteArray encodeResultResponse(const QJsonValue &id, const PassedResult &result)
{
    QByteArray out;
    out.reserve(result.members.size() + result.hostnameJson.size() + 48);
    JsonWriter w(&out);
    w.beginObject();
    w.field(QLatin1String("id"), id);
    w.key(QLatin1String("result"));
    result.appendObject(&out);
    w.endObject();
    out.append('\n');
    return out;
}

QByteArray encodeTaskResultEvent(const QString &requestId, const QString &workerId,
                                 const QString &hostname, const TaskResult &result)
{
    QByteArray out;
    out.reserve(512);
    JsonWriter w(&out);
    w.beginObject();
    w.field(QLatin1String("method"), kTaskResult);
    w.key(QLatin1String("params"));
    w.beginObject();
    resultFields(w, result, {kFieldRequestId, kFieldWorkerId, kFieldHostname});
    w.field(kFieldWorkerId, workerId);
    w.field(kFieldHostname, hostname);
    w.field(kFieldRequestId, requestId);
    w.endObject();
    w.endObject();
    out.append('\n');
    return out;
}

namespace {

constexpr char kExecutePrefix[] = "{\"method\":\"task.execute\",\"params\":{";

// A submit's params that do not go to the worker as they are: request_id
// and name are set at dispatch; notify_started is between client and daemon.
const std::initializer_list<QLatin1String> kNotPassedOn = {
    QLatin1String("request_id"), QLatin1String("name"), QLatin1String("notify_started")};

template <typename View>
bool notPassedOn(View key)
{
    return std::any_of(kNotPassedOn.begin(), kNotPassedOn.end(), [key](QLatin1String d) { return key == d; });
}

} // namespace

bool isNotPassedOn(QByteArrayView key)
{
    return notPassedOn(key);
}

QByteArray encodeTaskExecuteParams(const QJsonObject &submitted)
{
    QByteArray out;
    out.reserve(256);
    out.append('{'); // so the writer puts no comma before the first field
    JsonWriter w(&out);
    for (auto it = submitted.constBegin(); it != submitted.constEnd(); ++it) {
        const QString k = it.key();
        if (!notPassedOn(QStringView(k))) {
            w.key(k);
            w.value(it.value());
        }
    }
    // Kept for as long as the task waits: in a block of its exact size.
    return QByteArray(out.constData() + 1, out.size() - 1);
}

bool spliceTaskExecuteParams(QByteArrayView submitLine, QByteArray *params)
{
    // Kept for as long as the task waits: membersExcept gives a block of
    // its exact size.
    QByteArrayView submitted;
    return findMember(submitLine, QLatin1String("params"), &submitted)
        && membersExcept(submitted, kNotPassedOn, params);
}

QByteArray composeTaskExecute(QByteArrayView params, QByteArrayView requestIdUtf8, QByteArrayView nameUtf8)
{
    QByteArray out;
    out.reserve(qsizetype(sizeof kExecutePrefix) + params.size() + 2 * (requestIdUtf8.size() + nameUtf8.size()) + 32);
    out.append(kExecutePrefix, qsizetype(sizeof kExecutePrefix) - 1);
    out.append(params);
    JsonWriter w(&out);
    w.key(QLatin1String("request_id"));
    w.utf8(requestIdUtf8);
    w.key(QLatin1String("name"));
    w.utf8(nameUtf8);
    w.endObject();
    w.endObject();
    out.append('\n');
    return out;
}

QByteArray encodeTaskExecute(const QJsonObject &submitted, const QString &requestId, const QString &name)
{
    return composeTaskExecute(encodeTaskExecuteParams(submitted), requestId.toUtf8(), name.toUtf8());
}

QByteArray encodeRunningEvent(QLatin1String method, const RunningTask &t)
{
    QByteArray out;
    out.reserve(256);
    JsonWriter w(&out);
    w.beginObject();
    w.field(QLatin1String("method"), method);
    w.key(QLatin1String("params"));
    w.beginObject();
    w.field(QLatin1String("request_id"), t.requestId);
    w.field(QLatin1String("name"), t.name);
    w.field(QLatin1String("client"), t.client);
    w.field(QLatin1String("worker_id"), t.workerId);
    w.field(QLatin1String("hostname"), t.hostname);
    w.field(QLatin1String("resource_class"), t.resourceClass);
    char stamp[20];
    if (t.startedMs <= 0)
        w.field(QLatin1String("started"), QLatin1String(""));
    else if (utcStamp(t.startedMs, stamp))
        w.field(QLatin1String("started"), QLatin1String(stamp, 20));
    else
        w.field(QLatin1String("started"), utcStamp(t.startedMs));
    w.field(QLatin1String("started_ms"), t.startedMs);
    w.field(QLatin1String("attempt"), t.attempt);
    w.endObject();
    w.endObject();
    out.append('\n');
    return out;
}

} // namespace dfm::proto
