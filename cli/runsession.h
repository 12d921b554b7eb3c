#pragma once
// One `dfm run`: drives the RunPlan through a TaskBackend. Submits ready
// tasks (at most maxInFlight at once), turns results into outcomes, skips
// what a failure makes pointless, and cancels on interrupt. Prints nothing:
// it emits taskDone() for each outcome and done() at the end; the printer
// reads outcomes() and counters.

#include "flow/dataflow.h"
#include "flow/execdata.h"
#include "flow/failurebudget.h"
#include "runformat.h"
#include "runplan.h"
#include "taskbackend.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>
#include <vector>

namespace dfm::cli {

/// What std.RunTasks adds to a run while it goes on: made by
/// RunTasksExpander, applied by RunSession::grow() (runsessiongrow.cpp).
struct RunGrowth {
    std::vector<proto::TaskSpec> specs;  /* name and requestId; the spec maker makes the rest */
    std::vector<std::vector<int>> needs; /* task indices, old and new */
    std::vector<QJsonValue> consumes, passthrough;
    std::vector<char> local, alwaysRun;
    std::vector<int> children;           /* the new tasks the std.RunTasks task waits for */
};

/// Turns the TaskRunSpec `items` of finished std.RunTasks task `task` into
/// the tasks to add; false with *err when they cannot be added.
using RunTasksExpand = std::function<bool(int task, const QJsonArray &items, RunGrowth *out, QString *err)>;

class RunSession : public QObject {
    Q_OBJECT
public:
    /// `specs[i]` is task i; `needs` as planNeeds() makes them. `maxInFlight`
    /// caps the tasks submitted and not yet finished (0 = no cap). The
    /// backend must outlive the session and be started already.
    RunSession(std::vector<proto::TaskSpec> specs, const std::vector<std::vector<int>> &needs,
               TaskBackend *backend, int maxInFlight, QObject *parent = nullptr);

    /// Data items between the tasks (flow files; a task list has none):
    /// `consumes`/`passthrough` per task as FlowTask holds them, and which
    /// tasks run nothing (null tasks: they pass at once, here, and pass their
    /// inputs on). Each submit then carries `inputs` and `changed`. Call
    /// before start().
    void setDataflow(std::vector<QJsonValue> consumes, std::vector<QJsonValue> passthrough, std::vector<char> local);

    /// Incremental runs: before a task is submitted its last record in
    /// `store` decides whether it is up-to-date (then it passes at once with
    /// its recorded output, reason "up-to-date"); otherwise its recorded
    /// memento goes with the submit. Each result is recorded. `force` runs
    /// everything; `alwaysRun[i]` marks tasks with `uptodate: false`. Call
    /// after setDataflow() and before start(); the store must outlive the session.
    void setIncremental(flow::ExecStore *store, bool force, std::vector<char> alwaysRun);

    /// Specs made when a task is submitted, not before: `specs` given to the
    /// constructor then need only `name` and `requestId`, and `make(i)`
    /// returns task i's whole spec. A large run whose early task fails
    /// never pays for the specs of the tasks it skips. Call before start().
    void setSpecMaker(std::function<proto::TaskSpec(int)> make) { m_makeSpec = std::move(make); }

    /// Compound tasks: `parent[i]` is the index of task i's enclosing
    /// compound (-1 at the top level), `maxFailures[i]` compound i's
    /// max_failures (-1: no limit). When a compound's body has failed that
    /// often, what of its body has not started is skipped. A compound whose
    /// body had a failure is reported failed ("N tasks of its body failed"),
    /// not skipped, once every task of its body is final; what needs it is
    /// reported after it. Call before start().
    void setCompounds(std::vector<int> parent, std::vector<int> maxFailures);

    /// std.RunTasks: when such a task has run (or is up-to-date), `expand`
    /// gives the tasks its items ask for; they join the run, and the task
    /// stays running until they have ended. It then passes with their
    /// outputs when all passed, else fails ("N of its M tasks failed").
    /// Without this, a std.RunTasks task passes with no tasks added. Call
    /// before start().
    void setRunTasks(RunTasksExpand expand) { m_expand = std::move(expand); }

    /// The output data items of task `index` (after it passed).
    const QJsonArray &outputOf(int index) const { return m_dataflow.outputOf(index); }

    /// Submits the first ready tasks; done() follows when all have ended
    /// (at once, from the event loop, for an empty run).
    void start();

