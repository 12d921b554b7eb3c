#include "engine.h"

#include "lineconnection.h"

#include <QDateTime>
#include <QFile>
#include <QHostInfo>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QTcpServer>
#include <QTcpSocket>

namespace dfm {

namespace {

constexpr size_t kRecentKept = 50;

qint64 envMs(const char *name, qint64 fallback)
{
    bool ok = false;
    const qint64 v = qEnvironmentVariable(name).toLongLong(&ok);
    return ok && v > 0 ? v : fallback;
}

QString newToken()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                          bytes.size() / sizeof(quint32));
    return QString::fromLatin1(bytes.toHex());
}

// Compares secrets in time independent of where they differ.
bool sameSecret(const QString &a, const QString &b)
{
    const QByteArray x = a.toUtf8(), y = b.toUtf8();
    unsigned diff = unsigned(x.size() ^ y.size());
    for (qsizetype i = 0; i < qMin(x.size(), y.size()); ++i)
        diff |= unsigned(x[i] ^ y[i]);
    return diff == 0 && !x.isEmpty();
}

proto::TaskResult cancelledResult(const QString &why)
{
    proto::TaskResult r = proto::failedResult(why);
    r.extra.insert(QStringLiteral("cancelled"), true);
    return r;
}

} // namespace

void EngineOptions::applyEnvironment()
{
    heartbeatTimeoutMs = envMs("DFM_HEARTBEAT_TIMEOUT_MS", heartbeatTimeoutMs);
    registerTimeoutMs = int(envMs("DFM_REGISTER_TIMEOUT_MS", registerTimeoutMs));
    tickMs = int(envMs("DFM_TICK_MS", tickMs));
}

Engine::Engine(const EngineOptions &options, WorkerLauncher *launcher, QObject *parent)
    : QObject(parent), m_opt(options), m_launcher(launcher), m_pool(options.pool)
{
    m_launcher->setParent(this);
    m_clock.start();
    m_startedWallMs = QDateTime::currentMSecsSinceEpoch();
    connect(m_launcher, &WorkerLauncher::workerExited, this,
            [this](const QString &id, const QString &reason) {
                const auto it = m_workerIds.constFind(id);
                if (it == m_workerIds.cend())
                    return;
                const auto w = m_workers.find(*it);
                // A connected worker is handled when its connection closes.
                if (w != m_workers.end() && !w->second.conn)
                    workerLost(*it, reason);
            });
    m_tick.setInterval(m_opt.tickMs);
    connect(&m_tick, &QTimer::timeout, this, &Engine::onTick);
}

Engine::~Engine()
{
    for (auto &[key, w] : m_workers)
        if (w.conn)
            w.conn->disconnect(this);
}

bool Engine::start(QString *err)
{
    m_token = newToken();
    QSaveFile tf(m_opt.paths.tokenFile);
    if (!tf.open(QIODevice::WriteOnly)) {
        *err = QStringLiteral("cannot write %1: %2").arg(m_opt.paths.tokenFile, tf.errorString());
        return false;
    }
    tf.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    tf.write(m_token.toLatin1());
    if (!tf.commit()) {
        *err = QStringLiteral("cannot write %1: %2").arg(m_opt.paths.tokenFile, tf.errorString());
        return false;
    }
    m_server = new QTcpServer(this);
    if (!m_server->listen(m_opt.listenAddress, 0)) {
        *err = QStringLiteral("cannot listen for workers on %1: %2")
                   .arg(m_opt.listenAddress.toString(), m_server->errorString());
        return false;
    }
    connect(m_server, &QTcpServer::newConnection, this, &Engine::onNewWorkerConnection);
    m_tick.start();
    return true;
}

