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

/// The response line (newline included) answering a task.submit with its
/// RESULT: encode(response(id, result.toJson())).
QByteArray encodeResultResponse(const QJsonValue &id, const TaskResult &result);

/// An event line (newline included) whose params are t.toJson()
/// (task.started).
QByteArray encodeRunningEvent(QLatin1String method, const RunningTask &t);

/// The worker's task.result event line (newline included):
/// encode(event(kTaskResult, params)) where params are result.toJson()
/// with `worker_id`, `hostname` and `request_id` set over `extra`'s.
QByteArray encodeTaskResultEvent(const QString &requestId, const QString &workerId,
                                 const QString &hostname, const TaskResult &result);

} // namespace dfm::proto
