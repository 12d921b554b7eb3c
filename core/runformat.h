#pragma once
// What `dfm run` prints, as pure functions in the manner of Ninja's
// StatusPrinter: the terminal status line, one line per finished task, the
// summary and the --json report. Only cli/ writes them to a terminal.
// Tested in tests/tst_runformat.cpp.

#include "runplan.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace dfm::fmt {

/// How one task of a run ended (or that it has not yet).
struct TaskOutcome {
    QString name;
    TaskStatus status = TaskStatus::Waiting;
    int exitCode = -1;     /* -1: none (killed, never ran, lost) */
    int signal = 0;        /* the signal that killed it, 0 = none */
    qint64 durationMs = 0;
    QString worker;        /* worker id, "" when it never ran */
    QString host;
    QString log;           /* the task's log file, "" when unknown */
    QString reason;        /* why it failed/was skipped or cancelled without an exit code:
                              "needs test_x failed", "daemon connection lost" */
};

/// Totals of a run by outcome.
struct RunCounts {
    int passed = 0, failed = 0, skipped = 0, cancelled = 0;
};

/// Counts the finished outcomes (waiting/running ones are not counted).
RunCounts countOutcomes(const std::vector<TaskOutcome> &tasks);

/// The terminal status line (no "\r"): "[3/10] 2 running, 1 failed: build";
/// without a last task, the ": build" part is left out.
QString statusLine(int done, int total, int running, int failed, const QString &lastFinished);

/// One plain line (no newline) for a finished task:
/// "[3/10] passed build (1.2s)",
/// "[4/10] FAILED test_x (exit 1) log: /p/rundir/test_x/test_x.log",
/// "[5/10] skipped test_y (needs test_x failed)", "[6/10] cancelled sim".
QString taskLine(int done, int total, const TaskOutcome &t);

/// Why a failed task failed, for people: "exit 1", "signal 9", or the reason.
QString failureDetail(const TaskOutcome &t);

/// The closing summary, newline-terminated:
/// "dfm run: 8 passed, 1 failed, 1 skipped, 0 cancelled in 3.4s (MODE)\n"
/// then, when any failed, "failed:\n" and "  NAME (exit 1) log: PATH\n" per
/// failed task in run order. `mode` is the backend's description.
QString summary(const std::vector<TaskOutcome> &tasks, qint64 wallMs, const QString &mode);

/// The --json report: {"tasks": [{"name", "status", "exit_code" (null when
/// none), "duration_ms", "worker", "host", "log", "reason" (only when set)}],
/// "passed", "failed", "skipped", "cancelled", "wall_ms", "mode"}.
/// `mode` is "daemon" or "ephemeral".
QJsonObject jsonReport(const std::vector<TaskOutcome> &tasks, qint64 wallMs, const QString &mode);

} // namespace dfm::fmt
