#pragma once
// The state of one `dfm run`, free of I/O (like Ninja's Plan): which tasks
// may start, which passed, failed, were skipped because a need failed, or
// were cancelled. The caller starts the tasks nextReady() hands out and
// reports each end with finished(). Tested in tests/tst_runplan.cpp.

#include "flow.h"

#include <array>
#include <deque>
#include <vector>

namespace dfm {

enum class TaskStatus { Waiting, Ready, Running, Passed, Failed, Skipped, Cancelled };

/// A status as users read it: "waiting", "ready", "running", "passed",
/// "failed", "skipped", "cancelled".
QString taskStatusName(TaskStatus s);

/// True for an outcome: passed, failed, skipped or cancelled.
inline bool isFinal(TaskStatus s)
{
    return s == TaskStatus::Passed || s == TaskStatus::Failed || s == TaskStatus::Skipped || s == TaskStatus::Cancelled;
}

class RunPlan {
public:
    /// `needs[i]` holds the indices (0..n-1) of the tasks task i needs;
    /// out-of-range indices and repeats are ignored. Tasks with no needs
    /// start Ready. The needs must not form a cycle; tasks on or behind one
    /// are Skipped at once rather than left waiting forever.
    explicit RunPlan(const std::vector<std::vector<int>> &needs);

    /// Grows the plan while it runs (std.RunTasks): appends needs.size()
    /// tasks, numbered from size(); `needs[k]` may name any task, old or new.
    /// A new task whose needs have all passed is Ready; one needing a task
    /// that failed, was skipped or cancelled is Skipped at once, and so are
    /// new tasks on or behind a cycle among the new ones.
    void add(const std::vector<std::vector<int>> &needs);

    /// Pops the task that became Ready first (ties in index order), marks it
    /// Running and stores it in *task. Returns false when none is Ready.
    bool nextReady(int *task);

    /// A Running task ended. Passed: dependents whose needs have all passed
    /// become Ready. Failed: every transitive dependent still Waiting becomes
    /// Skipped. Ignored for a task that is not Running.
    void finished(int task, bool ok);

    /// A Waiting or Ready task becomes Skipped without running (a compound's
    /// max_failures was reached), and its Waiting dependents too. Ignored
    /// for a task in any other state.
    void skip(int task);

    /// A Skipped task becomes Failed without having run: a compound task
    /// whose body failed reports the failure as its own, as the Python dfm
    /// does. Its dependents stay Skipped. Ignored in any other state.
    void markFailed(int task);

    /// Every Waiting or Ready task becomes Cancelled. Running tasks stay
    /// Running until finished() or markCancelled().
    void cancelRemaining();

    /// A Running task was cancelled: it becomes Cancelled and its Waiting
    /// dependents Skipped. Ignored for a task that is not Running.
    void markCancelled(int task);

    /// True while any task is Waiting, Ready or Running.
    bool moreToDo() const;

    /// The task's status; Cancelled for an index out of range.
    TaskStatus status(int task) const;

    /// How many tasks have status `s`, in O(1).
    int count(TaskStatus s) const { return m_counts[size_t(s)]; }

    int size() const { return int(m_status.size()); }

private:
    void setStatus(int task, TaskStatus s);
    void skipDependents(int task);

    std::vector<TaskStatus> m_status;
    std::vector<std::vector<int>> m_dependents; /* reverse of needs */
    std::vector<int> m_pending;                 /* needs not yet passed */
    std::deque<int> m_ready;                    /* FIFO; may hold cancelled entries, skipped on pop */
    std::array<int, 7> m_counts{};
};

/// For a selection from selectTasks(): needs[i] holds the positions in
/// `order` of the tasks flow.tasks[order[i]] needs, ready for RunPlan.
/// Needs outside the selection are left out.
std::vector<std::vector<int>> planNeeds(const Flow &flow, const std::vector<int> &order);

} // namespace dfm
