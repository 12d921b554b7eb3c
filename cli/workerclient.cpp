#include "workerclient.h"

#include "fdsocket.h"
#include "taskdispatch.h"
#include "taskrun.h"
#include "tcpconnect.h"
#include "wirelines.h"

#include <QCoreApplication>
#include <QSysInfo>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

namespace dfm::cli {

namespace {

constexpr int kRegisterId = 1;
constexpr int kMaxBackoffMs = 5000;
constexpr int kMaxAttemptMs = 10000;

} // namespace

WorkerClient::WorkerClient(const WorkerOptions &opts, QObject *parent)
    : QObject(parent), m_opts(opts), m_hostname(QSysInfo::machineHostName())
{
    m_connector = new TcpConnect(this);
    connect(m_connector, &TcpConnect::connected, this, &WorkerClient::onConnected);
    connect(m_connector, &TcpConnect::failed, this, &WorkerClient::onConnectFailed);

    auto singleShot = [this](auto slot) {
        auto *t = new QTimer(this);
        t->setSingleShot(true);
        connect(t, &QTimer::timeout, this, slot);
        return t;
    };
    m_retryTimer = singleShot(&WorkerClient::tryConnect);
    m_registerTimer = singleShot([this] {
        stop(1, QStringLiteral("daemon at %1:%2 did not answer worker.register within %3 s")
                    .arg(m_opts.host).arg(m_opts.port).arg(m_opts.registerTimeoutMs / 1000));
    });
    m_stopWatchdog = singleShot([this] {
        log(QStringLiteral("task did not end after SIGKILL; exiting anyway"));
        finishStop();
    });
    m_taskTimeout = singleShot([this] {
        if (!m_task)
            return;
        log(QStringLiteral("task '%1' (request %2) timed out after %3 s; stopping it")
                .arg(m_task->spec().name, m_task->spec().requestId)
                .arg(QString::number(m_task->spec().timeoutSec)));
        m_task->timeOut(m_opts.cancelGraceMs);
    });
    TaskRunnerOptions runners;
    runners.python = m_opts.python;
    runners.graceMs = m_opts.cancelGraceMs;
    m_dispatcher = new TaskDispatcher(runners, this);
    connect(m_dispatcher, &TaskDispatcher::logLine, this, [this](const QString &m) { log(m); });
    m_heartbeat = new QTimer(this);
    m_heartbeat->setInterval(m_opts.heartbeatMs);
    connect(m_heartbeat, &QTimer::timeout, this, [this] {
        send(proto::event(proto::kWorkerHeartbeat,
                          QJsonObject{{proto::kFieldWorkerId, m_opts.workerId}}));
    });
}

WorkerClient::~WorkerClient()
{
    delete m_task; // kills the task's process group if it still runs
    delete m_finished;
    delete m_dispatcher; // and the Python task host
}

void WorkerClient::log(const QString &msg) const
{
    std::fprintf(stderr, "dfm worker %s: %s\n", qPrintable(m_opts.workerId), qPrintable(msg));
    std::fflush(stderr);
}

void WorkerClient::start()
{
    log(QStringLiteral("connecting to %1:%2 (pid %3, host %4)")
            .arg(m_opts.host).arg(m_opts.port).arg(QCoreApplication::applicationPid())
            .arg(m_hostname));
    m_connectClock.start();
    tryConnect();
}

void WorkerClient::tryConnect()
{
    if (m_stopping)
        return;
    ++m_attempts;
    const qint64 left = m_opts.connectTimeoutMs - m_connectClock.elapsed();
    m_connector->start(m_opts.host, m_opts.port, int(qBound(qint64(1), left, qint64(kMaxAttemptMs))));
}

void WorkerClient::onConnectFailed(const QString &reason)
{
    if (m_connected || m_stopping)
        return;
    m_lastConnectError = reason;
    const qint64 elapsed = m_connectClock.elapsed();
    if (elapsed + m_backoffMs > m_opts.connectTimeoutMs) {
        stop(1, QStringLiteral("cannot connect to the daemon at %1:%2 after %3 attempts in %4 s "
                               "(last error: %5); is the daemon still running?")
                    .arg(m_opts.host).arg(m_opts.port).arg(m_attempts)
                    .arg(double(elapsed) / 1000.0, 0, 'f', 1).arg(m_lastConnectError));
        return;
    }
    m_retryTimer->start(m_backoffMs);
    m_backoffMs = qMin(m_backoffMs * 2, kMaxBackoffMs);
}

void WorkerClient::onConnected(int fd)
{
    m_connected = true;
    m_socket = new FdSocket(fd, this);
    m_transport = new LineTransport(m_socket, LineTransport::Role::Client, this);
    connect(m_transport, &LineTransport::messageReceived, this, [this](const proto::Message &msg) {
        if (!m_stopping)
            handleMessage(msg);
    });
    connect(m_transport, &LineTransport::badLine, this, [this](const QString &e) {
        if (!m_transport->isOpen())
            stop(1, QStringLiteral("the daemon sent a bad line (%1)").arg(e));
        else
            log(QStringLiteral("skipping a bad line from the daemon: %1").arg(e));
    });
    // The daemon never half-closes: the end of its output (a TCP peer's
    // close reads as one) is the end of the connection.
    connect(m_transport, &LineTransport::inputEnded, m_socket, &FdSocket::abort);
    // After the transport's own handler: what arrived before the end is
    // handled first.
    connect(m_socket, &FdSocket::disconnected, this, &WorkerClient::onDisconnected);
    log(QStringLiteral("connected to %1:%2 after %3 attempt(s); registering")
            .arg(m_opts.host).arg(m_opts.port).arg(m_attempts));
    proto::WorkerRegistration reg;
    reg.workerId = m_opts.workerId;
    reg.hostname = m_hostname;
    reg.pid = QCoreApplication::applicationPid();
    reg.resourceClass = m_opts.resourceClass;
    reg.lsfJobId = qEnvironmentVariable("LSB_JOBID");
    reg.jobId = qEnvironmentVariable("SLURM_JOB_ID");
    if (reg.jobId.isEmpty())
        reg.jobId = reg.lsfJobId;
    reg.token = m_opts.token;
    send(proto::request(proto::kWorkerRegister, kRegisterId, proto::registrationParams(reg)));
    m_registerTimer->start(m_opts.registerTimeoutMs);
}

void WorkerClient::onDisconnected()
{
    if (!m_connected)
        return;
    m_connected = false;
    m_heartbeat->stop();
    if (m_stopping)
        return;
    stop(1, QStringLiteral("connection to the daemon at %1:%2 lost (The remote host closed the "
                           "connection)%3")
                .arg(m_opts.host).arg(m_opts.port)
                .arg(m_task ? QStringLiteral("; killing task '%1'").arg(m_task->spec().name)
                            : QString()));
}

void WorkerClient::handleMessage(const proto::Message &msg)
{
    if (msg.isResponse()) {
        if (m_registered || msg.id != QJsonValue(kRegisterId))
            return; // nothing else we send expects a reply
        m_registerTimer->stop();
        if (msg.hasError) {
            stop(1, QStringLiteral("the daemon refused registration: %1").arg(msg.error));
        } else if (msg.result != QJsonValue(proto::kResultRegistered)) {
            stop(1, QStringLiteral("unexpected reply to worker.register: %1")
                        .arg(QString::fromUtf8(proto::encode(proto::response(msg.id, msg.result)))
                                 .trimmed()));
        } else {
            m_registered = true;
            m_heartbeat->start();
            log(QStringLiteral("registered; waiting for tasks"));
        }
        return;
    }
    if (!m_registered) {
        log(QStringLiteral("ignoring '%1' received before registration").arg(msg.method));
        return;
    }
    if (msg.method == proto::kTaskExecute) {
        handleExecute(msg.params);
    } else if (msg.method == proto::kTaskCancel) {
        handleCancel(msg.params);
    } else if (msg.method == proto::kWorkerShutdown) {
        stop(0, QStringLiteral("shutdown requested by the daemon"));
    } else if (msg.isRequest()) {
        send(proto::errorResponse(msg.id, QStringLiteral("Unknown method: %1").arg(msg.method)));
    } else {
        log(QStringLiteral("ignoring unknown event '%1'").arg(msg.method));
    }
}

void WorkerClient::handleExecute(const QJsonObject &params)
{
    proto::TaskSpec spec;
    QString err;
    const QString requestId = params.value(proto::kFieldRequestId).toString();
    if (m_opts.benchEcho) {
        // `--bench-echo` (benchmarks only): the daemon's dispatch path with a
        // worker that costs nothing; no rundir, no log, no process.
        sendResult(requestId, proto::TaskResult());
        return;
    }
    if (!proto::parseTaskSpec(params, &spec, &err)) {
        log(QStringLiteral("rejecting task.execute: %1").arg(err));
        if (!requestId.isEmpty())
            sendResult(requestId, proto::failedResult(err));
        return;
    }
    if (m_task) {
        const QString why = QStringLiteral("worker busy: '%1' is already running task '%2' "
                                           "(request %3)")
                                .arg(m_opts.workerId, m_task->spec().name,
                                     m_task->spec().requestId);
        log(QStringLiteral("rejecting task '%1': %2").arg(spec.name, why));
        sendResult(spec.requestId, proto::failedResult(why));
        return;
    }
    // No log line for a task that starts or passes: at thousands of tasks a
    // second the worker's log writes cost more than the dispatch itself.
    delete m_finished; // not from inside its own finished()
    m_finished = nullptr;
    m_task = m_dispatcher->create(spec, this);
    connect(m_task, &TaskRun::finished, this, &WorkerClient::onTaskFinished);
    if (spec.timeoutSec > 0)
        m_taskTimeout->start(int(qMin(spec.timeoutSec * 1000.0, 2.0e9)));
    m_task->start();
}

void WorkerClient::handleCancel(const QJsonObject &params)
{
    const QString requestId = params.value(proto::kFieldRequestId).toString();
    if (!m_task || m_task->spec().requestId != requestId) {
        log(QStringLiteral("ignoring task.cancel for '%1': not running it").arg(requestId));
        return;
    }
    log(QStringLiteral("cancelling task '%1' (request %2)").arg(m_task->spec().name, requestId));
    m_task->cancel(m_opts.cancelGraceMs);
}

void WorkerClient::onTaskFinished(const proto::TaskResult &result)
{
    TaskRun *task = m_task;
    m_task = nullptr;
    m_taskTimeout->stop();
    // Deleted when the next task arrives, not with deleteLater(): a posted
    // event costs the loop a wake-up per task.
    delete m_finished;
    m_finished = task;
    sendResult(task->spec().requestId, result); // first: the daemon is waiting for it
    if (result.status != 0)
        log(QStringLiteral("task '%1' (request %2) in %3 failed with status %4")
                .arg(task->spec().name, task->spec().requestId, task->spec().rundir)
                .arg(result.status));
    if (m_stopping)
        finishStop();
}

void WorkerClient::sendResult(const QString &requestId, const proto::TaskResult &result)
{
    // Written straight to bytes: building and serialising a QJsonObject was
    // a large part of the worker's own CPU per task.
    if (m_connected)
        m_transport->sendLine(proto::encodeTaskResultEvent(requestId, m_opts.workerId, m_hostname, result));
}

void WorkerClient::send(const QJsonObject &obj)
{
    if (m_connected)
        m_transport->send(obj);
}

void WorkerClient::stop(int code, const QString &why)
{
    if (m_stopping) {
        if (m_task) {
            log(QStringLiteral("%1 while stopping; killing task '%2' now")
                    .arg(why, m_task->spec().name));
            m_task->killNow();
        }
        return;
    }
    m_stopping = true;
    m_exitCode = code;
    log(why);
    m_retryTimer->stop();
    m_connector->cancel();
    m_registerTimer->stop();
    m_heartbeat->stop();
    m_taskTimeout->stop();
    if (m_task) {
        log(QStringLiteral("stopping task '%1' (SIGTERM, SIGKILL after %2 ms)")
                .arg(m_task->spec().name).arg(m_opts.cancelGraceMs));
        m_task->cancel(m_opts.cancelGraceMs);
        m_stopWatchdog->start(m_opts.cancelGraceMs + 5000);
        return; // finishStop() once the task has ended
    }
    finishStop();
}

void WorkerClient::finishStop()
{
    if (m_finishing)
        return;
    m_finishing = true;
    m_stopWatchdog->stop();
    log(QStringLiteral("exiting with status %1").arg(m_exitCode));
    delete m_task; // only if it ignored even SIGKILL: kill the group again
    m_task = nullptr;
    delete m_dispatcher; // stops the Python task host
    m_dispatcher = nullptr;
    if (m_connected) {
        m_transport->close(); // writes what is queued (the last result), then closes
        if (m_socket->isConnected()) {
            // The daemon has not taken it all yet: give it a second.
            connect(m_socket, &FdSocket::disconnected, this, &WorkerClient::emitDone);
            QTimer::singleShot(1000, this, &WorkerClient::emitDone);
            return;
        }
    }
    emitDone();
}

void WorkerClient::emitDone()
{
    if (m_doneEmitted)
        return;
    m_doneEmitted = true;
    emit done(m_exitCode);
}

} // namespace dfm::cli
