#pragma once
// Helpers for tests that drive a RunPlan (tst_runplan, tst_runtasks).

#include "runplan.h"

#include <QStringList>

#include <vector>

namespace dfm::test {

/// Pops every Ready task, in order.
inline std::vector<int> drainReady(RunPlan *plan)
{
    std::vector<int> out;
    int t = -1;
    while (plan->nextReady(&t))
        out.push_back(t);
    return out;
}

/// Statuses of all tasks as a string like "passed failed skipped".
inline QString statuses(const RunPlan &plan)
{
    QStringList s;
    for (int i = 0; i < plan.size(); ++i)
        s << taskStatusName(plan.status(i));
    return s.join(QLatin1Char(' '));
}

} // namespace dfm::test
