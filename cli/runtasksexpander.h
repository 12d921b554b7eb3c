#pragma once
// std.RunTasks in `dfm run`: turns the TaskRunSpec items of a std.RunTasks
// task that has run into the tasks to add to the run (RunGrowth), adding
// them to the flow and the run's order as it goes. A request's needs are
// tasks of its batch or of the run (running, finished or still waiting);
// tasks of the flow the new ones need and the run lacks join it too. A need
// that would wait for the std.RunTasks task itself is refused: it could
// never start.

#include "runsession.h"

#include "flow.h"

#include <vector>

namespace dfm::cli {

class RunTasksExpander {
public:
    /// `order[k]` is the flow index of run task k; both grow with what
    /// expand() adds, and must outlive the expander.
    RunTasksExpander(Flow *flow, std::vector<int> *order);

    /// The tasks the TaskRunSpec `items` of std.RunTasks run task `task`
    /// ask for. False with *err ("TaskRunSpec item N (task 'X'): ...") when
    /// one cannot be added; then nothing was added.
    bool expand(int task, const QJsonArray &items, RunGrowth *out, QString *err);

private:
    void waitsFor(int task, std::vector<char> *waiting) const; // the run tasks that cannot start before `task` ends
    void place(int flowIndex);                                  // appends a flow task to the run

    Flow *m_flow;
    std::vector<int> *m_order;
    std::vector<int> m_position; /* flow index -> run position; -1: not in the run */
    std::vector<int> m_addedBy;  /* run position -> the std.RunTasks task that added it; -1: none */
};

} // namespace dfm::cli