quint16 Engine::workerPort() const
{
    return m_server ? m_server->serverPort() : 0;
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

SubmitError Engine::submit(quint64 owner, const proto::TaskSpec &spec, const QJsonValue &tag)
{
    if (m_shuttingDown)
        return SubmitError::ShuttingDown;
    auto &mine = m_byOwner[owner];
    if (mine.contains(spec.requestId))
        return SubmitError::DuplicateId;
    const TaskKey key = m_nextTask++;
    TaskRec rec;
    rec.owner = owner;
    rec.spec = spec;
    rec.tag = tag;
    m_tasks.emplace(key, std::move(rec));
    mine.insert(spec.requestId, key);
    ++m_count.submitted;
    m_pool.submit(key, spec.resourceClass, now());
    applyActions();
    return SubmitError::None;
}

bool Engine::cancel(quint64 owner, const QString &requestId)
{
    const TaskKey key = m_byOwner.value(owner).value(requestId);
    if (!key)
        return false;
    switch (m_pool.cancel(key)) {
    case CancelOutcome::Dequeued:
        finishTask(key, cancelledResult(QStringLiteral("cancelled before it started")));
        break;
    case CancelOutcome::Running:
        m_tasks.at(key).cancelRequested = true;
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
    const QHash<QString, TaskKey> mine = m_byOwner.take(owner);
    for (const TaskKey key : mine) {
        auto it = m_tasks.find(key);
        if (it == m_tasks.end())
            continue;
        it->second.owner = 0;
        if (m_pool.cancel(key) == CancelOutcome::Running)
            it->second.cancelRequested = true;
        else
            finishTask(key, cancelledResult(QStringLiteral("its client disconnected")));
    }
    applyActions();
}

void Engine::finishTask(TaskKey key, proto::TaskResult result)
{
    auto it = m_tasks.find(key);
    if (it == m_tasks.end())
        return;
    TaskRec rec = std::move(it->second);
    m_tasks.erase(it);
    if (rec.owner) {
        auto mine = m_byOwner.find(rec.owner);
        if (mine != m_byOwner.end())
            mine->remove(rec.spec.requestId);
    }
    if (rec.attempts > 0)
        result.extra.insert(QStringLiteral("attempts"), rec.attempts);
    const bool cancelled = result.extra.value(QLatin1String("cancelled")).toBool();
    if (cancelled)
        ++m_count.cancelled;
    else if (result.status == 0)
        ++m_count.passed;
    else
        ++m_count.failed;

    const qint64 duration = rec.startedMs ? now() - rec.startedMs : 0;
    if (!result.extra.contains(QLatin1String("duration_ms")))
        result.extra.insert(QStringLiteral("duration_ms"), duration);
    QJsonObject done{{QStringLiteral("request_id"), rec.spec.requestId},
                     {QStringLiteral("name"), rec.spec.name},
                     {QStringLiteral("worker_id"), rec.worker ? workerIdOf(rec.worker) : QString()},
                     {QStringLiteral("status"), result.status},
                     {QStringLiteral("cancelled"), cancelled},
                     {QStringLiteral("duration_ms"), result.extra.value(QLatin1String("duration_ms"))},
                     {QStringLiteral("time"), proto::utcStamp(QDateTime::currentMSecsSinceEpoch())}};
    m_recent.push_back(done);
    if (m_recent.size() > kRecentKept)
        m_recent.pop_front();
    Q_EMIT monitorEvent(proto::event(proto::kEvTaskCompleted, done));
    if (rec.owner)
        Q_EMIT taskFinished(rec.owner, rec.spec.requestId, rec.tag, result);
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
                auto t = m_tasks.find(a.task);
                if (w != m_workers.end() && w->second.conn && t != m_tasks.end())
                    w->second.conn->send(proto::event(
                        proto::kTaskCancel,
                        {{QStringLiteral("request_id"), t->second.spec.requestId}}));
                break;
            }
            case PoolAction::Probe: {
                QString detail;
                const QString id = workerIdOf(a.worker);
                if (m_launcher->probe(id, &detail) == ProbeResult::Gone)
                    workerLost(a.worker, detail);
                else
                    log(QStringLiteral("worker %1 has not connected yet: %2").arg(id, detail));
                break;
            }
            case PoolAction::FailTask:
                finishTask(a.task, proto::failedResult(a.reason));
                break;
            }
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
    req.connectHost = m_opt.connectHost;
    req.port = workerPort();
    req.tokenFile = m_opt.paths.tokenFile;
    req.logFile = m_opt.paths.workersDir + QLatin1Char('/') + w.id + QStringLiteral(".log");
    QString jobId, err;
    m_workerIds.insert(w.id, key);
    auto &rec = m_workers.emplace(key, std::move(w)).first->second;
    if (!m_launcher->launch(req, &jobId, &err)) {
        log(QStringLiteral("cannot launch worker %1: %2").arg(rec.id, err));
        workerLost(key, err);
        return;
    }
    rec.jobId = jobId;
    log(QStringLiteral("launched worker %1 (%2 job %3)").arg(rec.id, m_launcher->name(), jobId));
    emitWorkerState(rec, proto::kStatePending);
}

void Engine::dispatch(TaskKey task, WorkerKey worker)
{
    auto w = m_workers.find(worker);
    auto t = m_tasks.find(task);
    if (w == m_workers.end() || t == m_tasks.end() || !w->second.conn)
        return;
    TaskRec &rec = t->second;
    rec.worker = worker;
    rec.startedMs = now();
    rec.startedWallMs = QDateTime::currentMSecsSinceEpoch();
    ++rec.attempts;
    w->second.task = task;
    w->second.sinceWallMs = rec.startedWallMs;
    QJsonObject params = rec.spec.raw;
    params.insert(QStringLiteral("request_id"), rec.spec.requestId);
    params.insert(QStringLiteral("name"), rec.spec.name);
    w->second.conn->send(proto::event(proto::kTaskExecute, params));
    Q_EMIT monitorEvent(proto::event(
        proto::kEvTaskDispatched,
        {{QStringLiteral("request_id"), rec.spec.requestId},
         {QStringLiteral("name"), rec.spec.name},
         {QStringLiteral("worker_id"), w->second.id},
         {QStringLiteral("hostname"), w->second.hostname},
         {QStringLiteral("client"), qint64(rec.owner)},
         {QStringLiteral("time"), proto::utcStamp(rec.startedWallMs)}}));
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
    if (out->conn)
        out->conn->disconnect(this);
    return true;
}

