#include "monitormodel.h"

#include <QDateTime>

#include <algorithm>

namespace dfm {

namespace {

bool workerIdLess(const QString &a, const QString &b)
{
    return a.size() != b.size() ? a.size() < b.size() : a < b;
}

bool isGone(const QString &state)
{
    return state == QLatin1String("stopped") || state == QLatin1String("lost");
}

} // namespace

MonitorModel::MonitorModel(int recentKept) : m_recentKept(qMax(1, recentKept)) {}

unsigned MonitorModel::apply(const QString &method, const QJsonObject &params)
{
    return apply(proto::MonitorEvent::fromMessage(method, params));
}

unsigned MonitorModel::apply(const proto::MonitorEvent &e)
{
    switch (e.kind) {
    case proto::MonitorEvent::Snapshot:
        return reset(e.snapshot);
    case proto::MonitorEvent::WorkerState:
        return onWorker(e.worker);
    case proto::MonitorEvent::Queued:
        return onQueued(e.queued);
    case proto::MonitorEvent::Dispatched:
        return onDispatched(e.dispatched);
    case proto::MonitorEvent::Completed:
        return onCompleted(e.completed);
    case proto::MonitorEvent::ClientConnected:
        m_clients.insert(e.client.client, e.client);
        return ClientsChanged;
    case proto::MonitorEvent::ClientDisconnected:
        return m_clients.remove(e.client.client) ? ClientsChanged : NoChange;
    case proto::MonitorEvent::Unknown:
        break;
    }
    return NoChange;
}

unsigned MonitorModel::clear()
{
    *this = MonitorModel(m_recentKept);
    return Everything;
}

unsigned MonitorModel::reset(const proto::DaemonStatus &s)
{
    clear();
    m_haveSnapshot = true;
    m_daemon.pid = s.pid;
    m_daemon.runner = s.runner;
    m_daemon.version = s.version;
    m_daemon.socket = s.socket;
    m_daemon.pool = s.pool;
    m_daemon.started = s.started;
    if (s.nowMs > 0)
        m_daemon.startedMs = s.nowMs - s.uptimeS * 1000;
    else
        m_daemon.startedMs = QDateTime::fromString(s.started, Qt::ISODate).toMSecsSinceEpoch();
    for (const proto::WorkerInfo &w : s.workers)
        m_workers.insert(w.workerId, w);
    for (const proto::RunningTask &t : s.running)
        m_running.insert(TaskId(t.client, t.requestId), t);
    for (const proto::TaskCompleted &c : s.recent) {
        m_recent.push_back(c);
        if (int(m_recent.size()) > m_recentKept)
            m_recent.pop_front();
    }
    m_queuedByClass = s.queuedByClass;
    m_queuedByClient = s.queuedByClient;
    m_queuedTotal = s.pendingTasks;
    m_totals = s.counters;
    for (const proto::ClientInfo &c : s.clientList)
        m_clients.insert(c.client, c);
    return Everything;
}

unsigned MonitorModel::onWorker(const proto::WorkerInfo &w)
{
    if (!isGone(w.state)) {
        m_workers.insert(w.workerId, w);
        return WorkersChanged;
    }
    unsigned changed = m_workers.remove(w.workerId) ? WorkersChanged : NoChange;
    // Its task is requeued (task.queued) or failed (task.completed) next;
    // either way it no longer runs there.
    for (auto it = m_running.begin(); it != m_running.end();) {
        if (it->workerId == w.workerId) {
            it = m_running.erase(it);
            changed |= RunningChanged;
        } else {
            ++it;
        }
    }
    return changed;
}

void MonitorModel::addQueued(const QString &cls, qint64 client, int delta)
{
    auto bump = [delta](auto &map, const auto &key) {
        auto it = map.find(key);
        if (it == map.end()) {
            if (delta > 0)
                map.insert(key, delta);
            return;
        }
        *it += delta;
        if (*it <= 0)
            map.erase(it);
    };
    bump(m_queuedByClass, cls);
    bump(m_queuedByClient, client);
    m_queuedTotal = qMax(0, m_queuedTotal + delta);
}

bool MonitorModel::unqueue(const TaskId &id, const QString &cls, qint64 client)
{
    const auto it = m_queued.find(id);
    if (it != m_queued.end()) {
        addQueued(*it, id.first, -1);
        m_queued.erase(it);
        return true;
    }
    // Queued before the snapshot: it is in the counts, not in m_queued.
    if (m_queuedByClass.value(cls) > 0 && m_queuedByClient.value(client) > 0) {
        addQueued(cls, client, -1);
        return true;
    }
    return false;
}

unsigned MonitorModel::onQueued(const proto::TaskQueued &q)
{
    const TaskId id(q.client, q.requestId);
    if (m_queued.contains(id))
        return NoChange; // a repeated event: already counted
    unsigned changed = QueueChanged | TotalsChanged;
    if (m_running.remove(id))
        changed |= RunningChanged;
    m_queued.insert(id, q.resourceClass);
    addQueued(q.resourceClass, q.client, +1);
    if (q.attempt > 1)
        ++m_totals.retried;
    else
        ++m_totals.submitted;
    return changed;
}

unsigned MonitorModel::onDispatched(const proto::RunningTask &t)
{
    const TaskId id(t.client, t.requestId);
    unsigned changed = RunningChanged;
    if (!m_running.contains(id) && unqueue(id, t.resourceClass, t.client))
        changed |= QueueChanged;
    m_running.insert(id, t);
    return changed;
}

unsigned MonitorModel::onCompleted(const proto::TaskCompleted &c)
{
    const TaskId id(c.client, c.requestId);
    unsigned changed = CompletionsChanged | TotalsChanged;
    if (m_running.remove(id))
        changed |= RunningChanged;
    else if ((m_queued.contains(id) || c.workerId.isEmpty()) && unqueue(id, c.resourceClass, c.client))
        changed |= QueueChanged; // never ran (again): cancelled or failed while queued
    if (c.cancelled)
        ++m_totals.cancelled;
    else if (c.status == 0)
        ++m_totals.passed;
    else
        ++m_totals.failed;
    m_recent.push_back(c);
    if (int(m_recent.size()) > m_recentKept)
        m_recent.pop_front();
    return changed;
}

qint64 MonitorModel::uptimeMs(qint64 nowMs) const
{
    return m_daemon.startedMs > 0 ? qMax<qint64>(0, nowMs - m_daemon.startedMs) : 0;
}

QList<proto::WorkerInfo> MonitorModel::workers() const
{
    QList<proto::WorkerInfo> out = m_workers.values();
    std::sort(out.begin(), out.end(), [](const proto::WorkerInfo &a, const proto::WorkerInfo &b) {
        return workerIdLess(a.workerId, b.workerId);
    });
    return out;
}

MonitorModel::WorkerCounts MonitorModel::workerCounts() const
{
    WorkerCounts c;
    for (const proto::WorkerInfo &w : m_workers) {
        ++c.total;
        if (w.state == proto::kStateBusy)
            ++c.busy;
        else if (w.state == proto::kStateIdle)
            ++c.idle;
        else if (w.state == proto::kStatePending)
            ++c.pending;
    }
    return c;
}

QList<proto::RunningTask> MonitorModel::running() const
{
    QList<proto::RunningTask> out = m_running.values();
    std::sort(out.begin(), out.end(), [](const proto::RunningTask &a, const proto::RunningTask &b) {
        if (a.startedMs != b.startedMs)
            return a.startedMs < b.startedMs;
        if (a.client != b.client)
            return a.client < b.client;
        return a.requestId < b.requestId;
    });
    return out;
}

QString MonitorModel::clientLabel(qint64 client) const
{
    const auto it = m_clients.constFind(client);
    if (it != m_clients.cend() && it->pid > 0)
        return QStringLiteral("run %1 (pid %2)").arg(client).arg(it->pid);
    return QStringLiteral("run %1").arg(client);
}

} // namespace dfm