    /// Ctrl-C: cancels every outstanding task and everything not started.
    /// The cancelled results are awaited up to `graceMs`; tasks still
    /// outstanding then are recorded as cancelled. Returns the names of the
    /// tasks that were outstanding.
    QStringList interrupt(int graceMs = 10000);

    /// Gives up waiting: every outstanding task is recorded as cancelled
    /// with reason `why`, everything not started too; done() follows.
    void abandon(const QString &why);

    const std::vector<fmt::TaskOutcome> &outcomes() const { return m_outcomes; }
    int total() const { return int(m_outcomes.size()); }
    /// Tasks with a final outcome.
    int doneCount() const { return m_done; }
    /// Submitted tasks that have started on a worker and not finished.
    int runningCount() const { return int(m_startedMs.size()); }
    /// Submitted tasks without a result yet: running or queued.
    int outstandingCount() const { return int(m_outstanding.size()); }
    /// Names of the running tasks, longest-running first.
    QStringList runningNames() const;
    /// The running task that started first; false when none runs.
    bool longestRunning(QString *name, qint64 *startedMs) const;
    int failedCount() const { return m_plan.count(TaskStatus::Failed); }
    bool interrupted() const { return m_interrupted; }
    bool isDone() const { return m_finished; }
    qint64 elapsedMs() const { return m_clock.elapsed(); }

Q_SIGNALS:
    /// Task `index` reached its final outcome (passed, failed, skipped, cancelled).
    void taskDone(int index);
    /// Every task has an outcome; the backend may be finished.
    void done();

private:
    void submitReady();
    void onResult(const QString &requestId, const proto::TaskResult &result);
    void onLost(const QString &why);
    void onStarted(const QString &requestId, qint64 startedMs);
    void record(int index); // newly final task: outcome status + signal
    void reportNewlyFinal(); // skipped/cancelled tasks RunPlan decided
    bool reportPass();       // one pass of it; true when it recorded a task
    bool holdReport(int index) const; // a compound's report waits for its body, a skip for its needs' reports
    void checkDone();
    QString skipReason(int index) const;
    // runsessiongrow.cpp: std.RunTasks
    bool isRunTasks(int index) const;
    void startRunTasks(int index, bool changed); // the task ran: add its tasks, or end it
    void grow(RunGrowth g);
    bool settleHeld(); // ends held tasks whose added tasks have all ended; true when one did
    bool settleOnce();

    struct Held {
        int task;     /* a std.RunTasks task, Running in the plan; its tasks in m_addedTasks */
        bool changed; /* its own run reported a change */
    };
    std::vector<Held> m_held;
    QHash<int, std::vector<int>> m_addedTasks; /* std.RunTasks task -> the tasks it added */
    RunTasksExpand m_expand;

    std::vector<proto::TaskSpec> m_specs;
    std::function<proto::TaskSpec(int)> m_makeSpec; /* null: m_specs are whole */
    std::vector<char> m_specMade;
    std::vector<std::vector<int>> m_needs;
    RunPlan m_plan;
    flow::Dataflow m_dataflow;
    bool m_hasDataflow = false;
    std::vector<char> m_local;        /* null task: passes here, never submitted */
    flow::ExecStore *m_store = nullptr; /* incremental records; null = always run */
    bool m_force = false;
    std::vector<char> m_alwaysRun;
    std::vector<QJsonArray> m_sentInputs; /* per task: the inputs its submit carried */
    flow::FailureBudget m_budget;     /* max_failures of compounds */
    std::vector<int> m_maxFailures;
    std::vector<char> m_isCompound;   /* has a body (from setCompounds) */
    bool m_holding = false;           /* the last reportNewlyFinal() held a final task back */
    void applyBudget(int failedTask);
    bool upToDate(int task, const proto::TaskSpec &spec, bool needsChanged, flow::ExecRecord *prev, bool *havePrev);
    TaskBackend *m_backend;
    int m_maxInFlight;
    std::vector<fmt::TaskOutcome> m_outcomes;
    std::vector<bool> m_reported;     /* taskDone() emitted */
    QHash<QString, int> m_indexOf;    /* request_id -> task index */
    QHash<QString, int> m_outstanding; /* submitted, no result yet */
    QHash<int, qint64> m_startedMs;    /* outstanding and started: index -> start, ms since epoch */
    int m_done = 0;
    bool m_interrupted = false;
    bool m_finished = false;
    QTimer m_grace;
    QElapsedTimer m_clock;
};

} // namespace dfm::cli
