// Engine, part three: what it reports: WORKER records, status.get's result
// (which is also the monitors' snapshot) and the monitor events. Every
// payload is a typed struct from core/payloads.h; events are built only
// while someone listens.

#include "engine.h"

#include <QDateTime>

#include <algorithm>

namespace dfm {

void Engine::emitEvent(proto::MonitorEvent::Kind kind, proto::MonitorEvent &&e)
{
    e.kind = kind;
    Q_EMIT monitorEvent(e);
}

void Engine::emitWorkerState(const WorkerRec &w, const QString &state)
{
    if (!m_eventsWanted)
        return;
    proto::MonitorEvent e;
    e.worker = infoOf(w);
    e.worker.state = state;
    emitEvent(proto::MonitorEvent::WorkerState, std::move(e));
}

void Engine::emitQueued(TaskKey key, int attempt)
{
    if (!m_eventsWanted)
        return;
    const TaskTable::Task *t = m_tasks.find(key);
    if (!t)
        return;
    proto::MonitorEvent e;
    e.queued.requestId = m_tasks.requestId(key);
    e.queued.name = m_tasks.name(key);
    e.queued.client = qint64(t->owner);
    e.queued.resourceClass = m_tasks.resourceClass(key);
    e.queued.timeMs = QDateTime::currentMSecsSinceEpoch();
    e.queued.attempt = attempt;
    emitEvent(proto::MonitorEvent::Queued, std::move(e));
}

proto::RunningTask Engine::runningOf(TaskKey key) const
{
    proto::RunningTask r;
    const TaskTable::Task *t = m_tasks.find(key);
    if (!t)
        return r;
    r.requestId = m_tasks.requestId(key);
    r.name = m_tasks.name(key);
    r.client = qint64(t->owner);
    r.resourceClass = m_tasks.resourceClass(key);
    r.attempt = t->attempts;
    const auto run = m_running.find(key);
    const WorkerKey worker = run != m_running.end() ? run->second.worker : 0;
    r.startedMs = run != m_running.end() ? run->second.startedWallMs : 0;
    const auto w = m_workers.find(worker);
    if (w != m_workers.end()) {
        r.workerId = w->second.id;
        r.hostname = w->second.hostname;
    } else if (worker) {
        r.workerId = workerIdOf(worker);
    }
    return r;
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
    if (const TaskTable::Task *t = w.task ? m_tasks.find(w.task) : nullptr) {
        i.currentTask = m_tasks.name(w.task);
        i.currentRequestId = m_tasks.requestId(w.task);
        i.currentClient = qint64(t->owner);
    }
    i.jobId = w.jobId;
    if (i.state == proto::kStatePending)
        i.schedulerState = w.schedulerState;
    i.pid = w.pid;
    i.tasksDone = w.tasksDone;
    i.sinceMs = w.sinceWallMs;
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

// One pass over the outstanding tasks: the running list and the queue by
// class and by client. O(outstanding tasks), once per status.get or subscribe.
proto::DaemonStatus Engine::status() const
{
    proto::DaemonStatus s;
    s.workers = workers();
    s.pendingTasks = m_pool.queuedCount();
    s.runner = runnerName();
    s.runningTasks = m_pool.runningCount();
    for (const auto &[key, run] : m_running)
        if (run.startedWallMs)
            s.running.append(runningOf(key));
    m_tasks.forEach([&](TaskKey key, const TaskTable::Task &t) {
        if (m_running.count(key))
            return;
        ++s.queuedByClass[m_tasks.resourceClass(key)];
        ++s.queuedByClient[qint64(t.owner)];
    });
    std::sort(s.running.begin(), s.running.end(), [](const proto::RunningTask &a, const proto::RunningTask &b) {
        return a.startedMs != b.startedMs ? a.startedMs < b.startedMs : a.requestId < b.requestId;
    });
    s.nowMs = QDateTime::currentMSecsSinceEpoch();
    s.uptimeS = (s.nowMs - m_startedWallMs) / 1000;
    s.counters = m_count;
    s.pool.minWorkers = m_opt.pool.minWorkers;
    s.pool.maxWorkers = m_opt.pool.maxWorkers;
    s.pool.idleTimeoutS = m_opt.pool.idleTimeoutMs / 1000.0;
    s.pool.launchBatchSize = m_opt.pool.launchBatchSize;
    s.recent.reserve(qsizetype(m_recent.size()));
    for (const proto::TaskCompleted &c : m_recent)
        s.recent.append(c);
    return s;
}

} // namespace dfm