void Engine::stopWorker(WorkerKey key)
{
    WorkerRec w;
    if (!takeWorker(key, &w))
        return;
    log(QStringLiteral("stopping worker %1").arg(w.id));
    if (w.conn) {
        w.conn->send(proto::event(proto::kWorkerShutdown, {}));
        w.conn->close();
        connect(w.conn, &LineConnection::closed, w.conn, &QObject::deleteLater);
    }
    // Whatever does not leave on its own within the grace period is killed.
    const QString id = w.id;
    if (m_shuttingDown || !w.conn)
        m_launcher->stop(id);
    else
        QTimer::singleShot(m_opt.stopGraceMs, m_launcher, [l = m_launcher, id] { l->stop(id); });
    emitWorkerState(w, QStringLiteral("stopped"));
}

void Engine::workerLost(WorkerKey key, const QString &reason)
{
    WorkerRec w;
    if (!takeWorker(key, &w))
        return;
    if (w.conn) {
        w.conn->close();
        w.conn->deleteLater();
    }
    m_launcher->stop(w.id);
    log(QStringLiteral("worker %1 lost: %2").arg(w.id, reason));
    emitWorkerState(w, QStringLiteral("lost"));
    const TaskKey task = m_pool.workerLost(key, reason, now());
    auto t = m_tasks.find(task);
    if (task && t != m_tasks.end()) {
        TaskRec &rec = t->second;
        const QString where = w.hostname.isEmpty() ? w.id : w.id + QStringLiteral(" on ") + w.hostname;
        if (rec.cancelRequested) {
            finishTask(task, cancelledResult(QStringLiteral("cancelled (worker %1 lost)").arg(where)));
        } else if (rec.attempts < m_opt.maxAttempts && !m_shuttingDown) {
            log(QStringLiteral("retrying task %1 after losing worker %2").arg(rec.spec.name, where));
            ++m_count.retried;
            rec.worker = 0;
            m_pool.submit(task, rec.spec.resourceClass, now());
        } else {
            finishTask(task, proto::failedResult(
                                 QStringLiteral("worker %1 was lost while running this task (%2); "
                                                "gave up after %3 attempt(s)")
                                     .arg(where, reason)
                                     .arg(rec.attempts)));
        }
    }
    applyActions();
}

// --- worker connections --------------------------------------------------

void Engine::onNewWorkerConnection()
{
    while (QTcpSocket *sock = m_server->nextPendingConnection()) {
        auto *conn = new LineConnection(sock, this);
        conn->label = QStringLiteral("worker connection from %1").arg(sock->peerAddress().toString());
        auto *timer = new QTimer(conn);
        timer->setSingleShot(true);
        connect(timer, &QTimer::timeout, conn, [this, conn] {
            log(QStringLiteral("%1 did not register within %2 ms; dropped")
                    .arg(conn->label)
                    .arg(m_opt.registerTimeoutMs));
            conn->close();
        });
        timer->start(m_opt.registerTimeoutMs);
        connect(conn, &LineConnection::messageReceived, this,
                [this, conn](const proto::Message &m) { onRegister(conn, m); });
        connect(conn, &LineConnection::badLine, this, [this, conn](const QString &e) {
            log(QStringLiteral("%1: %2").arg(conn->label, e));
        });
        connect(conn, &LineConnection::closed, conn, &QObject::deleteLater);
    }
}

