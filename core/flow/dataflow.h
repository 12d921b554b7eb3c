#pragma once
// Data items between the tasks of one run, by the Python dfm's rules: a
// task's inputs are its needs' outputs (in need order) filtered by its
// `consumes`; its output is what it produced plus the inputs its
// `passthrough` lets through (all, none, unused = not consumed, or those
// matching a list of patterns). Pure; tested in tests/tst_dataflow.cpp.

#include <QJsonArray>
#include <QJsonValue>

#include <vector>

namespace dfm::flow {

class Dataflow {
public:
    /// `consumes[i]`/`passthrough[i]` as FlowTask holds them; `needs[i]`
    /// the indices task i needs (as planNeeds() makes them).
    Dataflow(std::vector<QJsonValue> consumes, std::vector<QJsonValue> passthrough,
             std::vector<std::vector<int>> needs);

    /// Appends tasks while the run goes on (std.RunTasks), numbered from
    /// the current count; `needs[k]` may name old and new tasks.
    void add(const std::vector<QJsonValue> &consumes, const std::vector<QJsonValue> &passthrough,
             const std::vector<std::vector<int>> &needs);

    /// True when finished task `i` reported a change (or a need of it did).
    bool changed(int i) const { return m_changed[size_t(i)] != 0; }

    /// What task `i` is given: its needs' outputs that it consumes.
    QJsonArray inputsOf(int i) const;

    /// True when any need of `i` reported a change.
    bool needsChanged(int i) const;

    /// Task `i` ended with `produced` items; its output becomes those plus
    /// what passes through.
    void finished(int i, const QJsonArray &produced, bool changed);

    /// The output of a finished task (empty before).
    const QJsonArray &outputOf(int i) const { return m_output[size_t(i)]; }

    /// True when `item` matches one of `patterns` (a list of objects whose
    /// every field must equal the item's; "all" matches anything).
    static bool matches(const QJsonValue &patterns, const QJsonObject &item);

private:
    QJsonArray allInputs(int i) const;

    std::vector<QJsonValue> m_consumes, m_passthrough;
    std::vector<std::vector<int>> m_needs;
    std::vector<QJsonArray> m_output;
    std::vector<char> m_changed;
};

} // namespace dfm::flow
