#include "protocol.h"

#include "jsonwriter.h"
#include "resources.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonParseError>

namespace dfm::proto {

namespace {

bool requireString(const QJsonObject &o, const char *key, const char *where, QString *out,
                   QString *err)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (!v.isString() || v.toString().isEmpty()) {
        *err = QStringLiteral("%1: missing string field '%2'").arg(QLatin1String(where),
                                                                     QLatin1String(key));
        return false;
    }
    *out = v.toString();
    return true;
}

bool optionalString(const QJsonObject &o, const char *key, const char *where, QString *out,
                    QString *err)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isString()) {
        *err = QStringLiteral("%1: field '%2' must be a string").arg(QLatin1String(where),
                                                                      QLatin1String(key));
        return false;
    }
    *out = v.toString();
    return true;
}

} // namespace

bool parse(const QByteArray &line, Message *msg, QString *err)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &pe);
    if (pe.error != QJsonParseError::NoError) {
        *err = QStringLiteral("Invalid JSON: %1 at offset %2").arg(pe.errorString()).arg(pe.offset);
        return false;
    }
    if (!doc.isObject()) {
        *err = QStringLiteral("Invalid JSON: expected an object");
        return false;
    }
    const QJsonObject o = doc.object();
    *msg = Message{};
    msg->line = line;
    msg->id = o.value(QLatin1String("id"));
    if (!msg->id.isUndefined() && !msg->id.isString() && !msg->id.isDouble()) {
        *err = QStringLiteral("Invalid message: 'id' must be a string or a number");
        msg->id = QJsonValue::Undefined;
        return false;
    }
    const QJsonValue method = o.value(QLatin1String("method"));
    if (!method.isUndefined()) {
        if (!method.isString() || method.toString().isEmpty()) {
            *err = QStringLiteral("Invalid message: 'method' must be a non-empty string");
            return false;
        }
        msg->method = method.toString();
        const QJsonValue params = o.value(QLatin1String("params"));
        if (!params.isUndefined() && !params.isNull()) {
            if (!params.isObject()) {
                *err = QStringLiteral("Invalid message: 'params' must be an object");
                return false;
            }
            msg->params = params.toObject();
        }
        return true;
    }
    if (o.contains(QLatin1String("error"))) {
        msg->hasError = true;
        msg->error = o.value(QLatin1String("error")).toString();
        return true;
    }
    if (o.contains(QLatin1String("result")) && !msg->id.isUndefined()) {
        msg->result = o.value(QLatin1String("result"));
        return true;
    }
    *err = QStringLiteral("Invalid message: expected 'method', or 'id' with 'result' or 'error'");
    return false;
}

QByteArray encode(const QJsonObject &obj)
{
    // JsonWriter, not QJsonDocument::toJson(): the same JSON (tst_protocol
    // encodeWritesWhatQtWouldForAnyObject) for about half the instructions,
    // and every message sent as an object passes here.
    QByteArray out;
    out.reserve(256);
    JsonWriter(&out).value(obj);
    out.append('\n');
    return out;
}

QJsonObject request(QLatin1String method, const QJsonValue &id, const QJsonObject &params)
{
    return QJsonObject{{QStringLiteral("method"), method},
                       {QStringLiteral("id"), id},
                       {QStringLiteral("params"), params}};
}

QJsonObject response(const QJsonValue &id, const QJsonValue &result)
{
    return QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("result"), result}};
}

QJsonObject errorResponse(const QJsonValue &id, const QString &error)
{
    QJsonObject o{{QStringLiteral("error"), error}};
    if (!id.isUndefined())
        o.insert(QStringLiteral("id"), id);
    return o;
}

QJsonObject event(QLatin1String method, const QJsonObject &params)
{
    return QJsonObject{{QStringLiteral("method"), method}, {QStringLiteral("params"), params}};
}

QJsonObject marker(const QString &msg, const QString &severity)
{
    return QJsonObject{{QStringLiteral("msg"), msg}, {QStringLiteral("severity"), severity}};
}

