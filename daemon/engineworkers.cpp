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

// Any local user can connect to the worker port, so what a connection may
// use before it has registered with the secret is small and bounded.
constexpr int kMaxUnregistered = 64;         /* connections at once */
constexpr qsizetype kRegisterLineBytes = 4096; /* one worker.register fits easily */
constexpr int kAcceptRetryMs = 100;

} // namespace

void Engine::onWorkerAcceptError()
{
    // QTcpServer pauses accepting on an error such as EMFILE; it is not
    // lost, so try again shortly (the peers wait in the kernel's backlog).
    if (!m_acceptStarved)
        log(QStringLiteral("cannot accept worker connections: %1; retrying every %2 ms")
                .arg(m_server->errorString())
                .arg(kAcceptRetryMs));
    m_acceptStarved = true;
    QTimer::singleShot(kAcceptRetryMs, this, [this] {
        if (m_server)
            m_server->resumeAccepting();
    });
}

void Engine::onNewWorkerConnection()
{
    while (QTcpSocket *sock = m_server->nextPendingConnection()) {
        if (m_acceptStarved) {
            log(QStringLiteral("accepting worker connections again"));
            m_acceptStarved = false;
        }
        if (m_unregistered >= kMaxUnregistered) {
            if (!m_unregisteredCapLogged)
                log(QStringLiteral("%1 worker connections have not registered yet; refusing more until "
                                   "they do or time out")
                        .arg(m_unregistered));
            m_unregisteredCapLogged = true;
            sock->abort();
            sock->deleteLater();
            continue;
        }
        m_unregisteredCapLogged = false;
        ++m_unregistered;
        auto *conn = new LineConnection(sock, this);
        conn->label = QStringLiteral("worker connection from %1").arg(sock->peerAddress().toString());
        conn->setMaxLineBytes(kRegisterLineBytes);
        connect(conn, &LineConnection::closed, this, [this] { --m_unregistered; });
        auto *timer = new QTimer(conn);
        timer->setSingleShot(true);
        connect(timer, &QTimer::timeout, conn, [this, conn] {
            log(QStringLiteral("%1 did not register within %2 ms; dropped")
                    .arg(conn->label)
                    .arg(m_opt.registerTimeoutMs));
            conn->abort();
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
    --m_unregistered;
    conn->setMaxLineBytes(kMaxLineBytes);
    WorkerRec &w = it->second;
    w.conn = conn;
    w.hostname = reg.hostname;
    w.pid = reg.pid;
    if (!reg.jobId.isEmpty())
        w.jobId = reg.jobId;
    else if (!reg.lsfJobId.isEmpty())
        w.jobId = reg.lsfJobId;
    w.schedulerState.clear();
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
    // another. The freed worker gets its next task before the result goes
    // out: it can start that task while the daemon answers the client.
    m_pool.taskFinished(key, now());
    if (m_pool.workerState(key) == WorkerState::Idle)
        emitWorkerState(w, proto::kStateIdle);
    applyActions();
    finishTask(task, result);
    applyActions();
}

void Engine::onTick()
{
    m_pool.tick(now()); // Lose actions for silent workers, idle teardown, probes
    applyActions();
}

} // namespace dfm
