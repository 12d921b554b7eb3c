#pragma once
// Text for people, as pure functions: system errors, durations and the
// `dfm daemon status` report. Tested without a terminal.

#include <QString>

namespace dfm {
class MonitorModel;
}

namespace dfm::fmt {

/// The system's text for errno value `e` ("No such file or directory").
QString errnoText(int e);

/// "850ms", "12.3s", "4m 05s", "2h 03m", "3d 04h".
QString duration(qint64 ms);

/// The human `dfm daemon status` report: the model built from a status.get
/// result (a snapshot), the time now (epoch ms) and the project root. After
/// the summary lines: the queue by class and client (when any is queued),
/// the workers, the running tasks with how long each has run and where, and
/// the last 10 completions with failures' status and log paths (when the
/// snapshot had them), each with how long ago it ended.
QString daemonStatus(const MonitorModel &model, qint64 nowMs, const QString &root);

} // namespace dfm::fmt