bool parseTaskSpec(const QJsonObject &p, TaskSpec *spec, QString *err)
{
    const char *where = "task";
    TaskSpec s;
    s.raw = p;
    if (!requireString(p, "request_id", where, &s.requestId, err))
        return false;
    s.name = s.requestId;
    if (!optionalString(p, "name", where, &s.name, err)
        || !optionalString(p, "shell", where, &s.shell, err)
        || !optionalString(p, "body", where, &s.body, err)
        || !optionalString(p, "srcdir", where, &s.srcdir, err)
        || !optionalString(p, "rundir", where, &s.rundir, err)
        || !optionalString(p, "resource_class", where, &s.resourceClass, err))
        return false;
    if (s.name.isEmpty())
        s.name = s.requestId;
    ResourceRequest resources;
    const QJsonValue res = p.value(QLatin1String("resources"));
    if (!res.isUndefined() && !res.isNull()) {
        if (!res.isObject()) {
            *err = QStringLiteral("task: field 'resources' must be an object {cores, memory, queue, walltime}");
            return false;
        }
        if (!parseResourceRequest(res.toObject(), &resources, err))
            return false;
    }
    s.poolClass = poolClassKey(s.resourceClass, resources);
    if (s.shell.isEmpty())
        s.shell = QStringLiteral("bash");
    const QJsonValue env = p.value(QLatin1String("env"));
    if (!env.isUndefined() && !env.isNull()) {
        if (!env.isObject()) {
            *err = QStringLiteral("task: field 'env' must be an object of strings");
            return false;
        }
        const QJsonObject e = env.toObject();
        for (auto it = e.begin(); it != e.end(); ++it) {
            if (!it.value().isString()) {
                *err = QStringLiteral("task: env value '%1' must be a string").arg(it.key());
                return false;
            }
        }
        s.env = e;
    }
    const QJsonValue params = p.value(QLatin1String("params"));
    if (params.isObject())
        s.params = params.toObject();
    const QJsonValue inputs = p.value(QLatin1String("inputs"));
    if (!inputs.isUndefined() && !inputs.isNull()) {
        if (!inputs.isArray()) {
            *err = QStringLiteral("task: field 'inputs' must be a list of data items");
            return false;
        }
        s.inputs = inputs.toArray();
    }
    if (p.contains(QLatin1String("memento")))
        s.memento = p.value(QLatin1String("memento"));
    if (!optionalString(p, "callable_spec", where, &s.callableSpec, err))
        return false;
    const QJsonValue pypath = p.value(QLatin1String("pythonpath"));
    if (!pypath.isUndefined() && !pypath.isNull()) {
        if (!pypath.isArray()) {
            *err = QStringLiteral("task: field 'pythonpath' must be a list of strings");
            return false;
        }
        for (const QJsonValue &e : pypath.toArray()) {
            if (!e.isString()) {
                *err = QStringLiteral("task: field 'pythonpath' must be a list of strings");
                return false;
            }
            s.pythonpath.append(e.toString());
        }
    }
    const QJsonValue timeout = p.value(QLatin1String("timeout"));
    if (!timeout.isUndefined() && !timeout.isNull()) {
        if (!timeout.isDouble() || !(timeout.toDouble() > 0) || timeout.toDouble() > 1e7) {
            *err = QStringLiteral("task: field 'timeout' must be a positive number of seconds");
            return false;
        }
        s.timeoutSec = timeout.toDouble();
    }
    *spec = s;
    return true;
}

QJsonObject TaskResult::toJson() const
{
    QJsonObject o = extra;
    o.insert(QStringLiteral("status"), status);
    o.insert(QStringLiteral("changed"), changed);
    o.insert(QStringLiteral("output"), output);
    o.insert(QStringLiteral("markers"), markers);
    o.insert(QStringLiteral("memento"), memento);
    return o;
}

bool parseTaskResult(const QJsonObject &obj, TaskResult *res, QString *err)
{
    const QJsonValue status = obj.value(QLatin1String("status"));
    if (!status.isDouble()) {
        *err = QStringLiteral("result: missing integer field 'status'");
        return false;
    }
    TaskResult r;
    r.status = status.toInt();
    r.changed = obj.value(QLatin1String("changed")).toBool(false);
    r.output = obj.value(QLatin1String("output")).toArray();
    r.markers = obj.value(QLatin1String("markers")).toArray();
    r.memento = obj.contains(QLatin1String("memento")) ? obj.value(QLatin1String("memento"))
                                                       : QJsonValue(QJsonValue::Null);
    // The rest is `extra`: one copy less six keys, not an insertion per key.
    r.extra = obj;
    for (const char *k : {"status", "changed", "output", "markers", "memento", "request_id"})
        r.extra.remove(QLatin1String(k));
    *res = std::move(r);
    return true;
}

TaskResult failedResult(const QString &why, int status)
{
    TaskResult r;
    r.status = status;
    r.markers.append(marker(why));
    return r;
}

bool parseRegistration(const QJsonObject &p, WorkerRegistration *reg, QString *err)
{
    const char *where = "worker.register";
    WorkerRegistration r;
    if (!requireString(p, "worker_id", where, &r.workerId, err)
        || !optionalString(p, "hostname", where, &r.hostname, err)
        || !optionalString(p, "resource_class", where, &r.resourceClass, err)
        || !optionalString(p, "token", where, &r.token, err))
        return false;
    r.pid = p.value(QLatin1String("pid")).toInteger();
    // Job ids arrive as strings or numbers depending on the sender.
    auto idOf = [&](const char *key) {
        const QJsonValue v = p.value(QLatin1String(key));
        return v.isDouble() ? QString::number(v.toInteger()) : v.toString();
    };
    r.lsfJobId = idOf("lsf_job_id");
    r.jobId = idOf("job_id");
    *reg = r;
    return true;
}

