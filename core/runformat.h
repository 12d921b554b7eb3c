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

/// What the terminal status line shows.
struct Progress {
    int done = 0, total = 0;
    int running = 0;        /* started on a worker, not finished */
    int queued = 0;         /* submitted, not started yet */
    int failed = 0;
    qint64 elapsedMs = 0;   /* since the run started */
    QString longestTask;    /* the running task that started first; "" when none runs */
    qint64 longestMs = 0;   /* how long it has run */
};

/// The terminal status line (no "\r"), at most `width` characters (no
/// limit when width <= 0):
/// "[3/10] 2 running, 4 queued, 1 failed, 12s; longest: sim_big 8s".
/// "N queued" only when some are; the longest-running part only when a task
/// runs. Too long, the task name is shortened in the middle ("sim...big"),
/// then the longest-running part dropped, then the line cut.
QString statusLine(const Progress &p, int width);

/// A duration as a clock for the status line: "8s", "4m05s", "2h03m".
QString clock(qint64 ms);

/// `text` in SGR colour `sgr` ("31" red, "1;31" bold red, "32" green,
/// "33" yellow) when `color`, else unchanged.
QString paint(const QString &text, const char *sgr, bool color);

/// The lines of a task log worth showing beside its failure, at most `max`:
/// the last lines that look like errors (UVM_ERROR, UVM_FATAL, Error, FATAL,
/// "*E,", "%Error"...; not UVM's "UVM_ERROR :    0" report counts), else
/// the last non-empty lines. `tail` is the end of the log, oldest first.
QStringList errorExcerpt(const QStringList &tail, int max);

/// A failure on a terminal, newline-terminated: the task line with FAILED
/// (coloured when `color`), then each excerpt line as "  | LINE", then
/// "  log: PATH" when the log is known.
QString failureBlock(int done, int total, const TaskOutcome &t, const QStringList &excerpt, bool color);

/// One plain line (no newline) for a finished task:
/// "[3/10] passed build (1.2s)",
/// "[4/10] FAILED test_x (exit 1) log: /p/rundir/test_x/test_x.log",
/// "[5/10] skipped test_y (needs test_x failed)", "[6/10] cancelled sim".
/// With `color`, FAILED is bold red.
QString taskLine(int done, int total, const TaskOutcome &t, bool color = false);

/// Why a failed task failed, for people: "exit 1", "signal 9", or the reason.
QString failureDetail(const TaskOutcome &t);

/// The closing summary, newline-terminated:
/// "dfm run: 8 passed, 1 failed, 1 skipped, 0 cancelled in 3.4s (MODE)\n"
/// then, when any failed, "failed:\n" and "  NAME (exit 1) log: PATH\n" per
/// failed task in run order (the first kListed, then "  and N more\n");
/// then "skipped: a, b\n" and "cancelled: c\n" when any were (the first
/// kListed names, then "and N more"). `mode` is the backend's description.
/// With `color`, a non-zero failed count and the "failed:" header are red.
QString summary(const std::vector<TaskOutcome> &tasks, qint64 wallMs, const QString &mode, bool color = false);

/// How many tasks of each kind the summary names before "and N more".
inline constexpr int kListed = 10;

/// The --json report: {"tasks": [{"name", "status", "exit_code" (null when
/// none), "duration_ms", "worker", "host", "log", "reason" (only when set)}],
/// "passed", "failed", "skipped", "cancelled", "wall_ms", "mode"}.
/// `mode` is "daemon" or "ephemeral".
QJsonObject jsonReport(const std::vector<TaskOutcome> &tasks, qint64 wallMs, const QString &mode);

} // namespace dfm::fmt
