#pragma once
// The two messages the daemon handles once per task, read from their text
// without building a QJsonDocument: a client's task.submit and a worker's
// task.result. Each scanner takes only lines that the document route
// (proto::parse, then parseTaskSpec or parseTaskResult) takes too, and gives
// what that route gives. Anything else (a line to answer with an error, a
// field it does not check itself, text outside core/jsonscan.h's strict
// JSON) it declines with false, and the caller parses the line as before.
// Why: docs/performance.md, "Per-task messages without a document".

#include "wirelines.h"

namespace dfm::proto {

/// A task.submit request as the daemon needs it.
struct ScannedSubmit {
    QJsonValue id; /* the request's id */
    /// requestId, name, resourceClass, poolClass and executeParams as
    /// parseTaskSpec() and spliceTaskExecuteParams() set them; the fields
    /// the daemon does not read (body, env, ...) are checked, not kept.
    TaskSpec spec;
    bool notifyStarted = false;
};
bool scanTaskSubmit(QByteArrayView line, ScannedSubmit *out);

/// A worker's task.result event: the request_id it answers (UTF-8) and its
/// RESULT, as parseTaskResult() then passedResult() would give them.
bool scanTaskResult(QByteArrayView line, QByteArray *requestIdUtf8, PassedResult *out);

} // namespace dfm::proto
