#pragma once
// The dfm wire protocol, in one place: method and field names, message
// parsing and building, and validation of the messages both sockets carry.
// Wire-compatible with shared/reference/wire-protocol.md; our additions are
// optional fields and methods marked "extension". See docs/protocol.md.

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QLatin1String>
#include <QString>
#include <QStringList>

namespace dfm::proto {

// Client methods (daemon.sock).
inline constexpr QLatin1String kPing("ping");
inline constexpr QLatin1String kTaskSubmit("task.submit");
inline constexpr QLatin1String kTaskCancel("task.cancel");
inline constexpr QLatin1String kStatusGet("status.get");
inline constexpr QLatin1String kMonitorSubscribe("monitor.subscribe");
inline constexpr QLatin1String kShutdown("shutdown");

// Worker methods (TCP worker_port).
inline constexpr QLatin1String kWorkerRegister("worker.register");
inline constexpr QLatin1String kWorkerHeartbeat("worker.heartbeat");
inline constexpr QLatin1String kWorkerShutdown("worker.shutdown");
inline constexpr QLatin1String kTaskExecute("task.execute");
inline constexpr QLatin1String kTaskResult("task.result");

// Monitor events.
inline constexpr QLatin1String kEvWorkerState("worker.state");
inline constexpr QLatin1String kEvTaskDispatched("task.dispatched");
inline constexpr QLatin1String kEvTaskCompleted("task.completed");
inline constexpr QLatin1String kEvClientConnected("client.connected");
inline constexpr QLatin1String kEvSnapshot("monitor.snapshot"); // extension

/// One parsed line: a request (method + id), an event (method, no id) or a
/// response (id + result or error).
struct Message {
    QString method;      /* empty for responses */
    QJsonValue id;       /* Undefined when the line had no "id" */
    QJsonObject params;  /* {} when absent */
    QJsonValue result;   /* Undefined unless a result response */
    QString error;       /* the "error" text of an error response */
    bool hasError = false;
    QByteArray line;     /* the line it was parsed from (shared, not copied) */

