#include "runplan.h"

#include <QHash>

#include <algorithm>

namespace dfm {

QString taskStatusName(TaskStatus s)
{
    switch (s) {
    case TaskStatus::Waiting: return QStringLiteral("waiting");
    case TaskStatus::Ready: return QStringLiteral("ready");
    case TaskStatus::Running: return QStringLiteral("running");
    case TaskStatus::Passed: return QStringLiteral("passed");
    case TaskStatus::Failed: return QStringLiteral("failed");
    case TaskStatus::Skipped: return QStringLiteral("skipped");
    case TaskStatus::Cancelled: return QStringLiteral("cancelled");
    }
    return QString();
}

RunPlan::RunPlan(const std::vector<std::vector<int>> &needs)
{
    add(needs);
}

void RunPlan::add(const std::vector<std::vector<int>> &needs)
{
    const int first = size();
    const int n = first + int(needs.size());
    m_status.resize(size_t(n), TaskStatus::Waiting);
    m_dependents.resize(size_t(n));
    m_pending.resize(size_t(n), 0);
    m_counts[size_t(TaskStatus::Waiting)] += int(needs.size());
    std::vector<char> doomed(needs.size(), 0); /* needs a task that cannot pass */
    std::vector<int> newNeeds(needs.size(), 0); /* needs among the new tasks, for the cycle walk */
    std::vector<int> seen(size_t(n), -1); /* need -> the last task that named it: repeats count once */
    for (int i = first; i < n; ++i) {
        for (int j : needs[size_t(i - first)]) {
            if (j < 0 || j >= n || seen[size_t(j)] == i)
                continue;
            seen[size_t(j)] = i;
            const TaskStatus s = m_status[size_t(j)];
            if (s == TaskStatus::Passed)
                continue;
            if (s == TaskStatus::Failed || s == TaskStatus::Skipped || s == TaskStatus::Cancelled)
                doomed[size_t(i - first)] = 1;
            m_dependents[size_t(j)].push_back(i);
            ++m_pending[size_t(i)];
            if (j >= first)
                ++newNeeds[size_t(i - first)];
        }
    }
    // Kahn's walk over the new tasks only (old ones cannot need new ones):
    // whatever it cannot reach lies on or behind a cycle.
    std::vector<int> queue;
    for (int i = first; i < n; ++i) {
        if (newNeeds[size_t(i - first)] == 0)
            queue.push_back(i);
    }
    std::vector<char> reached(needs.size(), 0);
    for (size_t k = 0; k < queue.size(); ++k) {
        reached[size_t(queue[k] - first)] = 1;
        for (int d : m_dependents[size_t(queue[k])]) {
            if (d >= first && --newNeeds[size_t(d - first)] == 0)
                queue.push_back(d);
        }
    }
    for (int i = first; i < n; ++i) {
        if (m_status[size_t(i)] != TaskStatus::Waiting)
            continue; // skipped already, behind a doomed task
        if (!reached[size_t(i - first)] || doomed[size_t(i - first)]) {
            setStatus(i, TaskStatus::Skipped);
            skipDependents(i);
        } else if (m_pending[size_t(i)] == 0) {
            setStatus(i, TaskStatus::Ready);
            m_ready.push_back(i);
        }
    }
}

void RunPlan::setStatus(int task, TaskStatus s)
{
    --m_counts[size_t(m_status[size_t(task)])];
    m_status[size_t(task)] = s;
    ++m_counts[size_t(s)];
}

bool RunPlan::nextReady(int *task)
{
    while (!m_ready.empty()) {
        const int t = m_ready.front();
        m_ready.pop_front();
        if (m_status[size_t(t)] != TaskStatus::Ready)
            continue;
        setStatus(t, TaskStatus::Running);
        *task = t;
        return true;
    }
    return false;
}

void RunPlan::finished(int task, bool ok)
{
    if (status(task) != TaskStatus::Running)
        return;
    setStatus(task, ok ? TaskStatus::Passed : TaskStatus::Failed);
    if (!ok) {
        skipDependents(task);
        return;
    }
    for (int d : m_dependents[size_t(task)]) {
        if (m_status[size_t(d)] == TaskStatus::Waiting && --m_pending[size_t(d)] == 0) {
            setStatus(d, TaskStatus::Ready);
            m_ready.push_back(d);
        }
    }
}

void RunPlan::skipDependents(int task)
{
    std::vector<int> stack{task};
    while (!stack.empty()) {
        const int t = stack.back();
        stack.pop_back();
        for (int d : m_dependents[size_t(t)]) {
            if (m_status[size_t(d)] == TaskStatus::Waiting) {
                setStatus(d, TaskStatus::Skipped);
                stack.push_back(d);
            }
        }
    }
}

void RunPlan::skip(int task)
{
    const TaskStatus s = status(task);
    if (task < 0 || task >= size() || (s != TaskStatus::Waiting && s != TaskStatus::Ready))
        return;
    setStatus(task, TaskStatus::Skipped);
    skipDependents(task);
}

void RunPlan::markFailed(int task)
{
    if (status(task) == TaskStatus::Skipped)
        setStatus(task, TaskStatus::Failed);
}

void RunPlan::cancelRemaining()
{
    for (int i = 0; i < size(); ++i) {
        const TaskStatus s = m_status[size_t(i)];
        if (s == TaskStatus::Waiting || s == TaskStatus::Ready)
            setStatus(i, TaskStatus::Cancelled);
    }
    m_ready.clear();
}

void RunPlan::markCancelled(int task)
{
    if (status(task) != TaskStatus::Running)
        return;
    setStatus(task, TaskStatus::Cancelled);
    skipDependents(task);
}

bool RunPlan::moreToDo() const
{
    return count(TaskStatus::Waiting) + count(TaskStatus::Ready) + count(TaskStatus::Running) > 0;
}

TaskStatus RunPlan::status(int task) const
{
    return task >= 0 && task < size() ? m_status[size_t(task)] : TaskStatus::Cancelled;
}

std::vector<std::vector<int>> planNeeds(const Flow &flow, const std::vector<int> &order)
{
    QHash<int, int> position; // flow index -> position in order
    for (size_t i = 0; i < order.size(); ++i)
        position.insert(order[i], int(i));
    std::vector<std::vector<int>> needs(order.size());
    for (size_t i = 0; i < order.size(); ++i) {
        for (const QString &need : flow.tasks[size_t(order[i])].needs) {
            const auto it = position.constFind(flow.indexOf(need));
            if (it != position.constEnd())
                needs[i].push_back(*it);
        }
    }
    return needs;
}

} // namespace dfm
