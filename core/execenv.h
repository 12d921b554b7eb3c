#pragma once
// The environment a shell task's execve() gets (core/shelltask): the
// worker's own environment, then the task's std.Env inputs, then its `env`,
// then the dv-flow task variables (core/taskenv), each later one replacing
// an earlier variable of the same name. The worker's environment is read
// once and kept as the pointer array execve() takes; per task only the
// task's own variables are encoded and appended. Building a map of the
// whole environment per task, as before, was a visible part of the worker's
// CPU per task (docs/performance.md, "Per-task CPU, third session").

#include "protocol.h"

#include <QByteArray>
#include <QHash>

#include <vector>

namespace dfm {

/// A process environment read once: "KEY=VALUE" entries, the first of
/// duplicate keys only (the one getenv() sees).
class BaseEnvironment {
public:
    /// Reads `env`, null-terminated as `environ` is; entries without a
    /// name ("=x") or without '=' are left out.
    explicit BaseEnvironment(char *const *env);
    BaseEnvironment(const BaseEnvironment &) = delete;
    BaseEnvironment &operator=(const BaseEnvironment &) = delete;

    /// This process's environment, read on the first call.
    static const BaseEnvironment &ofThisProcess();

    /// Index of `key`'s entry, or -1.
    int indexOf(const QByteArray &key) const { return m_index.value(key, -1); }
    qsizetype size() const { return qsizetype(m_entries.size()); }
    /// Entry `i` as "KEY=VALUE".
    const QByteArray &entry(qsizetype i) const { return m_entries[size_t(i)].text; }
    const QByteArray &key(qsizetype i) const { return m_entries[size_t(i)].key; }
    /// True when some key could be a task variable's (taskenv::isTaskVariableName).
    bool hasTaskVariableNames() const { return m_hasTaskNames; }

private:
    struct Entry {
        QByteArray key;
        QByteArray text; /* KEY=VALUE */
    };
    std::vector<Entry> m_entries;
    QHash<QByteArray, int> m_index; /* key -> entry */
    bool m_hasTaskNames = false;
};

/// One task's environment for execve(): its own entries, and pointers into
/// the BaseEnvironment it was made from, which must outlive it.
class TaskEnvironment {
public:
    /// `base`, then spec's std.Env inputs, `env` and task variables for a
    /// task running in `rundir` (absolute).
    TaskEnvironment(const BaseEnvironment &base, const proto::TaskSpec &spec, const QString &rundir);
    TaskEnvironment(const TaskEnvironment &) = delete;
    TaskEnvironment &operator=(const TaskEnvironment &) = delete;

    /// The null-terminated array for execve(); valid while this lives.
    char *const *envp() const { return m_envp.data(); }

private:
    void buildMerged(const BaseEnvironment &base, const proto::TaskSpec &spec, const QString &rundir);

    std::vector<QByteArray> m_own; /* the task's entries, KEY=VALUE */
    std::vector<char *> m_envp;
};

} // namespace dfm
