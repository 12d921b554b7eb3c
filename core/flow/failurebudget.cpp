#include "flow/failurebudget.h"

namespace dfm::flow {

FailureBudget::FailureBudget(std::vector<int> parent, std::vector<int> maxFailures)
    : m_parent(std::move(parent)), m_max(std::move(maxFailures))
{
    const size_t n = m_parent.size();
    m_max.resize(n, -1);
    m_count.assign(n, 0);
    m_children.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const int p = m_parent[i];
        if (p >= 0 && size_t(p) < n && p != int(i))
            m_children[size_t(p)].push_back(int(i));
        else
            m_parent[i] = -1;
    }
}

std::vector<int> FailureBudget::failed(int task)
{
    std::vector<int> reached;
    if (task < 0 || size_t(task) >= m_parent.size())
        return reached;
    // Up the enclosing compounds, iteratively; a compound already failed
    // counted in its parent once, so the walk stops there. A bounded walk:
    // at most one step per task.
    int c = m_parent[size_t(task)];
    for (size_t steps = 0; c >= 0 && steps < m_parent.size(); ++steps) {
        const int count = ++m_count[size_t(c)];
        if (m_max[size_t(c)] > 0 && count == m_max[size_t(c)])
            reached.push_back(c);
        if (count > 1)
            break;
        c = m_parent[size_t(c)];
    }
    return reached;
}

std::vector<int> FailureBudget::members(int compound) const
{
    std::vector<int> out;
    if (compound < 0 || size_t(compound) >= m_children.size())
        return out;
    std::vector<int> stack{compound};
    while (!stack.empty() && out.size() <= m_parent.size()) {
        const int c = stack.back();
        stack.pop_back();
        for (int child : m_children[size_t(c)]) {
            out.push_back(child);
            stack.push_back(child);
        }
    }
    return out;
}

int FailureBudget::failures(int compound) const
{
    return compound >= 0 && size_t(compound) < m_count.size() ? m_count[size_t(compound)] : 0;
}

} // namespace dfm::flow