    bool isRequest() const { return !method.isEmpty() && !id.isUndefined(); }
    bool isEvent() const { return !method.isEmpty() && id.isUndefined(); }
    bool isResponse() const { return method.isEmpty(); }
};

/// Parses one line. On failure returns false and sets *err to the text to put
/// in an error reply: "Invalid JSON: <reason>" for bytes that are not a JSON
/// object, "Invalid message: <reason>" for an object of the wrong shape.
bool parse(const QByteArray &line, Message *msg, QString *err);

/// Serialises an object as one compact line, '\n'-terminated.
QByteArray encode(const QJsonObject &obj);

QJsonObject request(QLatin1String method, const QJsonValue &id, const QJsonObject &params = {});
QJsonObject response(const QJsonValue &id, const QJsonValue &result);
/// An error response; with an Undefined id the "id" key is left out (as for
/// a line that could not be parsed).
QJsonObject errorResponse(const QJsonValue &id, const QString &error);
QJsonObject event(QLatin1String method, const QJsonObject &params);

/// `{"msg", "severity"}`; severity is "error", "warning" or "info".
QJsonObject marker(const QString &msg, const QString &severity = QStringLiteral("error"));

/// A task as submitted by a client (task.submit params) and as executed by a
/// worker (task.execute params). `raw` keeps every field the client sent, so
/// fields we do not interpret (callable_spec, inputs, ...) are forwarded.
struct TaskSpec {
    QString requestId;
    QString name;
    QString shell = QStringLiteral("bash");
    QString body;
    QString srcdir;
    QString rundir;
    QJsonObject env;        /* string values only */
    QString resourceClass;  /* "" = default */
    QString poolClass;      /* resourceClass plus the `resources` extension: see core/resources.h */
    QJsonObject params;     /* for ${{ NAME }} expansion */
    QJsonArray inputs;      /* serialized data items of the task's dependencies */
    QJsonValue memento = QJsonValue::Null; /* the memento of its last run */
    QString callableSpec;   /* pytask: dotted path of the Python callable */
    QStringList pythonpath; /* pytask: import paths to add first */
    double timeoutSec = 0;  /* extension: kill the task after this long; 0 = never */
    QJsonObject raw;
    /// task.execute's params as spliceTaskExecuteParams() took them from
    /// the submit line; empty: encodeTaskExecuteParams(raw) writes them.
    QByteArray executeParams;
};

/// Validates task.submit / task.execute params. Returns false with *err
/// naming the bad field ("task.submit: missing string field 'request_id'").
/// `name` defaults to the request_id when absent.
bool parseTaskSpec(const QJsonObject &params, TaskSpec *spec, QString *err);

/// The RESULT of a task (reply to task.submit, and task.result params).
struct TaskResult {
    int status = 0;
    bool changed = false;
    QJsonArray output;
    QJsonArray markers;
    QJsonValue memento = QJsonValue::Null;
    QJsonObject extra;      /* extension fields: exit_code, signal, worker_id,
                               hostname, duration_ms, log, attempts, cancelled */
    QJsonObject toJson() const;
};

/// Parses a RESULT (task.result params or a task.submit reply); `status` is
/// required. Unknown fields land in `extra`.
bool parseTaskResult(const QJsonObject &obj, TaskResult *res, QString *err);

/// A failed RESULT carrying one error marker, for results the daemon makes
/// itself (cancelled, worker lost, no worker could start).
TaskResult failedResult(const QString &why, int status = 1);

/// worker.register params. `token` is our extension: the secret that proves
/// the daemon launched this worker.
struct WorkerRegistration {
    QString workerId;
    QString hostname;
    qint64 pid = 0;
    QString resourceClass;
    QString lsfJobId;
    QString jobId;
    QString token;
};
bool parseRegistration(const QJsonObject &params, WorkerRegistration *reg, QString *err);
QJsonObject registrationParams(const WorkerRegistration &reg);

/// Worker states on the wire.
inline constexpr QLatin1String kStateIdle("idle");
inline constexpr QLatin1String kStateBusy("busy");
inline constexpr QLatin1String kStatePending("pending");

/// A WORKER as shown in status.get and worker.state events.
struct WorkerInfo {
    QString workerId;
    QString resourceClass;
    QString hostname;
    QString state;        /* idle | busy | pending | stopping (extension) */
    QString currentTask;  /* task name, "" when idle */
    QString currentRequestId; /* extension: its request_id ... */
    qint64 currentClient = 0; /* ... and client, naming it exactly */
    QString jobId;        /* scheduler job id, "" for local workers */
    QString schedulerState; /* extension: a pending job's state and reason in the scheduler's words */
    qint64 pid = 0;
    qint64 tasksDone = 0;
    QString since;        /* ISO-8601 UTC of the last state change */
    qint64 sinceMs = 0;   /* extension: the same, epoch ms */
    QJsonObject toJson() const;
    static WorkerInfo fromJson(const QJsonObject &obj);
};

/// Field names and values the worker and daemon both spell outside
/// protocol.cpp (additive; kept here so no one hand-types them).
inline constexpr QLatin1String kFieldRequestId("request_id");
inline constexpr QLatin1String kFieldWorkerId("worker_id");
inline constexpr QLatin1String kFieldHostname("hostname");
inline constexpr QLatin1String kResultRegistered("registered");

/// UTC timestamp as the state file writes it: YYYY-MM-DDTHH:MM:SSZ.
QString utcStamp(qint64 msecsSinceEpoch);
/// The same into `out` (20 bytes, no terminator) for years 1 to 9999;
/// false for a time outside them.
bool utcStamp(qint64 msecsSinceEpoch, char (&out)[20]);

} // namespace dfm::proto