void Engine::onRegister(LineConnection *conn, const proto::Message &msg)
{
    auto reject = [&](const QString &why) {
        log(QStringLiteral("%1 rejected: %2").arg(conn->label, why));
        conn->send(proto::errorResponse(msg.id, why));
        conn->close();
    };
    if (msg.method != proto::kWorkerRegister)
        return reject(QStringLiteral("expected worker.register, got '%1'").arg(msg.method));
    proto::WorkerRegistration reg;
    QString err;
    if (!proto::parseRegistration(msg.params, &reg, &err))
        return reject(err);
    if (!sameSecret(reg.token, m_token))
        return reject(QStringLiteral("worker.register: bad or missing token; only workers launched "
                                     "by this daemon may connect"));
    const WorkerKey key = m_workerIds.value(reg.workerId);
    auto it = m_workers.find(key);
    if (!key || it == m_workers.end() || it->second.conn)
        return reject(QStringLiteral("worker.register: '%1' is not a worker this daemon is waiting for")
                          .arg(reg.workerId));
    if (!m_pool.workerJoined(key, now()))
        return reject(QStringLiteral("worker.register: '%1' is not pending").arg(reg.workerId));

    // Registered: from now on its messages go to onWorkerMessage.
    for (QTimer *t : conn->findChildren<QTimer *>(QString(), Qt::FindDirectChildrenOnly))
        t->stop();
    conn->disconnect(this);
    conn->disconnect(conn); // the deleteLater-on-close; workerLost owns it now
    WorkerRec &w = it->second;
    w.conn = conn;
    w.hostname = reg.hostname;
    w.pid = reg.pid;
    if (!reg.jobId.isEmpty())
        w.jobId = reg.jobId;
    else if (!reg.lsfJobId.isEmpty())
        w.jobId = reg.lsfJobId;
    w.lastSeenMs = now();
    w.sinceWallMs = QDateTime::currentMSecsSinceEpoch();
    conn->label = QStringLiteral("worker %1").arg(w.id);
    connect(conn, &LineConnection::messageReceived, this,
            [this, key](const proto::Message &m) { onWorkerMessage(key, m); });
    connect(conn, &LineConnection::badLine, this,
            [this, conn](const QString &e) { log(QStringLiteral("%1: %2").arg(conn->label, e)); });
    connect(conn, &LineConnection::closed, this,
            [this, key] { workerLost(key, QStringLiteral("connection closed")); });
    if (!msg.id.isUndefined())
        conn->send(proto::response(msg.id, QStringLiteral("registered")));
    log(QStringLiteral("worker %1 registered from %2 (pid %3)").arg(w.id, w.hostname).arg(w.pid));
    emitWorkerState(w, proto::kStateIdle);
    applyActions(); // workerJoined may have dispatched a queued task
}

void Engine::onWorkerMessage(WorkerKey key, const proto::Message &msg)
{
    auto it = m_workers.find(key);
    if (it == m_workers.end())
        return;
    WorkerRec &w = it->second;
    w.lastSeenMs = now();
    if (msg.method == proto::kWorkerHeartbeat)
        return;
    if (msg.method != proto::kTaskResult) {
        if (msg.isRequest())
            w.conn->send(proto::errorResponse(msg.id, QStringLiteral("Unknown method: %1").arg(msg.method)));
        return;
    }
    const QString rid = msg.params.value(QLatin1String("request_id")).toString();
    auto t = m_tasks.find(w.task);
    if (!w.task || t == m_tasks.end() || t->second.spec.requestId != rid) {
        log(QStringLiteral("worker %1 sent a result for '%2', which it is not running; ignored")
                .arg(w.id, rid));
        return;
    }
    proto::TaskResult result;
    QString err;
    if (!proto::parseTaskResult(msg.params, &result, &err))
        result = proto::failedResult(QStringLiteral("worker %1 sent a malformed result: %2").arg(w.id, err));
    result.extra.insert(QStringLiteral("worker_id"), w.id);
    if (!w.hostname.isEmpty())
        result.extra.insert(QStringLiteral("hostname"), w.hostname);
    if (t->second.cancelRequested && !result.extra.contains(QLatin1String("cancelled")) && result.status != 0)
        result.extra.insert(QStringLiteral("cancelled"), true);
    const TaskKey task = w.task;
    w.task = 0;
    ++w.tasksDone;
    w.sinceWallMs = QDateTime::currentMSecsSinceEpoch();
    finishTask(task, result);
    m_pool.taskFinished(key, now());
    if (m_pool.workerState(key) == WorkerState::Idle)
        emitWorkerState(w, proto::kStateIdle);
    applyActions();
}

void Engine::onTick()
{
    const qint64 t = now();
    std::vector<WorkerKey> silent;
    for (const auto &[key, w] : m_workers)
        if (w.conn && t - w.lastSeenMs > m_opt.heartbeatTimeoutMs)
            silent.push_back(key);
    for (WorkerKey key : silent)
        workerLost(key, QStringLiteral("no heartbeat for %1 s").arg(m_opt.heartbeatTimeoutMs / 1000.0));
    m_pool.tick(t);
    applyActions();
}

// --- shutdown and introspection ------------------------------------------

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
    for (const auto &[key, rec] : m_tasks)
        left.push_back(key);
    for (TaskKey key : left)
        finishTask(key, cancelledResult(QStringLiteral("cancelled: the pool shut down")));
    if (m_server)
        m_server->close();
    // Let the shutdown messages go out before waiting on the processes.
    QTimer::singleShot(0, this, [this] {
        m_launcher->stopAll(m_opt.stopGraceMs);
        QFile::remove(m_opt.paths.tokenFile);
        Q_EMIT stopped();
    });
}

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
