#pragma once
// The typed payloads of the daemon's reports: status.get's result, the
// monitor snapshot and every monitor event. The daemon builds them only
// through these structs and every consumer (dfm daemon status, dfm run, both
// monitors) reads them only through them, so a field means the same thing
// wherever it appears. Wire-compatible with shared/reference/wire-protocol.md:
// reference fields keep their names and types; ours are additions, listed in
// docs/protocol.md.
//
// Times travel twice: as the reference's UTC stamp (`started`, `time`,
// seconds) and as epoch milliseconds (`*_ms`) for monitors that tick.
// fromJson() never fails: a missing or mistyped field reads as its default,
// so a monitor can attach to an older or newer daemon.

#include "protocol.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

namespace dfm::proto {

inline constexpr QLatin1String kEvTaskQueued("task.queued");             // extension
inline constexpr QLatin1String kEvClientDisconnected("client.disconnected"); // extension
/// Extension, not a monitor event: sent only to a client that submitted the
/// task with `notify_started: true`, each time the task goes to a worker;
/// params are a RunningTask.
inline constexpr QLatin1String kEvTaskStarted("task.started");

/// A task running on a worker: the same fields in status.get's `running`,
/// the snapshot and task.dispatched. (client, request_id) names a task.
struct RunningTask {
    QString requestId;
    QString name;
    qint64 client = 0;      /* the submitting connection (0: an ephemeral run) */
    QString workerId;
    QString hostname;
    QString resourceClass;
    qint64 startedMs = 0;   /* epoch ms; `started` is its UTC stamp */
    int attempt = 1;        /* 2 and up after a lost worker */

    QJsonObject toJson() const;
    static RunningTask fromJson(const QJsonObject &o);
};

/// task.queued: a task entered the queue (submitted, or requeued after its
/// worker was lost, then with attempt > 1).
struct TaskQueued {
    QString requestId;
    QString name;
    qint64 client = 0;
    QString resourceClass;
    qint64 timeMs = 0;
    int attempt = 1;

    QJsonObject toJson() const;
    static TaskQueued fromJson(const QJsonObject &o);
};

/// task.completed, and one entry of the snapshot's `recent`.
struct TaskCompleted {
    QString requestId;
    QString name;
    qint64 client = 0;
    QString workerId;       /* "" for a task that never ran */
    QString hostname;
    QString resourceClass;
    int status = 0;
    bool cancelled = false;
    qint64 durationMs = 0;
    qint64 timeMs = 0;      /* when it finished */
    QString log;            /* the task's log file, when the worker said */

    bool passed() const { return status == 0 && !cancelled; }
    QJsonObject toJson() const;
    static TaskCompleted fromJson(const QJsonObject &o);
};

/// client.connected / client.disconnected, and one entry of `client_list`.
struct ClientInfo {
    qint64 client = 0;
    qint64 pid = 0;         /* the peer's process, when the socket tells */
    QString command;        /* its command line, shortened; "" when unknown */

    QJsonObject toJson() const;
    static ClientInfo fromJson(const QJsonObject &o);
};

/// The counters of status.get (since the daemon started).
struct TaskCounters {
    qint64 submitted = 0, passed = 0, failed = 0, cancelled = 0, retried = 0;
    QJsonObject toJson() const;
    static TaskCounters fromJson(const QJsonObject &o);
};

/// The pool's limits as status.get reports them.
struct PoolLimits {
    int minWorkers = 0;
    int maxWorkers = 0;
    double idleTimeoutS = 0;
    int launchBatchSize = 0;
    QJsonObject toJson() const;
    static PoolLimits fromJson(const QJsonObject &o);
};

/// status.get's result. The monitor snapshot is the same plus `recent`.
struct DaemonStatus {
    // reference fields
    qint64 pid = 0;
    QList<WorkerInfo> workers;
    int pendingTasks = 0;   /* queued, all classes */
    QString runner;
    // extensions
    int runningTasks = 0;
    QList<RunningTask> running;
    qint64 uptimeS = 0;
    QString started;        /* UTC stamp */
    qint64 nowMs = 0;       /* the daemon's clock when this was made */
    QString socket;
    int workerPort = 0;
    int clients = 0;
    int monitors = 0;
    QList<ClientInfo> clientList;
    QMap<QString, int> queuedByClass;  /* resource class ("" = default) -> queued */
    QMap<qint64, int> queuedByClient;  /* client -> queued */
    QString version;
    TaskCounters counters;
    PoolLimits pool;
    QList<TaskCompleted> recent;       /* snapshot only: oldest first */

    QJsonObject toJson() const;
    static DaemonStatus fromJson(const QJsonObject &o);
};

/// The extension fields of a RESULT (see protocol.h's TaskResult), read in
/// one place for every consumer.
struct ResultFacts {
    int exitCode = -1;      /* -1 when the task did not exit by itself */
    int signal = 0;         /* the signal that killed it, 0 if none */
    qint64 durationMs = 0;
    QString workerId;
    QString hostname;
    QString log;            /* the task's log file */
    int attempts = 0;
    bool cancelled = false;
    QString firstMarker;    /* the first marker's text, "" when none */

    static ResultFacts of(const TaskResult &r);
};

/// One decoded monitor event. `kind` says which member holds it.
struct MonitorEvent {
    enum Kind { Unknown, Snapshot, WorkerState, Queued, Dispatched, Completed, ClientConnected, ClientDisconnected };
    Kind kind = Unknown;
    DaemonStatus snapshot;
    WorkerInfo worker;
    TaskQueued queued;
    RunningTask dispatched;
    TaskCompleted completed;
    ClientInfo client;

    /// Decodes an event message by its method; unknown methods give Unknown.
    static MonitorEvent fromMessage(const QString &method, const QJsonObject &params);
    /// The event as a line-ready message object.
    QJsonObject toMessage() const;
};

} // namespace dfm::proto
