#pragma once
// The engine of a worker pool: the pure Pool plus everything with side
// effects around it (the worker transport, the launcher, timers). The daemon
// puts a client socket in front of it; `dfm run` without a daemon uses it
// directly as its ephemeral pool, so there is one implementation of pooling,
// not two.
//
// Tasks belong to an owner (a client connection; 1 for an ephemeral run) and
// are named by the owner's request_id. Results come back through
// taskFinished(); monitor events, when wanted, through monitorEvent().

#include "config.h"
#include "launcher.h"
#include "netaddress.h"
#include "payloads.h"
#include "pool.h"
#include "projectpaths.h"
#include "protocol.h"
#include "tasktable.h"
#include "wirelines.h"
#include "workertransport.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <deque>
#include <unordered_map>

namespace dfm {

struct EngineOptions {
    ProjectPaths paths;
    PoolConfig pool;
    RunnerConfig resources; /* defaults and resource_classes, resolved for each launch */
    QString python;         /* runner.python, handed to every worker launched */
    QString workerIdPrefix = QStringLiteral("w");
    NetAddress listenAddress = NetAddress::localHost(); /* where the worker port listens */
    QString connectHost = QStringLiteral("127.0.0.1"); /* what workers are told */
    qint64 heartbeatTimeoutMs = 35000; /* a silent worker is lost after this */
    int registerTimeoutMs = 5000;      /* a connection must register within this */
    int maxAttempts = 2;               /* a task whose worker is lost is retried once (the pool decides) */
    int tickMs = 1000;
    int stopGraceMs = 5000;            /* between worker.shutdown and a kill */

    /// Applies the test/debug overrides DFM_HEARTBEAT_TIMEOUT_MS,
    /// DFM_REGISTER_TIMEOUT_MS and DFM_TICK_MS from the environment.
    void applyEnvironment();
};

enum class SubmitError { None, DuplicateId, ShuttingDown };

class Engine : public QObject {
    Q_OBJECT
public:
    /// Takes ownership of `launcher`; workers connect over TCP
    /// (TcpWorkerTransport on options.listenAddress).
    Engine(const EngineOptions &options, WorkerLauncher *launcher, QObject *parent = nullptr);
    /// Takes ownership of `launcher` and `transport` (tests: a fake one).
    Engine(const EngineOptions &options, WorkerLauncher *launcher, WorkerTransport *transport,
           QObject *parent = nullptr);
    ~Engine() override;

    /// Opens the transport (the TCP one: writes the worker secret and
    /// listens) and launches min_workers. False with *err.
    bool start(QString *err);
    quint16 workerPort() const;
    QString runnerName() const { return m_launcher->name(); }
    const EngineOptions &options() const { return m_opt; }

    /// Queues a task of `owner`. Fails for a request_id the owner already
    /// has outstanding, and once shutdown() has begun.
    /// `tag` is handed back with the result (the daemon: the submit's id).
    /// With `notifyStarted`, taskStarted() is emitted each time it is
    /// dispatched.
    SubmitError submit(quint64 owner, const proto::TaskSpec &spec, const QJsonValue &tag = {},
                       bool notifyStarted = false);

    /// Cancels the owner's task: a queued one is answered at once with a
    /// cancelled RESULT, a running one when its worker has stopped it.
    /// Returns false when the owner has no such outstanding task.
    bool cancel(quint64 owner, const QString &requestId);

    /// The owner went away: cancels all its tasks, and their results are
    /// dropped.
    void dropOwner(quint64 owner);

    /// Stops accepting tasks, answers every outstanding one as cancelled,
    /// shuts every worker down (killing or cancelling what does not stop
    /// within the grace period), then emits stopped() once the launcher says
    /// none is left. Never blocks the event loop.
    void shutdown();

    /// status.get's result, also the monitor snapshot (without the
    /// daemon's own fields: pid, started, socket, clients, version).
    proto::DaemonStatus status() const;
    QList<proto::WorkerInfo> workers() const;