QJsonObject registrationParams(const WorkerRegistration &r)
{
    QJsonObject o{{QStringLiteral("worker_id"), r.workerId},
                  {QStringLiteral("hostname"), r.hostname},
                  {QStringLiteral("pid"), r.pid},
                  {QStringLiteral("resource_class"), r.resourceClass},
                  {QStringLiteral("token"), r.token}};
    if (!r.lsfJobId.isEmpty())
        o.insert(QStringLiteral("lsf_job_id"), r.lsfJobId);
    if (!r.jobId.isEmpty())
        o.insert(QStringLiteral("job_id"), r.jobId);
    return o;
}

QJsonObject WorkerInfo::toJson() const
{
    QJsonObject o{
        {QStringLiteral("worker_id"), workerId},
        {QStringLiteral("resource_class"), resourceClass},
        {QStringLiteral("hostname"), hostname},
        {QStringLiteral("state"), state},
        {QStringLiteral("current_task"), currentTask.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                               : QJsonValue(currentTask)},
        {QStringLiteral("lsf_job_id"), jobId.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                       : QJsonValue(jobId)},
        {QStringLiteral("job_id"), jobId.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                   : QJsonValue(jobId)},
        {QStringLiteral("pid"), pid},
        {QStringLiteral("tasks_done"), tasksDone},
        {QStringLiteral("since"), since},
        {QStringLiteral("since_ms"), sinceMs},
        {QStringLiteral("current_request_id"), currentRequestId.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                                          : QJsonValue(currentRequestId)},
        {QStringLiteral("current_client"), currentClient},
    };
    if (!schedulerState.isEmpty())
        o.insert(QStringLiteral("scheduler_state"), schedulerState);
    return o;
}

WorkerInfo WorkerInfo::fromJson(const QJsonObject &o)
{
    WorkerInfo w;
    w.workerId = o.value(QLatin1String("worker_id")).toString();
    w.schedulerState = o.value(QLatin1String("scheduler_state")).toString();
    w.resourceClass = o.value(QLatin1String("resource_class")).toString();
    w.hostname = o.value(QLatin1String("hostname")).toString();
    w.state = o.value(QLatin1String("state")).toString();
    w.currentTask = o.value(QLatin1String("current_task")).toString();
    w.jobId = o.value(QLatin1String("job_id")).toString();
    if (w.jobId.isEmpty())
        w.jobId = o.value(QLatin1String("lsf_job_id")).toString();
    w.pid = o.value(QLatin1String("pid")).toInteger();
    w.tasksDone = o.value(QLatin1String("tasks_done")).toInteger();
    w.since = o.value(QLatin1String("since")).toString();
    w.sinceMs = o.value(QLatin1String("since_ms")).toInteger();
    w.currentRequestId = o.value(QLatin1String("current_request_id")).toString();
    w.currentClient = o.value(QLatin1String("current_client")).toInteger();
    return w;
}

bool utcStamp(qint64 ms, char (&out)[20])
{
    // The civil date of a day count (H. Hinnant's days_from_civil, inverted),
    // without gmtime_r and snprintf: a status or event carries one per task.
    const qint64 secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    qint64 days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    const qint64 daySecs = secs - days * 86400;
    days += 719468;
    const qint64 era = (days >= 0 ? days : days - 146096) / 146097;
    const qint64 doe = days - era * 146097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const qint64 day = doy - (153 * mp + 2) / 5 + 1;
    const qint64 month = mp < 10 ? mp + 3 : mp - 9;
    const qint64 year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 1 || year > 9999) // QDateTime's calendar has no year 0
        return false;
    const auto put = [&out](int at, qint64 v, int width) {
        for (int i = width - 1; i >= 0; --i, v /= 10)
            out[at + i] = char('0' + v % 10);
    };
    put(0, year, 4);
    out[4] = '-';
    put(5, month, 2);
    out[7] = '-';
    put(8, day, 2);
    out[10] = 'T';
    put(11, daySecs / 3600, 2);
    out[13] = ':';
    put(14, daySecs / 60 % 60, 2);
    out[16] = ':';
    put(17, daySecs % 60, 2);
    out[19] = 'Z';
    return true;
}

QString utcStamp(qint64 ms)
{
    char buf[20];
    if (!utcStamp(ms, buf))
        return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ssZ"));
    return QString::fromLatin1(buf, 20);
}

} // namespace dfm::proto
