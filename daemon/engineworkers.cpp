// Engine, part two: the workers' side of the TCP socket. Registration (with
// the token check), their messages (results, heartbeats), and the tick that
// notices silent workers.

#include "engine.h"

#include "lineconnection.h"

#include <QDateTime>
#include <QTcpServer>
#include <QTcpSocket>

namespace dfm {

namespace {

// Compares secrets in time independent of where they differ.
bool sameSecret(const QString &a, const QString &b)
{
    const QByteArray x = a.toUtf8(), y = b.toUtf8();
    unsigned diff = unsigned(x.size() ^ y.size());
    for (qsizetype i = 0; i < qMin(x.size(), y.size()); ++i)
        diff |= unsigned(x[i] ^ y[i]);
    return diff == 0 && !x.isEmpty();
}

} // namespace

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
    w.jobState.clear();
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
    m_pool.heard(key, now());
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
    // The pool first: a client that submits on hearing the result must find
    // this worker free (or busy with the next queued task), not launch
    // another. Its Dispatch actions run after the result is out.
    m_pool.taskFinished(key, now());
    if (m_pool.workerState(key) == WorkerState::Idle)
        emitWorkerState(w, proto::kStateIdle);
    finishTask(task, result);
    applyActions();
}

void Engine::onTick()
{
    m_pool.tick(now()); // Lose actions for silent workers, idle teardown, probes
    applyActions();
}

} // namespace dfm
