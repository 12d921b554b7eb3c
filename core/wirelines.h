#pragma once
// The lines sent once per task, encoded straight to bytes with JsonWriter
// (core/jsonwriter.h) instead of built as a QJsonObject and serialised:
// by the daemon, task.execute to a worker, task.started and the RESULT to a
// client; by the worker, its task.result to the daemon. Each parses to the
// same JSON as the QJsonObject route (encode(...) of the message) would;
// only key order may differ. Why: docs/performance.md, "Daemon CPU per
// task" and "Per-task CPU, third session".

#include "payloads.h"
#include "protocol.h"

namespace dfm::proto {

/// The task.execute line (newline included) for a submitted task: the
/// params the client sent, with `request_id` and `name` set and
/// `notify_started` (between the client and the daemon) left out.
QByteArray encodeTaskExecute(const QJsonObject &submitted, const QString &requestId, const QString &name);

/// encodeTaskExecute in two halves, for a daemon that keeps queued tasks
/// small: the submitted params' fields (no braces, no `request_id`, `name`
/// or `notify_started`), encoded at submit and kept; and the whole line
/// from them, put together at dispatch. The two give encodeTaskExecute's
/// bytes exactly.
QByteArray encodeTaskExecuteParams(const QJsonObject &submitted);
QByteArray composeTaskExecute(QByteArrayView params, QByteArrayView requestIdUtf8, QByteArrayView nameUtf8);

/// encodeTaskExecuteParams without decoding and encoding again: the
/// members of the submit line's params as the client wrote them, less the
/// same three keys, in a block of their exact size. The worker parses the
/// same JSON either way. False when the scanner (core/jsonscan.h) does not
/// take the line (not strict JSON, a key written with escapes, nesting
/// deeper than 256): encode from the parsed params then.
bool spliceTaskExecuteParams(QByteArrayView submitLine, QByteArray *params);

/// True for the keys of a submit's params that are not passed on to the
/// worker as they came: request_id and name (set at dispatch) and
/// notify_started (between the client and the daemon).
bool isNotPassedOn(QByteArrayView key);

/// A RESULT on its way from a worker to the client that submitted the
/// task, kept as text: the daemon reads a few facts from it and adds its
/// own fields, but never builds it as an object. `members` never holds the
/// fields the daemon sets: request_id, worker_id, hostname, attempts.
struct PassedResult {
    int status = 0;
    bool cancelled = false;    /* "cancelled" is true */
    bool hasCancelled = false; /* "cancelled" is among the members */
    bool hasDuration = false;  /* "duration_ms" is among the members */
    qint64 durationMs = 0;
    QString log;
    QString hostname;          /* hostnameJson's text when it is a string */
    QByteArray hostnameJson;   /* "hostname"'s value as JSON; empty: none */
    QByteArray members;        /* the rest, "key":value joined by commas */

    void setHostname(const QString &name);
    /// Adds a member that is not there yet (the caller knows).
    void add(QLatin1String key, qint64 value);
    void add(QLatin1String key, bool value);
    void add(QLatin1String key, const QString &value);
    /// The RESULT object's text, appended to `out`.
    void appendObject(QByteArray *out) const;
};

/// A parsed RESULT (one the daemon made, or one only Qt's parser took) as a
/// PassedResult; its object parses to result.toJson() less the four
/// daemon's fields.
PassedResult passedResult(const TaskResult &result);
/// A PassedResult parsed, for a consumer in this process (dfm run's
/// private pool, tests).
TaskResult toTaskResult(const PassedResult &result);

/// The response line (newline included) answering a task.submit with its
/// RESULT: encode(response(id, RESULT)).
QByteArray encodeResultResponse(const QJsonValue &id, const PassedResult &result);

/// An event line (newline included) whose params are t.toJson()
/// (task.started).
QByteArray encodeRunningEvent(QLatin1String method, const RunningTask &t);

/// The worker's task.result event line (newline included):
/// encode(event(kTaskResult, params)) where params are result.toJson()
/// with `worker_id`, `hostname` and `request_id` set over `extra`'s.
QByteArray encodeTaskResultEvent(const QString &requestId, const QString &workerId,
                                 const QString &hostname, const TaskResult &result);

} // namespace dfm::proto
