#include "payloads.h"

#include <QDateTime>
#include <QJsonArray>

namespace dfm::proto {

namespace {

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

qint64 num(const QJsonObject &o, const char *key, qint64 fallback = 0)
{
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isDouble() ? v.toInteger(qint64(v.toDouble())) : fallback;
}

// The reference's stamp for an epoch-ms time; "" for "unknown" (0).
QString stamp(qint64 ms)
{
    return ms > 0 ? utcStamp(ms) : QString();
}

template <typename T>
QJsonArray toArray(const QList<T> &items)
{
    QJsonArray a;
    for (const T &t : items)
        a.append(t.toJson());
    return a;
}

template <typename T>
QList<T> fromArray(const QJsonValue &v)
{
    QList<T> out;
    for (const QJsonValue &e : v.toArray())
        if (e.isObject())
            out.append(T::fromJson(e.toObject()));
    return out;
}

} // namespace

// --- RunningTask --------------------------------------------------------

QJsonObject RunningTask::toJson() const
{
    return QJsonObject{{QStringLiteral("request_id"), requestId},
                       {QStringLiteral("name"), name},
                       {QStringLiteral("client"), client},
                       {QStringLiteral("worker_id"), workerId},
                       {QStringLiteral("hostname"), hostname},
                       {QStringLiteral("resource_class"), resourceClass},
                       {QStringLiteral("started"), stamp(startedMs)},
                       {QStringLiteral("started_ms"), startedMs},
                       {QStringLiteral("attempt"), attempt}};
}

RunningTask RunningTask::fromJson(const QJsonObject &o)
{
    RunningTask t;
    t.requestId = str(o, "request_id");
    t.name = str(o, "name");
    t.client = num(o, "client");
    t.workerId = str(o, "worker_id");
    t.hostname = str(o, "hostname");
    t.resourceClass = str(o, "resource_class");
    t.startedMs = num(o, "started_ms");
    if (!t.startedMs) // an older daemon: the stamp (status.get) or `time` (task.dispatched)
        for (const char *key : {"started", "time"}) {
            const QDateTime d = QDateTime::fromString(str(o, key), Qt::ISODate);
            if (d.isValid()) {
                t.startedMs = d.toMSecsSinceEpoch();
                break;
            }
        }
    t.attempt = int(num(o, "attempt", 1));
    return t;
}

// --- TaskQueued ---------------------------------------------------------

QJsonObject TaskQueued::toJson() const
{
    return QJsonObject{{QStringLiteral("request_id"), requestId},
                       {QStringLiteral("name"), name},
                       {QStringLiteral("client"), client},
                       {QStringLiteral("resource_class"), resourceClass},
                       {QStringLiteral("time"), stamp(timeMs)},
                       {QStringLiteral("time_ms"), timeMs},
                       {QStringLiteral("attempt"), attempt}};
}

TaskQueued TaskQueued::fromJson(const QJsonObject &o)
{
    TaskQueued t;
    t.requestId = str(o, "request_id");
    t.name = str(o, "name");
    t.client = num(o, "client");
    t.resourceClass = str(o, "resource_class");
    t.timeMs = num(o, "time_ms");
    t.attempt = int(num(o, "attempt", 1));
    return t;
}

// --- TaskCompleted ------------------------------------------------------

QJsonObject TaskCompleted::toJson() const
{
    return QJsonObject{{QStringLiteral("request_id"), requestId},
                       {QStringLiteral("worker_id"), workerId},
                       {QStringLiteral("status"), status},
                       {QStringLiteral("name"), name},
                       {QStringLiteral("client"), client},
                       {QStringLiteral("hostname"), hostname},
                       {QStringLiteral("resource_class"), resourceClass},
                       {QStringLiteral("cancelled"), cancelled},
                       {QStringLiteral("duration_ms"), durationMs},
                       {QStringLiteral("time"), stamp(timeMs)},
                       {QStringLiteral("time_ms"), timeMs},
                       {QStringLiteral("log"), log}};
}

TaskCompleted TaskCompleted::fromJson(const QJsonObject &o)
{
    TaskCompleted t;
    t.requestId = str(o, "request_id");
    t.workerId = str(o, "worker_id");
    t.status = int(num(o, "status"));
    t.name = str(o, "name");
    t.client = num(o, "client");
    t.hostname = str(o, "hostname");
    t.resourceClass = str(o, "resource_class");
    t.cancelled = o.value(QLatin1String("cancelled")).toBool();
    t.durationMs = num(o, "duration_ms");
    t.timeMs = num(o, "time_ms");
    t.log = str(o, "log");
    return t;
}

// --- ClientInfo, counters, limits ---------------------------------------

QJsonObject ClientInfo::toJson() const
{
    return QJsonObject{{QStringLiteral("client"), client},
                       {QStringLiteral("pid"), pid},
                       {QStringLiteral("command"), command}};
}

ClientInfo ClientInfo::fromJson(const QJsonObject &o)
{
    return ClientInfo{num(o, "client"), num(o, "pid"), str(o, "command")};
}

QJsonObject TaskCounters::toJson() const
{
    return QJsonObject{{QStringLiteral("submitted"), submitted},
                       {QStringLiteral("passed"), passed},
                       {QStringLiteral("failed"), failed},
                       {QStringLiteral("cancelled"), cancelled},
                       {QStringLiteral("retried"), retried}};
}

TaskCounters TaskCounters::fromJson(const QJsonObject &o)
{
    TaskCounters c;
    c.submitted = num(o, "submitted");
    c.passed = num(o, "passed");
    c.failed = num(o, "failed");
    c.cancelled = num(o, "cancelled");
    c.retried = num(o, "retried");
    return c;
}

QJsonObject PoolLimits::toJson() const
{
    return QJsonObject{{QStringLiteral("min_workers"), minWorkers},
                       {QStringLiteral("max_workers"), maxWorkers},
                       {QStringLiteral("idle_timeout"), idleTimeoutS},
                       {QStringLiteral("launch_batch_size"), launchBatchSize}};
}

PoolLimits PoolLimits::fromJson(const QJsonObject &o)
{
    PoolLimits p;
    p.minWorkers = int(num(o, "min_workers"));
    p.maxWorkers = int(num(o, "max_workers"));
    p.idleTimeoutS = o.value(QLatin1String("idle_timeout")).toDouble();
    p.launchBatchSize = int(num(o, "launch_batch_size"));
    return p;
}

// --- DaemonStatus -------------------------------------------------------

QJsonObject DaemonStatus::toJson() const
{
    QJsonObject byClass, byClient;
    for (auto it = queuedByClass.begin(); it != queuedByClass.end(); ++it)
        byClass.insert(it.key(), it.value());
    for (auto it = queuedByClient.begin(); it != queuedByClient.end(); ++it)
        byClient.insert(QString::number(it.key()), it.value());
    return QJsonObject{
        {QStringLiteral("pid"), pid},
        {QStringLiteral("workers"), toArray(workers)},
        {QStringLiteral("pending_tasks"), pendingTasks},
        {QStringLiteral("runner"), runner},
        {QStringLiteral("running_tasks"), runningTasks},
        {QStringLiteral("running"), toArray(running)},
        {QStringLiteral("uptime_s"), uptimeS},
        {QStringLiteral("started"), started},
        {QStringLiteral("now_ms"), nowMs},
        {QStringLiteral("socket"), socket},
        {QStringLiteral("worker_port"), workerPort},
        {QStringLiteral("clients"), clients},
        {QStringLiteral("monitors"), monitors},
        {QStringLiteral("client_list"), toArray(clientList)},
        {QStringLiteral("queued_by_class"), byClass},
        {QStringLiteral("queued_by_client"), byClient},
        {QStringLiteral("version"), version},
        {QStringLiteral("counters"), counters.toJson()},
        {QStringLiteral("pool"), pool.toJson()},
        {QStringLiteral("recent"), toArray(recent)},
    };
}

DaemonStatus DaemonStatus::fromJson(const QJsonObject &o)
{
    DaemonStatus s;
    s.pid = num(o, "pid");
    s.workers = fromArray<WorkerInfo>(o.value(QLatin1String("workers")));
    s.pendingTasks = int(num(o, "pending_tasks"));
    s.runner = str(o, "runner");
    s.runningTasks = int(num(o, "running_tasks"));
    s.running = fromArray<RunningTask>(o.value(QLatin1String("running")));
    s.uptimeS = num(o, "uptime_s");
    s.started = str(o, "started");
    s.nowMs = num(o, "now_ms");
    s.socket = str(o, "socket");
    s.workerPort = int(num(o, "worker_port"));
    s.clients = int(num(o, "clients"));
    s.monitors = int(num(o, "monitors"));
    s.clientList = fromArray<ClientInfo>(o.value(QLatin1String("client_list")));
    const QJsonObject byClass = o.value(QLatin1String("queued_by_class")).toObject();
    for (auto it = byClass.begin(); it != byClass.end(); ++it)
        s.queuedByClass.insert(it.key(), it.value().toInt());
    const QJsonObject byClient = o.value(QLatin1String("queued_by_client")).toObject();
    for (auto it = byClient.begin(); it != byClient.end(); ++it)
        s.queuedByClient.insert(it.key().toLongLong(), it.value().toInt());
    s.version = str(o, "version");
    s.counters = TaskCounters::fromJson(o.value(QLatin1String("counters")).toObject());
    s.pool = PoolLimits::fromJson(o.value(QLatin1String("pool")).toObject());
    s.recent = fromArray<TaskCompleted>(o.value(QLatin1String("recent")));
    return s;
}

// --- ResultFacts --------------------------------------------------------

ResultFacts ResultFacts::of(const TaskResult &r)
{
    const QJsonObject &x = r.extra;
    ResultFacts f;
    f.exitCode = x.value(QLatin1String("exit_code")).isDouble() ? int(num(x, "exit_code")) : -1;
    f.signal = int(num(x, "signal"));
    f.durationMs = num(x, "duration_ms");
    f.workerId = str(x, "worker_id");
    f.hostname = str(x, "hostname");
    f.log = str(x, "log");
    f.attempts = int(num(x, "attempts"));
    f.cancelled = x.value(QLatin1String("cancelled")).toBool();
    if (!r.markers.isEmpty())
        f.firstMarker = str(r.markers.first().toObject(), "msg");
    return f;
}

// --- MonitorEvent -------------------------------------------------------

MonitorEvent MonitorEvent::fromMessage(const QString &method, const QJsonObject &p)
{
    MonitorEvent e;
    if (method == kEvSnapshot) {
        e.kind = Snapshot;
        e.snapshot = DaemonStatus::fromJson(p);
    } else if (method == kEvWorkerState) {
        e.kind = WorkerState;
        e.worker = WorkerInfo::fromJson(p);
    } else if (method == kEvTaskQueued) {
        e.kind = Queued;
        e.queued = TaskQueued::fromJson(p);
    } else if (method == kEvTaskDispatched) {
        e.kind = Dispatched;
        e.dispatched = RunningTask::fromJson(p);
    } else if (method == kEvTaskCompleted) {
        e.kind = Completed;
        e.completed = TaskCompleted::fromJson(p);
    } else if (method == kEvClientConnected) {
        e.kind = ClientConnected;
        e.client = ClientInfo::fromJson(p);
    } else if (method == kEvClientDisconnected) {
        e.kind = ClientDisconnected;
        e.client = ClientInfo::fromJson(p);
    }
    return e;
}

QJsonObject MonitorEvent::toMessage() const
{
    switch (kind) {
    case Snapshot:
        return event(kEvSnapshot, snapshot.toJson());
    case WorkerState:
        return event(kEvWorkerState, worker.toJson());
    case Queued:
        return event(kEvTaskQueued, queued.toJson());
    case Dispatched: {
        QJsonObject p = dispatched.toJson();
        p.insert(QStringLiteral("time"), stamp(dispatched.startedMs)); // as before the typed payloads
        return event(kEvTaskDispatched, p);
    }
    case Completed:
        return event(kEvTaskCompleted, completed.toJson());
    case ClientConnected:
        return event(kEvClientConnected, client.toJson());
    case ClientDisconnected:
        return event(kEvClientDisconnected, client.toJson());
    case Unknown:
        break;
    }
    return {};
}

} // namespace dfm::proto
