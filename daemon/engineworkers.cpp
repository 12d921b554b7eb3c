// Engine, part two: its workers as the transport reports them. Who may
// register (a worker it launched and still waits for), what they send
// (results, heartbeats), and the tick that notices silent workers. The
// sockets, the secret and the handshake are the transport's
// (workertransport.h).

#include "engine.h"

#include <QDateTime>

namespace dfm {

QString Engine::admitWorker(const proto::WorkerRegistration &reg)
{
    const WorkerKey key = m_workerIds.value(reg.workerId);
    auto it = m_workers.find(key);
    if (!key || it == m_workers.end() || it->second.connected)
        return QStringLiteral("worker.register: '%1' is not a worker this daemon is waiting for").arg(reg.workerId);
    if (!m_pool.workerJoined(key, now()))
        return QStringLiteral("worker.register: '%1' is not pending").arg(reg.workerId);
    return {};
}

void Engine::onWorkerRegistered(const QString &id, const proto::WorkerRegistration &reg)
{
    auto it = m_workers.find(m_workerIds.value(id));
    if (it == m_workers.end())
        return; // admitted just now, so it is there
    WorkerRec &w = it->second;
    w.connected = true;
    w.hostname = reg.hostname;
    w.pid = reg.pid;
    if (!reg.jobId.isEmpty())
        w.jobId = reg.jobId;
    else if (!reg.lsfJobId.isEmpty())
        w.jobId = reg.lsfJobId;
    w.schedulerState.clear();
    w.sinceWallMs = QDateTime::currentMSecsSinceEpoch();
    log(QStringLiteral("worker %1 registered from %2 (pid %3)").arg(w.id, w.hostname).arg(w.pid));
    emitWorkerState(w, proto::kStateIdle);
    applyActions(); // workerJoined may have dispatched a queued task
}

void Engine::onWorkerMessage(const QString &id, const proto::Message &msg)
{
    const WorkerKey key = m_workerIds.value(id);
    auto it = m_workers.find(key);
    if (!key || it == m_workers.end())
        return;
    WorkerRec &w = it->second;
    m_pool.heard(key, now()); // any message says it lives; the pool decides about silence
    if (msg.method == proto::kWorkerHeartbeat)
        return;
    if (msg.method != proto::kTaskResult) {
        if (msg.isRequest())
            m_transport->send(id, proto::errorResponse(msg.id, QStringLiteral("Unknown method: %1").arg(msg.method)));
        return;
    }
    // A result the scanner declined (core/wirescan.h): parsed, then passed
    // on the same way.
    proto::TaskResult result;
    QString err;
    if (!proto::parseTaskResult(msg.params, &result, &err))
        result = proto::failedResult(QStringLiteral("worker %1 sent a malformed result: %2").arg(w.id, err));
    takeResult(key, w, msg.params.value(QLatin1String("request_id")).toString().toUtf8(), proto::passedResult(result));
}

void Engine::onWorkerResult(const QString &id, const QByteArray &requestId, const proto::PassedResult &result)
{
    const WorkerKey key = m_workerIds.value(id);
    auto it = m_workers.find(key);
    if (!key || it == m_workers.end())
        return;
    m_pool.heard(key, now());
    takeResult(key, it->second, requestId, result);
}

void Engine::takeResult(WorkerKey key, WorkerRec &w, const QByteArray &requestId, proto::PassedResult result)
{
    const TaskTable::Task *t = w.task ? m_tasks.find(w.task) : nullptr;
    if (!t || !m_tasks.hasRequestId(w.task, requestId)) {
        log(QStringLiteral("worker %1 sent a result for '%2', which it is not running; ignored")
                .arg(w.id, QString::fromUtf8(requestId)));
        return;
    }
    // The daemon's own fields: passedResult() and the scanner leave them out.
    result.add(proto::kFieldWorkerId, w.id);
    if (!w.hostname.isEmpty())
        result.setHostname(w.hostname);
    if (t->cancelRequested && !result.hasCancelled && result.status != 0) {
        result.cancelled = result.hasCancelled = true;
        result.add(QLatin1String("cancelled"), true);
    }
    const TaskKey task = w.task;
    w.task = 0;
    ++w.tasksDone;
    w.sinceWallMs = QDateTime::currentMSecsSinceEpoch();
    // The pool first: a client that submits on hearing the result must find
    // this worker free (or busy with the next queued task), not launch
    // another. The freed worker gets its next task before the result goes
    // out: it can start that task while the daemon answers the client.
    m_pool.taskFinished(key, now());
    if (m_pool.workerState(key) == WorkerState::Idle)
        emitWorkerState(w, proto::kStateIdle);
    applyActions();
    finishTask(task, std::move(result));
    applyActions();
}

void Engine::onTick()
{
    m_pool.tick(now()); // Lose actions for silent workers, idle teardown, probes
    applyActions();
}

} // namespace dfm
