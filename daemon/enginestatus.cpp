// Engine, part three: what it reports: WORKER records, status.get's result
// and the monitors' snapshot and worker.state events.

#include "engine.h"

#include <QDateTime>
#include <QJsonArray>

#include <algorithm>

namespace dfm {

void Engine::emitWorkerState(const WorkerRec &w, const QString &state)
{
    proto::WorkerInfo info = infoOf(w);
    info.state = state;
    Q_EMIT monitorEvent(proto::event(proto::kEvWorkerState, info.toJson()));
}

proto::WorkerInfo Engine::infoOf(const WorkerRec &w) const
{
    proto::WorkerInfo i;
    i.workerId = w.id;
    i.resourceClass = w.resourceClass;
    i.hostname = w.hostname;
    switch (m_pool.workerState(w.key)) {
    case WorkerState::Pending: i.state = proto::kStatePending; break;
    case WorkerState::Idle: i.state = proto::kStateIdle; break;
    case WorkerState::Busy: i.state = proto::kStateBusy; break;
    case WorkerState::Unknown: i.state = QStringLiteral("stopping"); break;
    }
    auto t = m_tasks.find(w.task);
    if (w.task && t != m_tasks.end())
        i.currentTask = t->second.spec.name;
    i.jobId = w.jobId;
    if (i.state == proto::kStatePending)
        i.schedulerState = w.schedulerState;
    i.pid = w.pid;
    i.tasksDone = w.tasksDone;
    i.since = proto::utcStamp(w.sinceWallMs);
    return i;
}

QList<proto::WorkerInfo> Engine::workers() const
{
    QList<proto::WorkerInfo> out;
    for (const auto &[key, w] : m_workers)
        out.append(infoOf(w));
    std::sort(out.begin(), out.end(), [](const proto::WorkerInfo &a, const proto::WorkerInfo &b) {
        return a.workerId.size() != b.workerId.size() ? a.workerId.size() < b.workerId.size()
                                                      : a.workerId < b.workerId;
    });
    return out;
}

QJsonObject Engine::status() const
{
    QJsonArray workers;
    for (const proto::WorkerInfo &w : this->workers())
        workers.append(w.toJson());
    QJsonArray running;
    for (const auto &[key, t] : m_tasks) {
        if (!t.worker || !t.startedWallMs)
            continue;
        running.append(QJsonObject{{QStringLiteral("request_id"), t.spec.requestId},
                                   {QStringLiteral("name"), t.spec.name},
                                   {QStringLiteral("worker_id"), workerIdOf(t.worker)},
                                   {QStringLiteral("client"), qint64(t.owner)},
                                   {QStringLiteral("started"), proto::utcStamp(t.startedWallMs)}});
    }
    return QJsonObject{
        {QStringLiteral("workers"), workers},
        {QStringLiteral("pending_tasks"), m_pool.queuedCount()},
        {QStringLiteral("running_tasks"), m_pool.runningCount()},
        {QStringLiteral("running"), running},
        {QStringLiteral("runner"), runnerName()},
        {QStringLiteral("uptime_s"), (QDateTime::currentMSecsSinceEpoch() - m_startedWallMs) / 1000},
        {QStringLiteral("counters"),
         QJsonObject{{QStringLiteral("submitted"), m_count.submitted},
                     {QStringLiteral("passed"), m_count.passed},
                     {QStringLiteral("failed"), m_count.failed},
                     {QStringLiteral("cancelled"), m_count.cancelled},
                     {QStringLiteral("retried"), m_count.retried}}},
        {QStringLiteral("pool"),
         QJsonObject{{QStringLiteral("min_workers"), m_opt.pool.minWorkers},
                     {QStringLiteral("max_workers"), m_opt.pool.maxWorkers},
                     {QStringLiteral("idle_timeout"), m_opt.pool.idleTimeoutMs / 1000.0},
                     {QStringLiteral("launch_batch_size"), m_opt.pool.launchBatchSize}}},
    };
}

QJsonObject Engine::snapshot() const
{
    QJsonObject s = status();
    QJsonArray recent;
    for (const QJsonObject &r : m_recent)
        recent.append(r);
    s.insert(QStringLiteral("recent"), recent);
    return s;
}

} // namespace dfm
