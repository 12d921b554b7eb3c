// Need resolution, once every task exists: a need as written is looked up
// among its body's siblings, then in the package (bare or qualified), then
// as a compound's body task; unknown ones are reported once with the
// closest name; then the graph is checked for a cycle.

#include "flow/elaborator.h"

#include "spellcheck.h"

namespace dfm::flow {

int Elaborator::resolveNeed(int from, const PendingNeed &need)
{
    if (!need.exact.isEmpty())
        return m_flow->indexOf(need.exact);
    if (need.siblings) {
        const auto sib = need.siblings->constFind(need.written);
        if (sib != need.siblings->constEnd())
            return m_flow->indexOf(*sib); // -1: that body task had errors of its own
    }
    QString bare = need.written;
    if (!m_byName.contains(bare) && bare.startsWith(m_pkg.name + QLatin1Char('.')))
        bare = bare.mid(m_pkg.name.size() + 1);
    const auto it = m_byName.constFind(bare);
    if (it != m_byName.constEnd())
        return m_flowIndex[size_t(*it)]; // -1: that task had errors of its own
    if (const int body = m_flow->indexOf(bare); body >= 0 && !m_flow->tasks[size_t(body)].compound().isEmpty())
        return body; // a compound's body task by its full name, C.SUB
    // A compound's needs reach several body tasks: report each once.
    const QString key = QStringLiteral("%1:%2").arg(need.line).arg(need.written);
    if (m_reportedNeeds.contains(key))
        return -1;
    m_reportedNeeds.insert(key);
    const QString &name = m_flow->tasks[size_t(from)].name;
    const qsizetype dot = need.written.indexOf(QLatin1Char('.'));
    if (dot > 0 && need.written.left(dot) == QLatin1String("std")) {
        m_err->add(need.line, QStringLiteral("task '%1' needs '%2', a standard-library task type; "
                                             "declare a task that `uses: %2` and need that").arg(name, need.written));
        return -1;
    }
    if (dot > 0 && need.written.left(dot) != m_pkg.name && !(need.siblings && need.siblings->contains(need.written.left(dot)))) {
        m_err->add(need.line, QStringLiteral("task '%1' needs '%2', but no package '%3' is imported")
                                  .arg(name, need.written, need.written.left(dot)));
        return -1;
    }
    QStringList names = m_byName.keys();
    if (need.siblings)
        names += need.siblings->keys();
    const QString close = closestMatch(bare, names);
    QString msg = need.siblings
                      ? QStringLiteral("task '%1' needs '%2', which is neither a task of its body nor of package '%3'")
                            .arg(name, need.written, m_pkg.name)
                      : QStringLiteral("task '%1' needs '%2', which is not a task in package '%3'").arg(name, need.written, m_pkg.name);
    if (!close.isEmpty())
        msg += QStringLiteral("; did you mean '%1'?").arg(close);
    m_err->add(need.line, msg);
    return -1;
}

void Elaborator::linkNeeds()
{
    const size_t n = m_flow->tasks.size();
    std::vector<std::vector<int>> idx(n);
    std::vector<std::vector<int>> lines(n);
    std::vector<int> seen(n, -1); /* need target -> the last task that named it */
    for (size_t fi = 0; fi < n; ++fi) {
        for (const PendingNeed &need : m_pending[fi]) {
            const int target = resolveNeed(int(fi), need);
            if (target < 0)
                continue;
            // A repeat is dropped; looked up by index, since a report task
            // may need 10,000 others (a name scan per need was quadratic).
            if (seen[size_t(target)] != int(fi)) {
                seen[size_t(target)] = int(fi);
                m_flow->tasks[fi].needs << m_flow->tasks[size_t(target)].name;
                idx[fi].push_back(target);
                lines[fi].push_back(need.line);
            }
        }
    }
    int closer = -1;
    const std::vector<int> cycle = findCycle(idx, &closer);
    if (!cycle.empty()) {
        QStringList path;
        for (int i : cycle)
            path << m_flow->tasks[size_t(i)].name;
        const int target = cycle.back();
        int line = m_flow->tasks[size_t(closer)].line;
        const auto &ns = idx[size_t(closer)];
        for (size_t k = 0; k < ns.size(); ++k) {
            if (ns[k] == target)
                line = lines[size_t(closer)][k];
        }
        m_err->add(line, QStringLiteral("task '%1' needs '%2', which closes a dependency cycle: %3")
                             .arg(m_flow->tasks[size_t(closer)].name, m_flow->tasks[size_t(target)].name,
                                  path.join(QStringLiteral(" -> "))));
    }
}

} // namespace dfm::flow
