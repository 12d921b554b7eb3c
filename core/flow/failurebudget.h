#pragma once
// max_failures of compound tasks during one run, free of I/O: counts the
// failures in each compound's body and says when a compound has had enough,
// so the run skips what of its body has not started. Tested in
// tests/tst_compound.cpp.

#include <cstddef>
#include <vector>

namespace dfm::flow {

class FailureBudget {
public:
    FailureBudget() = default;
    /// `parent[i]`: the task index of task i's enclosing compound (-1 at
    /// the top level). `maxFailures[i]`: compound i's max_failures (-1 or 0:
    /// no limit). Both indexed like the run's tasks.
    FailureBudget(std::vector<int> parent, std::vector<int> maxFailures);

    /// Task `task` failed. A failure counts in its enclosing compound; the
    /// first failure in a compound's body also counts once, as the compound's
    /// own failure, in the compound enclosing it. Returns the compounds whose
    /// max_failures this failure reached, innermost first.
    std::vector<int> failed(int task);

    /// The tasks of compound `compound`'s body, at any depth.
    std::vector<int> members(int compound) const;

    /// Failures counted in compound `compound`'s body.
    int failures(int compound) const;

private:
    std::vector<int> m_parent;
    std::vector<int> m_max;
    std::vector<int> m_count;
    std::vector<std::vector<int>> m_children; /* compound -> its body tasks */
};

} // namespace dfm::flow
