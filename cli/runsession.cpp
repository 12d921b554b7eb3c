#include "runsession.h"

#include "payloads.h"

#include <algorithm>

namespace dfm::cli {

RunSession::RunSession(std::vector<proto::TaskSpec> specs, const std::vector<std::vector<int>> &needs,
                       TaskBackend *backend, int maxInFlight, QObject *parent)
    : QObject(parent),
      m_specs(std::move(specs)),
      m_needs(needs),
      m_plan(needs),
      m_dataflow({}, {}, needs),
      m_backend(backend),
      m_maxInFlight(maxInFlight),
      m_outcomes(m_specs.size()),
      m_reported(m_specs.size(), false)
{
    m_local.assign(m_specs.size(), 0);
    m_sentInputs.resize(m_specs.size());
    m_specMade.assign(m_specs.size(), 0);
    m_indexOf.reserve(qsizetype(m_specs.size()));
    for (size_t i = 0; i < m_specs.size(); ++i) {
        m_outcomes[i].name = m_specs[i].name;
        m_indexOf.insert(m_specs[i].requestId, int(i));
    }
    connect(m_backend, &TaskBackend::taskFinished, this, &RunSession::onResult);
    connect(m_backend, &TaskBackend::lost, this, &RunSession::onLost);
    connect(m_backend, &TaskBackend::taskStarted, this, &RunSession::onStarted);
    m_grace.setSingleShot(true);
    connect(&m_grace, &QTimer::timeout, this, [this] { abandon(QStringLiteral("no answer to the cancel")); });
}

void RunSession::abandon(const QString &why)
{
    m_interrupted = true;
    m_plan.cancelRemaining();
    for (auto it = m_outstanding.cbegin(); it != m_outstanding.cend(); ++it) {
        m_plan.markCancelled(it.value());
        m_outcomes[size_t(it.value())].reason = why;
    }
    m_outstanding.clear();
    m_startedMs.clear();
    reportNewlyFinal();
    checkDone();
}

void RunSession::setDataflow(std::vector<QJsonValue> consumes, std::vector<QJsonValue> passthrough,
                             std::vector<char> local)
{
    m_dataflow = flow::Dataflow(std::move(consumes), std::move(passthrough), m_needs);
    m_local = std::move(local);
    m_local.resize(m_specs.size(), 0);
    m_hasDataflow = true;
}

void RunSession::setCompounds(std::vector<int> parent, std::vector<int> maxFailures)
{
    parent.resize(m_specs.size(), -1);
    maxFailures.resize(m_specs.size(), -1);
    m_maxFailures = maxFailures;
    m_isCompound.assign(m_specs.size(), 0);
    for (int p : parent) {
        if (p >= 0 && size_t(p) < m_isCompound.size())
            m_isCompound[size_t(p)] = 1;
    }
    m_budget = flow::FailureBudget(std::move(parent), std::move(maxFailures));
}

void RunSession::applyBudget(int failedTask)
{
    for (int c : m_budget.failed(failedTask)) {
        for (int m : m_budget.members(c)) {
            const TaskStatus s = m_plan.status(m);
            if (s != TaskStatus::Waiting && s != TaskStatus::Ready)
                continue;
            m_plan.skip(m);
            if (m_outcomes[size_t(m)].reason.isEmpty())
                m_outcomes[size_t(m)].reason = QStringLiteral("max_failures (%1) of %2 reached")
                                                   .arg(m_maxFailures[size_t(c)]).arg(m_specs[size_t(c)].name);
        }
    }
}

void RunSession::setIncremental(flow::ExecStore *store, bool force, std::vector<char> alwaysRun)
{
    m_store = store;
    m_force = force;
    m_alwaysRun = std::move(alwaysRun);
    m_alwaysRun.resize(m_specs.size(), 0);
}

bool RunSession::upToDate(int task, const proto::TaskSpec &spec, bool needsChanged, flow::ExecRecord *prev,
                          bool *havePrev)
{
    *havePrev = m_store && m_store->load(spec.rundir, spec.name, prev);
    if (!m_store || m_force || m_alwaysRun[size_t(task)])
        return false;
    flow::RunRequest req;
    req.name = spec.name;
    req.srcdir = spec.srcdir;
    req.rundir = spec.rundir;
    req.shell = spec.shell;
    req.body = spec.body;
    req.callable = spec.raw.value(QLatin1String("callable_spec")).toString();
    req.params = spec.params;
    req.inputs = spec.raw.value(QLatin1String("inputs")).toArray();
    req.needsChanged = needsChanged;
    QString why;
    return flow::isUpToDate(*havePrev ? prev : nullptr, req, &why);
}

void RunSession::start()
{
    m_clock.start();
    reportNewlyFinal(); // tasks behind a cycle are skipped from the start
    submitReady();
    QTimer::singleShot(0, this, &RunSession::checkDone);
}

void RunSession::submitReady()
{
    int task = -1;
    while (!m_interrupted && (m_maxInFlight <= 0 || m_outstanding.size() < m_maxInFlight)
           && m_plan.nextReady(&task)) {
        if (m_local[size_t(task)]) { // a loop, not a call chain: any depth of null tasks
            m_dataflow.finished(task, QJsonArray(), false);
            m_outcomes[size_t(task)].exitCode = 0;
            m_plan.finished(task, true);
            record(task);
            continue;
        }
        if (m_makeSpec && !m_specMade[size_t(task)]) {
            m_specs[size_t(task)] = m_makeSpec(task);
            m_specMade[size_t(task)] = 1;
        }
        proto::TaskSpec spec = m_specs[size_t(task)];
        const bool changed = m_dataflow.needsChanged(task);
        if (m_hasDataflow) {
            spec.raw.insert(QStringLiteral("inputs"), m_dataflow.inputsOf(task));
            spec.raw.insert(QStringLiteral("changed"), changed);
            m_sentInputs[size_t(task)] = spec.raw.value(QLatin1String("inputs")).toArray();
        }
        flow::ExecRecord prev;
        bool havePrev = false;
        if (upToDate(task, spec, changed, &prev, &havePrev)) {
            m_outcomes[size_t(task)].exitCode = 0;
            m_outcomes[size_t(task)].reason = QStringLiteral("up-to-date");
            if (isRunTasks(task)) { // its tasks are added again, each up-to-date or not
                startRunTasks(task, false);
                if (isFinal(m_plan.status(task)))
                    record(task);
                continue;
            }
            m_dataflow.finished(task, prev.outputs, false);
            m_plan.finished(task, true);
            record(task);
            continue;
        }
        if (havePrev)
            spec.raw.insert(QStringLiteral("memento"), prev.memento);
        m_outstanding.insert(spec.requestId, task);
        m_backend->submit(spec);
    }
    if (m_holding || !m_held.empty()) { // a pass here may complete a body whose compound waits to be reported
        const size_t held = m_held.size();
        reportNewlyFinal();
        if (m_held.size() != held) // a std.RunTasks task ended: what needs it may start
            submitReady();
    }
}

void RunSession::onResult(const QString &requestId, const proto::TaskResult &result)
{
    const auto it = m_outstanding.find(requestId);
    if (it == m_outstanding.end())
        return;
    const int index = it.value();
    m_outstanding.erase(it);
    m_startedMs.remove(index);
    fmt::TaskOutcome &o = m_outcomes[size_t(index)];
    const proto::ResultFacts f = proto::ResultFacts::of(result);
    o.exitCode = f.exitCode;
    o.signal = f.signal;
    o.durationMs = f.durationMs;
    o.worker = f.workerId;
    o.host = f.hostname;
    o.log = f.log;
    if (o.exitCode < 0 && o.signal == 0)
        o.reason = f.firstMarker;
    // A std.RunTasks task that ran stays running while the tasks it adds run.
    const bool hold = !f.cancelled && result.status == 0 && isRunTasks(index);
    if (f.cancelled)
        m_plan.markCancelled(index);
    else if (!hold)
        m_plan.finished(index, result.status == 0);
    if (!f.cancelled && result.status != 0)
        applyBudget(index);
    if (result.status == 0 && !hold)
        m_dataflow.finished(index, result.output, result.changed);
    if (m_store && !f.cancelled) {
        const proto::TaskSpec &spec = m_specs[size_t(index)];
        flow::ExecRecord rec;
        rec.name = spec.name;
        rec.status = result.status;
        rec.changed = result.changed;
        rec.params = spec.params;
        rec.inputs = m_sentInputs[size_t(index)];
        rec.outputs = result.output;
        rec.markers = result.markers;
        rec.memento = result.memento;
        rec.shell = spec.shell;
        rec.body = spec.body;
        QString e;
        // Ignored on failure (a rundir the worker never made, a full disk):
        // a missing record only means the task runs again next time.
        (void)m_store->save(spec.rundir, rec, &e);
    }
    if (hold)
        startRunTasks(index, result.changed);
    if (m_plan.status(index) == TaskStatus::Passed && !m_holding && m_held.empty())
        record(index); // a pass skips nothing: no need to scan
    else
        reportNewlyFinal();
    submitReady();
    checkDone();
}

void RunSession::onLost(const QString &why)
{
    // What never started is cancelled (not skipped): it did not fail, the pool went away.
    m_plan.cancelRemaining();
    for (auto it = m_outstanding.cbegin(); it != m_outstanding.cend(); ++it) {
        m_outcomes[size_t(it.value())].reason = why;
        m_plan.finished(it.value(), false);
    }
    m_outstanding.clear();
    m_startedMs.clear();
    reportNewlyFinal();
    checkDone();
}

void RunSession::onStarted(const QString &requestId, qint64 startedMs)
{
    const auto it = m_outstanding.constFind(requestId);
    if (it != m_outstanding.cend())
        m_startedMs.insert(it.value(), startedMs);
}

QStringList RunSession::runningNames() const
{
    std::vector<std::pair<qint64, int>> byStart;
    for (auto it = m_startedMs.cbegin(); it != m_startedMs.cend(); ++it)
        byStart.emplace_back(it.value(), it.key());
    std::sort(byStart.begin(), byStart.end());
    QStringList names;
    for (const auto &[ms, index] : byStart)
        names << m_specs[size_t(index)].name;
    return names;
}

bool RunSession::longestRunning(QString *name, qint64 *startedMs) const
{
    int best = -1;
    for (auto it = m_startedMs.cbegin(); it != m_startedMs.cend(); ++it)
        if (best < 0 || it.value() < *startedMs || (it.value() == *startedMs && it.key() < best)) {
            best = it.key();
            *startedMs = it.value();
        }
    if (best >= 0)
        *name = m_specs[size_t(best)].name;
    return best >= 0;
}

QStringList RunSession::interrupt(int graceMs)
{
    QStringList names;
    if (m_interrupted)
        return names;
    m_interrupted = true;
    m_plan.cancelRemaining();
    for (auto it = m_outstanding.cbegin(); it != m_outstanding.cend(); ++it) {
        names << m_specs[size_t(it.value())].name;
        m_backend->cancel(it.key());
    }
    reportNewlyFinal();
    if (!m_outstanding.isEmpty())
        m_grace.start(graceMs);
    checkDone();
    return names;
}

QString RunSession::skipReason(int index) const
{
    for (int need : m_needs[size_t(index)]) {
        const TaskStatus s = m_plan.status(need);
        if (s == TaskStatus::Failed || s == TaskStatus::Skipped || s == TaskStatus::Cancelled)
            return QStringLiteral("needs %1 %2").arg(m_specs[size_t(need)].name, taskStatusName(s));
    }
    return QStringLiteral("its needs cannot complete");
}

void RunSession::record(int index)
{
    m_reported[size_t(index)] = true;
    fmt::TaskOutcome &o = m_outcomes[size_t(index)];
    o.status = m_plan.status(index);
    if (o.status == TaskStatus::Skipped && o.reason.isEmpty())
        o.reason = skipReason(index);
    ++m_done;
    Q_EMIT taskDone(index);
}

bool RunSession::holdReport(int index) const
{
    const auto added = m_addedTasks.constFind(index);
    if (added != m_addedTasks.constEnd()) { // a std.RunTasks task is reported after the tasks it added
        for (int t : *added) {
            if (!m_reported[size_t(t)])
                return true;
        }
    }
    if (m_plan.status(index) != TaskStatus::Skipped)
        return false;
    // A compound whose body failed is reported, failed, once all its body is final.
    if (size_t(index) < m_isCompound.size() && m_isCompound[size_t(index)] && m_budget.failures(index) > 0) {
        for (int m : m_budget.members(index)) {
            if (!isFinal(m_plan.status(m)))
                return true;
        }
    }
    // A skip is reported after the need that caused it (a compound held above).
    for (int need : m_needs[size_t(index)]) {
        if (!m_reported[size_t(need)] && isFinal(m_plan.status(need)))
            return true;
    }
    return false;
}

void RunSession::reportNewlyFinal()
{
    // Final tasks in index order; a skip follows its cause, which comes
    // first in `specs` order (needs before the tasks needing them).
    if (!m_held.empty())
        settleHeld();
    for (bool again = true; again;) {
        again = false;
        if (reportPass()) // a std.RunTasks task waits for the tasks it added, which come after it
            again = m_holding && !m_addedTasks.isEmpty();
    }
}

bool RunSession::reportPass()
{
    bool recorded = false;
    m_holding = false;
    for (int i = 0; i < int(m_specs.size()); ++i) {
        if (m_reported[size_t(i)] || !isFinal(m_plan.status(i)))
            continue;
        if (holdReport(i)) {
            m_holding = true;
            continue;
        }
        if (size_t(i) < m_isCompound.size() && m_isCompound[size_t(i)] && m_plan.status(i) == TaskStatus::Skipped
            && m_budget.failures(i) > 0) {
            // As the Python dfm, whose compound fails when a task of its body did.
            const int n = m_budget.failures(i);
            m_plan.markFailed(i);
            m_outcomes[size_t(i)].reason = n == 1 ? QStringLiteral("1 task of its body failed")
                                                  : QStringLiteral("%1 tasks of its body failed").arg(n);
        }
        record(i);
        recorded = true;
    }
    return recorded;
}

void RunSession::checkDone()
{
    if (m_finished || m_plan.moreToDo() || !m_outstanding.isEmpty())
        return;
    if (m_holding) // everything is final now: nothing waits any more
        reportNewlyFinal();
    m_finished = true;
    m_grace.stop();
    Q_EMIT done();
}

} // namespace dfm::cli
