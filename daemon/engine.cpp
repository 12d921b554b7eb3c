#include "engine.h"

#include "resources.h"
#include "safefile.h"
#include "wirelines.h"

#include <QDateTime>

#include <algorithm>
#include <malloc.h>

namespace dfm {

namespace {

constexpr size_t kRecentKept = 50;

qint64 envMs(const char *name, qint64 fallback)
{
    bool ok = false;
    const qint64 v = qEnvironmentVariable(name).toLongLong(&ok);
    return ok && v > 0 ? v : fallback;
}

proto::TaskResult cancelledResult(const QString &why)
{
    proto::TaskResult r = proto::failedResult(why);
    r.extra.insert(QStringLiteral("cancelled"), true);
    return r;
}

// The pool decides heartbeat loss and retries; the engine's options say how.
PoolConfig poolConfigOf(const EngineOptions &o)
{
    PoolConfig c = o.pool;
    c.heartbeatTimeoutMs = o.heartbeatTimeoutMs;
    c.maxAttempts = o.maxAttempts;
    return c;
}

} // namespace

void EngineOptions::applyEnvironment()
{
    heartbeatTimeoutMs = envMs("DFM_HEARTBEAT_TIMEOUT_MS", heartbeatTimeoutMs);
    registerTimeoutMs = int(envMs("DFM_REGISTER_TIMEOUT_MS", registerTimeoutMs));
    tickMs = int(envMs("DFM_TICK_MS", tickMs));
}

Engine::Engine(const EngineOptions &options, WorkerLauncher *launcher, QObject *parent)
    : Engine(options, launcher,
             new TcpWorkerTransport(options.listenAddress, options.paths.tokenFile, options.registerTimeoutMs),
             parent)
{
}

Engine::Engine(const EngineOptions &options, WorkerLauncher *launcher, WorkerTransport *transport,
               QObject *parent)
    : QObject(parent), m_opt(options), m_launcher(launcher), m_transport(transport), m_pool(poolConfigOf(options))
{
    m_launcher->setParent(this);
    m_transport->setParent(this);
    m_transport->setAdmission([this](const proto::WorkerRegistration &reg) { return admitWorker(reg); });
    connect(m_transport, &WorkerTransport::workerRegistered, this, &Engine::onWorkerRegistered);
    connect(m_transport, &WorkerTransport::messageReceived, this, &Engine::onWorkerMessage);
    connect(m_transport, &WorkerTransport::resultReceived, this, &Engine::onWorkerResult);
    connect(m_transport, &WorkerTransport::workerDisconnected, this, [this](const QString &id, const QString &why) {
        if (const WorkerKey key = m_workerIds.value(id))
            workerLost(key, why);
    });
    connect(m_transport, &WorkerTransport::logMessage, this, &Engine::logMessage);
    m_clock.start();
    m_startedWallMs = QDateTime::currentMSecsSinceEpoch();
    connect(m_launcher, &WorkerLauncher::workerExited, this,
            [this](const QString &id, const QString &reason) {
                const auto it = m_workerIds.constFind(id);
                if (it == m_workerIds.cend())
                    return;
                const auto w = m_workers.find(*it);
                // A connected worker is handled when its connection closes.
                if (w != m_workers.end() && !w->second.connected)
                    workerLost(*it, reason);
            });
    connect(m_launcher, &WorkerLauncher::launched, this, [this](const QString &id, const QString &jobId) {
        const auto w = m_workers.find(m_workerIds.value(id));
        if (w == m_workers.end())
            return; // stopped while it was being submitted; the launcher cancels it
        w->second.jobId = jobId;
        log(QStringLiteral("launched worker %1 (%2 job %3)").arg(id, m_launcher->name(), jobId));
        if (!w->second.connected)
            emitWorkerState(w->second, proto::kStatePending);
    });
    connect(m_launcher, &WorkerLauncher::launchFailed, this, [this](const QString &id, const QString &err) {
        const WorkerKey key = m_workerIds.value(id);
        if (!key)
            return;
        log(QStringLiteral("cannot launch worker %1: %2").arg(id, err));
        workerLost(key, err);
    });
    connect(m_launcher, &WorkerLauncher::probed, this, &Engine::onProbed);
    m_tick.setInterval(m_opt.tickMs);
    connect(&m_tick, &QTimer::timeout, this, &Engine::onTick);
}

Engine::~Engine()
{
    // What the transport reports while it goes must not reach our tables.
    m_transport->disconnect(this);
    m_transport->setAdmission({});
}

bool Engine::start(QString *err)
{
    if (!m_transport->open(err))
        return false;
    m_tick.start();
    m_pool.tick(now()); // launches min_workers, so the pool is warm from the start
    applyActions();
    return true;
}

quint16 Engine::workerPort() const
{
    return m_transport->port();
}

void Engine::log(const QString &line)
{
    Q_EMIT logMessage(line);
}

QString Engine::workerIdOf(WorkerKey key) const
{
    return m_opt.workerIdPrefix + QString::number(key);
}

// --- tasks ---------------------------------------------------------------

SubmitError Engine::submit(quint64 owner, const proto::TaskSpec &spec, const QJsonValue &tag,
                           bool notifyStarted)
{
    if (m_shuttingDown)
        return SubmitError::ShuttingDown;
    // The params are taken or encoded once, here; dispatch only puts the
    // line together.
    const TaskKey key = m_tasks.add(owner, spec.requestId, spec.name, spec.resourceClass,
                                    spec.executeParams.isEmpty() ? proto::encodeTaskExecuteParams(spec.raw)
                                                                 : spec.executeParams,
                                    tag, notifyStarted);
    if (!key)
        return SubmitError::DuplicateId;
    m_taskPeak = std::max(m_taskPeak, m_tasks.size());
    ++m_count.submitted;
    emitQueued(key, 1);
    m_pool.submit(key, spec.poolClass, now());
    applyActions();
    return SubmitError::None;
}

bool Engine::cancel(quint64 owner, const QString &requestId)
{
    const TaskKey key = m_tasks.find(owner, requestId);
    if (!key)
        return false;
    switch (m_pool.cancel(key)) {
    case CancelOutcome::Dequeued:
        finishTask(key, cancelledResult(QStringLiteral("cancelled before it started")));
        break;
    case CancelOutcome::Running:
        m_tasks.find(key)->cancelRequested = true;
        break;
    case CancelOutcome::NotFound:
        // Known to us but not to the pool: between a lost worker and a retry.
        finishTask(key, cancelledResult(QStringLiteral("cancelled")));
        break;
    }
    applyActions();
    return true;
}

void Engine::dropOwner(quint64 owner)
{
    {
        const std::vector<TaskKey> keys = m_tasks.disown(owner);
        for (const TaskKey key : keys) {
            TaskTable::Task *t = m_tasks.find(key);
            if (!t)
                continue;
            if (m_pool.cancel(key) == CancelOutcome::Running)
                t->cancelRequested = true;
            else
                finishTask(key, cancelledResult(QStringLiteral("its client disconnected")));
        }
    } // the keys' memory too is free before applyActions() gives memory back
    applyActions();
}

void Engine::finishTask(TaskKey key, proto::PassedResult result)
{
    const TaskTable::Task *t = m_tasks.find(key);
    if (!t)
        return;
    const quint64 owner = t->owner;
    const int attempts = t->attempts;
    Running run;
    if (const auto r = m_running.find(key); r != m_running.end()) {
        run = r->second;
        m_running.erase(r);
    }
    proto::TaskCompleted done;
    done.requestId = m_tasks.requestId(key);
    done.name = m_tasks.name(key);
    done.resourceClass = m_tasks.resourceClass(key);
    const QJsonValue tag = owner ? m_tasks.tag(key) : QJsonValue();
    m_tasks.remove(key);
    if (attempts > 0)
        result.add(QLatin1String("attempts"), qint64(attempts));
    if (result.cancelled)
        ++m_count.cancelled;
    else if (result.status == 0)
        ++m_count.passed;
    else
        ++m_count.failed;

    if (!result.hasDuration) {
        result.durationMs = run.startedMs ? now() - run.startedMs : 0;
        result.hasDuration = true;
        result.add(QLatin1String("duration_ms"), result.durationMs);
    }
    const QString requestId = done.requestId;
    done.client = qint64(owner);
    done.workerId = run.worker ? workerIdOf(run.worker) : QString();
    done.hostname = result.hostname;
    done.status = result.status;
    done.cancelled = result.cancelled;
    done.durationMs = result.durationMs;
    done.timeMs = QDateTime::currentMSecsSinceEpoch();
    done.log = result.log;
    m_recent.push_back(done);
    if (m_recent.size() > kRecentKept)
        m_recent.pop_front();
    if (m_eventsWanted) {
        proto::MonitorEvent e;
        e.completed = std::move(done);
        emitEvent(proto::MonitorEvent::Completed, std::move(e));
    }
    if (owner)
        Q_EMIT taskFinished(owner, requestId, tag, result);
}

void Engine::giveBackMemory()
{
    // Once a large queue has drained, return the freed heap to the system
    // (glibc keeps it otherwise). Not after every small batch: a trim walks
    // the heap. Called last in applyActions(), which ends every event, so
    // what the event held for a while is free by then.
    constexpr size_t kTrimAfter = 1000;
    if (!m_tasks.empty() || m_taskPeak < kTrimAfter)
        return;
    m_taskPeak = 0;
    m_tasks.releaseMemory(); // its slots and index too
    std::unordered_map<TaskKey, Running>().swap(m_running);
    ::malloc_trim(0);
}

// --- pool actions --------------------------------------------------------

void Engine::applyActions()
{
    std::vector<PoolAction> actions;
    while (!(actions = m_pool.takeActions()).empty()) {
        for (const PoolAction &a : actions) {
            switch (a.kind) {
            case PoolAction::Launch:
                launch(a.worker, a.resourceClass);
                break;
            case PoolAction::Dispatch:
                dispatch(a.task, a.worker);
                break;
            case PoolAction::Stop:
                stopWorker(a.worker);
                break;
            case PoolAction::CancelRunning: {
                auto w = m_workers.find(a.worker);
                // Unsent when its connection is gone: the worker is then lost
                // (disconnect or heartbeats), which answers the task.
                if (w != m_workers.end() && m_tasks.find(a.task))
                    m_transport->send(w->second.id, proto::event(proto::kTaskCancel,
                                                                 {{QStringLiteral("request_id"), m_tasks.requestId(a.task)}}));
                break;
            }
            case PoolAction::Probe:
                m_toProbe.append(workerIdOf(a.worker));
                break;
            case PoolAction::FailTask:
                if (a.cancelled)
                    finishTask(a.task, cancelledResult(QStringLiteral("cancelled (%1)").arg(a.reason)));
                else if (a.attempt > 0) // its worker was lost, and it has had its attempts
                    finishTask(a.task, proto::failedResult(QStringLiteral("%1; gave up after %2 attempt(s)")
                                                                .arg(a.reason)
                                                                .arg(a.attempt)));
                else
                    finishTask(a.task, proto::failedResult(a.reason));
                break;
            case PoolAction::Lose:
                workerLost(a.worker, a.reason);
                break;
            case PoolAction::Requeued: {
                if (!m_tasks.find(a.task))
                    break;
                log(QStringLiteral("retrying task %1 (attempt %2): %3").arg(m_tasks.name(a.task)).arg(a.attempt).arg(a.reason));
                ++m_count.retried;
                m_running.erase(a.task);
                emitQueued(a.task, a.attempt);
                break;
            }
            }
        }
    }
    // All workers overdue at once are asked about in one scheduler call.
    if (!m_toProbe.isEmpty())
        m_launcher->probe(std::exchange(m_toProbe, {}));
    giveBackMemory();
}

void Engine::onProbed(const QList<ProbeAnswer> &answers)
{
    for (const ProbeAnswer &a : answers) {
        const WorkerKey key = m_workerIds.value(a.workerId);
        const auto w = m_workers.find(key);
        if (w == m_workers.end() || w->second.connected)
            continue; // gone or connected meanwhile
        if (a.state == JobState::Gone) {
            workerLost(key, a.detail);
            continue;
        }
        log(QStringLiteral("worker %1 has not connected yet: %2").arg(a.workerId, a.detail));
        if (w->second.schedulerState != a.detail) {
            w->second.schedulerState = a.detail;
            emitWorkerState(w->second, proto::kStatePending);
        }
    }
}

void Engine::launch(WorkerKey key, const QString &resourceClass)
{
    WorkerRec w;
    w.key = key;
    w.id = workerIdOf(key);
    w.resourceClass = resourceClass;
    w.sinceWallMs = QDateTime::currentMSecsSinceEpoch();
    LaunchRequest req;
    req.workerId = w.id;
    req.resourceClass = resourceClass;
    req.resources = resolveResources(m_opt.resources, resourceClass);
    req.connectHost = m_opt.connectHost;
    req.port = workerPort();
    req.tokenFile = m_opt.paths.tokenFile;
    req.logFile = m_opt.paths.workersDir + QLatin1Char('/') + w.id + QStringLiteral(".log");
    req.python = m_opt.python;
    ++m_launched;
    m_workerIds.insert(w.id, key);
    auto &rec = m_workers.emplace(key, std::move(w)).first->second;
    emitWorkerState(rec, proto::kStatePending);
    // A fresh log file: a symlink planted in its place is removed, not followed.
    QString err;
    if (!resetPrivateFile(req.logFile, &err)) {
        log(QStringLiteral("cannot launch worker %1: %2").arg(rec.id, err));
        workerLost(key, err);
        return;
    }
    // Answers with launched() or launchFailed() later.
    m_launcher->launch(req);
}

void Engine::dispatch(TaskKey task, WorkerKey worker)
{
    auto w = m_workers.find(worker);
    if (!m_tasks.find(task))
        return;
    if (w == m_workers.end() || !w->second.connected
        || !m_transport->sendLine(w->second.id, m_tasks.executeLine(task))) {
        // The pool thinks it runs; nothing can tell it otherwise but this.
        workerLost(worker, QStringLiteral("it had no connection to send a task on"));
        return;
    }
    TaskTable::Task *rec = m_tasks.find(task);
    if (!rec)
        return;
    Running &run = m_running[task];
    run.worker = worker;
    run.startedMs = now();
    run.startedWallMs = QDateTime::currentMSecsSinceEpoch();
    ++rec->attempts;
    w->second.task = task;
    w->second.sinceWallMs = run.startedWallMs;
    if (rec->notifyStarted && rec->owner)
        Q_EMIT taskStarted(rec->owner, runningOf(task));
    if (m_eventsWanted) {
        proto::MonitorEvent e;
        e.dispatched = runningOf(task);
        emitEvent(proto::MonitorEvent::Dispatched, std::move(e));
    }
    emitWorkerState(w->second, proto::kStateBusy);
}

bool Engine::takeWorker(WorkerKey key, WorkerRec *out)
{
    auto it = m_workers.find(key);
    if (it == m_workers.end())
        return false;
    *out = std::move(it->second);
    m_workers.erase(it);
    m_workerIds.remove(out->id);
    return true;
}

void Engine::stopWorker(WorkerKey key)
{
    WorkerRec w;
    if (!takeWorker(key, &w))
        return;
    log(QStringLiteral("stopping worker %1").arg(w.id));
    if (w.connected) {
        m_transport->send(w.id, proto::event(proto::kWorkerShutdown, {})); // unsent: it is gone already
        m_transport->close(w.id);
    }
    // Whatever does not leave on its own within the grace period is killed.
    const QString id = w.id;
    if (m_shuttingDown || !w.connected)
        m_launcher->stop(id);
    else
        QTimer::singleShot(m_opt.stopGraceMs, m_launcher, [l = m_launcher, id] { l->stop(id); });
    emitWorkerState(w, QStringLiteral("stopped"));
}

void Engine::workerLost(WorkerKey key, const QString &reason)
{
    WorkerRec w;
    const bool known = takeWorker(key, &w);
    if (!known && m_pool.workerState(key) == WorkerState::Unknown)
        return;
    if (known) {
        if (w.connected)
            m_transport->drop(w.id);
        m_launcher->stop(w.id);
        log(QStringLiteral("worker %1 lost: %2").arg(w.id, reason));
        emitWorkerState(w, QStringLiteral("lost"));
    }
    // The pool decides what becomes of its task (retried, failed, or
    // answered as cancelled); the reason then names the worker.
    QString where = known ? w.id : workerIdOf(key);
    if (!w.hostname.isEmpty())
        where += QStringLiteral(" on ") + w.hostname;
    const bool busy = m_pool.workerState(key) == WorkerState::Busy;
    m_pool.workerLost(key, busy ? QStringLiteral("worker %1 was lost while running this task (%2)").arg(where, reason)
                                : reason,
                      now());
    applyActions();
}

// --- shutdown -------------------------------------------------------------

void Engine::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    m_tick.stop();
    log(QStringLiteral("shutting down: %1 task(s) outstanding, %2 worker(s)")
            .arg(m_tasks.size())
            .arg(m_workers.size()));
    for (const TaskKey key : m_pool.shutdown())
        finishTask(key, cancelledResult(QStringLiteral("cancelled: the pool shut down")));
    applyActions(); // Stop for every worker
    // Running tasks: their workers kill them on worker.shutdown.
    std::vector<TaskKey> left;
    m_tasks.forEach([&left](TaskKey key, const TaskTable::Task &) { left.push_back(key); });
    for (TaskKey key : left)
        finishTask(key, cancelledResult(QStringLiteral("cancelled: the pool shut down")));
    m_transport->stopAccepting();
    // The launcher gives workers the grace period, kills or cancels the
    // rest, and says when none is left.
    connect(m_launcher, &WorkerLauncher::allStopped, this, [this] {
        m_transport->removeSecret();
        Q_EMIT stopped();
    }, Qt::SingleShotConnection);
    m_launcher->stopAll(m_opt.stopGraceMs);
}

} // namespace dfm