    /// Whether anyone listens to monitorEvent(); when not, no event is built.
    void setEventsWanted(bool wanted) { m_eventsWanted = wanted; }
    bool eventsWanted() const { return m_eventsWanted; }
    /// Workers launched since start (each a process or a cluster job).
    qint64 workersLaunched() const { return m_launched; }

Q_SIGNALS:
    /// A task's RESULT. Emitted after the pool knows the task is done, so a
    /// listener may submit at once and find the freed worker.
    void taskFinished(quint64 owner, const QString &requestId, const QJsonValue &tag,
                      const dfm::proto::PassedResult &result);
    void monitorEvent(const dfm::proto::MonitorEvent &event);
    /// A task submitted with notifyStarted was sent to a worker.
    void taskStarted(quint64 owner, const dfm::proto::RunningTask &task);
    void logMessage(const QString &line);
    void stopped();

private:
    struct WorkerRec {
        WorkerKey key = 0;
        QString id;
        QString resourceClass;
        QString hostname;
        QString jobId;
        QString schedulerState; /* a pending job's state and reason, as its scheduler said */
        qint64 pid = 0;
        bool connected = false; /* registered on the transport, not closed since */
        TaskKey task = 0;
        qint64 sinceWallMs = 0;
        qint64 tasksDone = 0;
    };
    /// What only a task sent to a worker has (a few at a time, so not in
    /// every queued task's slot).
    struct Running {
        WorkerKey worker = 0;
        qint64 startedWallMs = 0;
        qint64 startedMs = 0;
    };

    qint64 now() const { return m_clock.elapsed(); }
    void log(const QString &line);
    void applyActions();
    void launch(WorkerKey key, const QString &resourceClass);
    void onProbed(const QList<ProbeAnswer> &answers);
    void dispatch(TaskKey task, WorkerKey worker);
    void stopWorker(WorkerKey key);
    /// Removes a worker from the engine's tables (the pool is told apart).
    bool takeWorker(WorkerKey key, WorkerRec *out);
    void workerLost(WorkerKey key, const QString &reason);
    void finishTask(TaskKey key, proto::PassedResult result);
    void finishTask(TaskKey key, const proto::TaskResult &result) { finishTask(key, proto::passedResult(result)); }
    void giveBackMemory();
    QString admitWorker(const proto::WorkerRegistration &reg);
    void onWorkerRegistered(const QString &id, const proto::WorkerRegistration &reg);
    void onWorkerMessage(const QString &id, const proto::Message &msg);
    void onWorkerResult(const QString &id, const QByteArray &requestId, const proto::PassedResult &result);
    /// A result from the worker `key` (heard already) for the task named
    /// `requestId`, however it was read.
    void takeResult(WorkerKey key, WorkerRec &w, const QByteArray &requestId, proto::PassedResult result);
    void onTick();
    void emitWorkerState(const WorkerRec &w, const QString &state);
    void emitQueued(TaskKey key, int attempt);
    void emitEvent(proto::MonitorEvent::Kind kind, proto::MonitorEvent &&e);
    proto::RunningTask runningOf(TaskKey key) const;
    proto::WorkerInfo infoOf(const WorkerRec &w) const;
    QString workerIdOf(WorkerKey key) const;

    EngineOptions m_opt;
    WorkerLauncher *m_launcher;
    WorkerTransport *m_transport;
    Pool m_pool;
    QElapsedTimer m_clock;
    qint64 m_startedWallMs = 0;
    QTimer m_tick;
    bool m_shuttingDown = false;
    QStringList m_toProbe; /* pending workers of one applyActions, probed in one call */

    TaskTable m_tasks; /* queued and running: what each needs, and its task.execute line */
    std::unordered_map<TaskKey, Running> m_running; /* tasks sent to a worker, until done or requeued */
    std::unordered_map<WorkerKey, WorkerRec> m_workers;
    QHash<QString, WorkerKey> m_workerIds;
    std::deque<proto::TaskCompleted> m_recent; /* last completions, newest last */
    bool m_eventsWanted = false;
    qint64 m_launched = 0;
    size_t m_taskPeak = 0; /* most tasks held since memory was last given back */

    proto::TaskCounters m_count;
};

} // namespace dfm
