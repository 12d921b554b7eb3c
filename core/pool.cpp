// The worker pool's scheduling logic. Every event costs O(1) amortised (hash
// lookups, list splices, popping tombstones once): nothing scans the queue or
// the set of workers. See pool.h for the contract.
#include "pool.h"

#include <algorithm>
#include <utility>

namespace dfm {

namespace {

QString className(const QString &name)
{
    return name.isEmpty() ? QStringLiteral("default") : name;
}

PoolAction makeAction(PoolAction::Kind kind, WorkerKey worker, TaskKey task,
                      const QString &resourceClass, const QString &reason = QString())
{
    PoolAction a;
    a.kind = kind;
    a.worker = worker;
    a.task = task;
    a.resourceClass = resourceClass;
    a.reason = reason;
    return a;
}

} // namespace

Pool::Pool(const PoolConfig &config)
    : m_cfg(config)
{
}

Pool::ClassState &Pool::classState(const QString &name)
{
    auto [it, inserted] = m_classes.try_emplace(name);
    if (inserted)
        it->second.name = name;
    return it->second;
}

void Pool::updateWanting(ClassState &cls)
{
    const bool want = !m_shutDown && cls.queued > cls.pending;
    if (want && !cls.wanting) {
        cls.wantIt = m_wanting.insert(m_wanting.end(), &cls);
        cls.wanting = true;
    } else if (!want && cls.wanting) {
        m_wanting.erase(cls.wantIt);
        cls.wanting = false;
    }
}

void Pool::launchOne(ClassState &cls, qint64 nowMs)
{
    const WorkerKey key = m_nextWorker++;
    Worker &w = m_workers[key];
    w.cls = &cls;
    w.since = nowMs;
    w.orderIt = m_pendingOrder.insert(m_pendingOrder.end(), key);
    ++cls.pending;
    ++m_pendingTotal;
    m_actions.push_back(makeAction(PoolAction::Launch, key, 0, cls.name));
    updateWanting(cls);
}

// Launches up to min(batch, room, queued - pending) workers of `cls`. With no
// room left, idle workers of other classes (longest idle first) make room:
// an idle worker never belongs to a class with queued tasks, since becoming
// idle takes the next queued task of the class.
int Pool::launchFor(ClassState &cls, qint64 nowMs)
{
    const int need = std::min(m_cfg.launchBatchSize, cls.queued - cls.pending);
    if (need <= 0)
        return 0;
    const int room = m_cfg.maxWorkers - workerCount();
    if (room > 0) {
        const int n = std::min(need, room);
        for (int i = 0; i < n; ++i)
            launchOne(cls, nowMs);
        return n;
    }
    int n = 0;
    while (n < need && !m_idleOrder.empty()) {
        const WorkerKey victim = m_idleOrder.front();
        if (m_workers.at(victim).cls == &cls)
            break; // cannot happen (see above); never stop our own class
        stopWorker(victim);
        launchOne(cls, nowMs);
        ++n;
    }
    return n;
}

// Gives launches to classes still short of workers, round robin, until the
// pool has neither room nor idle workers to give. Costs O(1 + launches).
void Pool::rebalance(qint64 nowMs)
{
    size_t rounds = m_wanting.size();
    while (rounds-- > 0 && !m_wanting.empty()) {
        ClassState *cls = m_wanting.front();
        if (launchFor(*cls, nowMs) == 0)
            break; // no room and no idle worker: nobody else can launch either
        if (cls->wanting)
            m_wanting.splice(m_wanting.end(), m_wanting, cls->wantIt);
    }
}

void Pool::stopWorker(WorkerKey key)
{
    auto it = m_workers.find(key);
    if (it == m_workers.end())
        return;
    m_actions.push_back(makeAction(PoolAction::Stop, key, 0, it->second.cls->name));
    removeWorker(it);
}

void Pool::removeWorker(std::unordered_map<WorkerKey, Worker>::iterator it)
{
    Worker &w = it->second;
    ClassState &cls = *w.cls;
    switch (w.state) {
    case WorkerState::Pending:
        m_pendingOrder.erase(w.orderIt);
        --cls.pending;
        --m_pendingTotal;
        break;
    case WorkerState::Idle:
        m_idleOrder.erase(w.orderIt);
        cls.idle.erase(w.classIdleIt);
        --m_idleTotal;
        --cls.live;
        break;
    case WorkerState::Busy:
        m_tasks.erase(w.task);
        --m_busy;
        --cls.live;
        break;
    case WorkerState::Unknown:
        break;
    }
    if (w.inHeard)
        m_heardOrder.erase(w.heardIt);
    m_workers.erase(it);
    updateWanting(cls);
}

bool Pool::popQueued(ClassState &cls, TaskKey *task)
{
    while (!cls.queue.empty()) {
        const QueuedTask q = cls.queue.front();
        cls.queue.pop_front();
        auto it = m_tasks.find(q.task);
        if (it == m_tasks.end() || it->second.seq != q.seq || it->second.worker != 0)
            continue; // tombstone of a cancelled (maybe resubmitted) task
        --cls.queued;
        --m_queuedTotal;
        updateWanting(cls);
        *task = q.task;
        return true;
    }
    return false;
}

void Pool::dispatch(WorkerKey key, Worker &w, TaskKey task)
{
    w.state = WorkerState::Busy;
    w.task = task;
    ++m_busy;
    TaskEntry &t = m_tasks.at(task);
    t.worker = key;
    ++t.attempts;
    m_actions.push_back(makeAction(PoolAction::Dispatch, key, task, w.cls->name));
}

void Pool::becomeIdle(WorkerKey key, Worker &w, qint64 nowMs)
{
    TaskKey task = 0;
    if (popQueued(*w.cls, &task)) {
        dispatch(key, w, task);
        return;
    }
    w.state = WorkerState::Idle;
    w.since = nowMs;
    w.orderIt = m_idleOrder.insert(m_idleOrder.end(), key);
    w.classIdleIt = w.cls->idle.insert(w.cls->idle.end(), key);
    ++m_idleTotal;
}

void Pool::failQueued(ClassState &cls, const QString &reason)
{
    const QString text = QStringLiteral("no worker could be started for resource class '%1': %2")
                             .arg(className(cls.name), reason);
    for (const QueuedTask &q : cls.queue) {
        auto it = m_tasks.find(q.task);
        if (it == m_tasks.end() || it->second.seq != q.seq || it->second.worker != 0)
            continue;
        m_tasks.erase(it);
        m_actions.push_back(makeAction(PoolAction::FailTask, 0, q.task, cls.name, text));
    }
    cls.queue.clear();
    m_queuedTotal -= cls.queued;
    cls.queued = 0;
    updateWanting(cls);
}

// Drops tombstones once they outnumber live entries, keeping cancel O(1)
// amortised and the deque's memory proportional to the live queue.
void Pool::compact(ClassState &cls)
{
    if (cls.queue.size() < 64 || cls.queue.size() <= 2 * size_t(cls.queued))
        return;
    std::deque<QueuedTask> live;
    for (const QueuedTask &q : cls.queue) {
        auto it = m_tasks.find(q.task);
        if (it != m_tasks.end() && it->second.seq == q.seq && it->second.worker == 0)
            live.push_back(q);
    }
    cls.queue.swap(live);
}

void Pool::submit(TaskKey task, const QString &resourceClass, qint64 nowMs)
{
    if (m_shutDown) {
        m_actions.push_back(makeAction(PoolAction::FailTask, 0, task, resourceClass,
                                       QStringLiteral("daemon is shutting down")));
        return;
    }
    if (m_tasks.count(task))
        return;
    ClassState &cls = classState(resourceClass);
    const quint64 seq = m_nextSeq++;
    m_tasks.emplace(task, TaskEntry{&cls, seq});
    if (!cls.idle.empty()) {
        const WorkerKey key = cls.idle.back(); // most recently idle: the oldest age out
        Worker &w = m_workers.at(key);
        m_idleOrder.erase(w.orderIt);
        cls.idle.erase(w.classIdleIt);
        --m_idleTotal;
        dispatch(key, w, task);
        return;
    }
    cls.queue.push_back(QueuedTask{task, seq});
    ++cls.queued;
    ++m_queuedTotal;
    updateWanting(cls);
    launchFor(cls, nowMs);
}

bool Pool::workerJoined(WorkerKey worker, qint64 nowMs)
{
    auto it = m_workers.find(worker);
    if (it == m_workers.end() || it->second.state != WorkerState::Pending)
        return false;
    Worker &w = it->second;
    ClassState &cls = *w.cls;
    m_pendingOrder.erase(w.orderIt);
    --cls.pending;
    --m_pendingTotal;
    ++cls.live;
    cls.failures = 0;
    if (cls.name.isEmpty())
        m_warmFailures = 0;
    w.heard = nowMs;
    w.heardIt = m_heardOrder.insert(m_heardOrder.end(), worker);
    w.inHeard = true;
    becomeIdle(worker, w, nowMs);
    updateWanting(cls);
    rebalance(nowMs);
    return true;
}

void Pool::taskFinished(WorkerKey worker, qint64 nowMs)
{
    auto it = m_workers.find(worker);
    if (it == m_workers.end() || it->second.state != WorkerState::Busy)
        return;
    Worker &w = it->second;
    m_tasks.erase(w.task);
    w.task = 0;
    --m_busy;
    becomeIdle(worker, w, nowMs);
    rebalance(nowMs);
}

void Pool::heard(WorkerKey worker, qint64 nowMs)
{
    auto it = m_workers.find(worker);
    if (it == m_workers.end() || !it->second.inHeard)
        return;
    it->second.heard = nowMs;
    m_heardOrder.splice(m_heardOrder.end(), m_heardOrder, it->second.heardIt);
}

TaskKey Pool::workerLost(WorkerKey worker, const QString &reason, qint64 nowMs)
{
    auto it = m_workers.find(worker);
    if (it == m_workers.end())
        return 0;
    ClassState &cls = *it->second.cls;
    const bool wasPending = it->second.state == WorkerState::Pending;
    const TaskKey task = it->second.state == WorkerState::Busy ? it->second.task : 0;
    TaskEntry lost{&cls, 0};
    if (task)
        lost = m_tasks.at(task);
    removeWorker(it); // forgets the task too
    if (wasPending && cls.name.isEmpty())
        ++m_warmFailures;
    if (wasPending && ++cls.failures >= m_cfg.maxLaunchFailures && cls.live == 0) {
        failQueued(cls, reason);
        cls.failures = 0;
    }
    if (task) {
        PoolAction a = makeAction(PoolAction::FailTask, 0, task, cls.name, reason);
        a.attempt = lost.attempts;
        if (lost.cancelRequested) {
            a.cancelled = true;
        } else if (lost.attempts < m_cfg.maxAttempts && !m_shutDown) {
            // Back to the front: it has waited longest of all.
            const quint64 seq = m_nextSeq++;
            TaskEntry again{&cls, seq};
            again.attempts = lost.attempts;
            m_tasks.emplace(task, again);
            cls.queue.push_front(QueuedTask{task, seq});
            ++cls.queued;
            ++m_queuedTotal;
            updateWanting(cls);
            a.kind = PoolAction::Requeued;
            a.attempt = lost.attempts + 1;
        }
        m_actions.push_back(a);
        if (a.kind == PoolAction::Requeued && !cls.idle.empty()) {
            const WorkerKey key = cls.idle.back();
            Worker &w = m_workers.at(key);
            m_idleOrder.erase(w.orderIt);
            cls.idle.erase(w.classIdleIt);
            --m_idleTotal;
            TaskKey next = 0;
            popQueued(cls, &next);
            dispatch(key, w, next);
        }
    }
    launchFor(cls, nowMs);
    rebalance(nowMs);
    return task;
}

CancelOutcome Pool::cancel(TaskKey task)
{
    auto it = m_tasks.find(task);
    if (it == m_tasks.end())
        return CancelOutcome::NotFound;
    if (it->second.worker != 0) {
        it->second.cancelRequested = true;
        const Worker &w = m_workers.at(it->second.worker);
        m_actions.push_back(makeAction(PoolAction::CancelRunning, it->second.worker, task,
                                       w.cls->name));
        return CancelOutcome::Running;
    }
    ClassState &cls = *it->second.cls;
    m_tasks.erase(it);
    --cls.queued;
    --m_queuedTotal;
    updateWanting(cls);
    compact(cls);
    return CancelOutcome::Dequeued;
}

void Pool::loseSilent(qint64 nowMs)
{
    if (m_cfg.heartbeatTimeoutMs <= 0)
        return;
    while (!m_heardOrder.empty()) {
        const WorkerKey key = m_heardOrder.front();
        Worker &w = m_workers.at(key);
        const qint64 silent = nowMs - w.heard;
        if (silent <= m_cfg.heartbeatTimeoutMs)
            break;
        m_heardOrder.pop_front();
        w.inHeard = false; // one Lose per worker; the caller reports workerLost
        m_actions.push_back(makeAction(PoolAction::Lose, key, w.task, w.cls->name,
                                       QStringLiteral("no heartbeat for %1 s").arg(silent / 1000.0)));
    }
}

void Pool::tick(qint64 nowMs)
{
    loseSilent(nowMs);
    while (!m_idleOrder.empty() && workerCount() > m_cfg.minWorkers) {
        const WorkerKey key = m_idleOrder.front();
        if (nowMs - m_workers.at(key).since < m_cfg.idleTimeoutMs)
            break;
        stopWorker(key);
    }
    while (!m_pendingOrder.empty()) {
        const WorkerKey key = m_pendingOrder.front();
        Worker &w = m_workers.at(key);
        if (nowMs - w.since < m_cfg.launchTimeoutMs)
            break;
        m_actions.push_back(makeAction(PoolAction::Probe, key, 0, w.cls->name));
        w.since = nowMs;
        m_pendingOrder.splice(m_pendingOrder.end(), m_pendingOrder, w.orderIt);
    }
    rebalance(nowMs);
    keepMinimum(nowMs);
}

void Pool::keepMinimum(qint64 nowMs)
{
    if (m_shutDown || m_warmFailures >= m_cfg.maxLaunchFailures)
        return;
    ClassState &cls = classState(QString());
    const int n = qMin(m_cfg.launchBatchSize, m_cfg.minWorkers - workerCount());
    for (int i = 0; i < n; ++i)
        launchOne(cls, nowMs);
}

std::vector<TaskKey> Pool::shutdown()
{
    if (m_shutDown)
        return {};
    m_shutDown = true;
    std::vector<std::pair<quint64, TaskKey>> queued;
    queued.reserve(size_t(m_queuedTotal));
    for (auto &entry : m_classes) {
        ClassState &cls = entry.second;
        for (const QueuedTask &q : cls.queue) {
            auto it = m_tasks.find(q.task);
            if (it != m_tasks.end() && it->second.seq == q.seq && it->second.worker == 0)
                queued.emplace_back(q.seq, q.task);
        }
        cls.queue.clear();
        cls.queued = 0;
        updateWanting(cls);
    }
    m_queuedTotal = 0;
    std::sort(queued.begin(), queued.end());

    std::vector<WorkerKey> keys;
    keys.reserve(m_workers.size());
    for (const auto &entry : m_workers)
        keys.push_back(entry.first);
    std::sort(keys.begin(), keys.end());
    for (WorkerKey key : keys)
        stopWorker(key);
    m_tasks.clear();

    std::vector<TaskKey> tasks;
    tasks.reserve(queued.size());
    for (const auto &q : queued)
        tasks.push_back(q.second);
    return tasks;
}

std::vector<PoolAction> Pool::takeActions()
{
    std::vector<PoolAction> out;
    out.swap(m_actions);
    return out;
}

int Pool::queuedCount(const QString &resourceClass) const
{
    auto it = m_classes.find(resourceClass);
    return it == m_classes.end() ? 0 : it->second.queued;
}

WorkerState Pool::workerState(WorkerKey worker) const
{
    auto it = m_workers.find(worker);
    return it == m_workers.end() ? WorkerState::Unknown : it->second.state;
}

TaskKey Pool::workerTask(WorkerKey worker) const
{
    auto it = m_workers.find(worker);
    return it == m_workers.end() ? 0 : it->second.task;
}

QString Pool::workerClass(WorkerKey worker) const
{
    auto it = m_workers.find(worker);
    return it == m_workers.end() ? QString() : it->second.cls->name;
}

} // namespace dfm
