#include "execenv.h"

#include "taskenv.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <cstring>

extern char **environ;

namespace dfm {

namespace {

/// True when some item of `inputs` is a std.Env (which changes the environment).
bool hasEnvInput(const QJsonArray &inputs)
{
    for (const QJsonValue &v : inputs)
        if (v.toObject().value(QLatin1String("type")).toString() == QLatin1String("std.Env"))
            return true;
    return false;
}

/// The name of a "KEY=VALUE" entry.
QByteArray keyOf(const QByteArray &entry)
{
    return entry.left(entry.indexOf('='));
}

/// True when one of the first `n` entries of `entries` sets `key`.
bool setsKey(const std::vector<QByteArray> &entries, size_t n, const QByteArray &key)
{
    for (size_t i = 0; i < n; ++i) {
        const QByteArray &e = entries[i];
        if (e.size() > key.size() && e.at(key.size()) == '=' && e.startsWith(key))
            return true;
    }
    return false;
}

char *pointer(const QByteArray &entry)
{
    return const_cast<char *>(entry.constData()); // execve() takes char *const[]
}

} // namespace

BaseEnvironment::BaseEnvironment(char *const *env)
{
    for (char *const *e = env; e && *e; ++e) {
        const char *eq = std::strchr(*e, '=');
        if (!eq || eq == *e)
            continue;
        QByteArray key(*e, eq - *e);
        if (m_index.contains(key))
            continue; // the first one counts, as getenv() sees it
        m_index.insert(key, int(m_entries.size()));
        m_hasTaskNames = m_hasTaskNames || taskenv::isTaskVariableName(key);
        m_entries.push_back({key, QByteArray(*e)});
    }
}

const BaseEnvironment &BaseEnvironment::ofThisProcess()
{
    static const BaseEnvironment env(environ); // the worker never changes its own
    return env;
}

TaskEnvironment::TaskEnvironment(const BaseEnvironment &base, const proto::TaskSpec &spec,
                                 const QString &rundir)
{
    if (hasEnvInput(spec.inputs)) {
        buildMerged(base, spec, rundir);
        return;
    }
    m_own.reserve(size_t(16 + spec.params.size() + spec.env.size()));
    taskenv::appendTaskVariableEntries(spec, rundir, &m_own);
    const size_t variables = m_own.size();
    std::vector<int> replaced; // entries of `base` the task sets itself
    if (base.hasTaskVariableNames()) {
        for (size_t i = 0; i < variables; ++i) {
            const int at = base.indexOf(keyOf(m_own[i]));
            if (at >= 0)
                replaced.push_back(at);
        }
    }
    for (auto it = spec.env.begin(); it != spec.env.end(); ++it) {
        const QByteArray key = it.key().toLocal8Bit();
        if (taskenv::isTaskVariableName(key) && setsKey(m_own, variables, key))
            continue; // the task variable wins
        m_own.push_back(key + '=' + it.value().toString().toLocal8Bit());
        const int at = base.indexOf(key);
        if (at >= 0)
            replaced.push_back(at);
    }
    m_envp.reserve(size_t(base.size()) + m_own.size() + 1);
    for (qsizetype i = 0; i < base.size(); ++i) {
        if (replaced.empty() || std::find(replaced.begin(), replaced.end(), int(i)) == replaced.end())
            m_envp.push_back(pointer(base.entry(i)));
    }
    for (const QByteArray &e : m_own)
        m_envp.push_back(pointer(e));
    m_envp.push_back(nullptr);
}

void TaskEnvironment::buildMerged(const BaseEnvironment &base, const proto::TaskSpec &spec,
                                  const QString &rundir)
{
    // Rare: a std.Env input may append to any variable; work on all of them,
    // as the original does (env merged over inputs' std.Env).
    QHash<QString, QString> set;
    for (qsizetype i = 0; i < base.size(); ++i)
        set.insert(QString::fromLocal8Bit(base.key(i)),
                   QString::fromLocal8Bit(base.entry(i).constData() + base.key(i).size() + 1));
    taskenv::mergeInputEnv(spec.inputs, &set);
    for (auto it = spec.env.begin(); it != spec.env.end(); ++it)
        set.insert(it.key(), it.value().toString());
    const QHash<QString, QString> vars = taskenv::taskVariables(spec, rundir);
    for (auto it = vars.cbegin(); it != vars.cend(); ++it)
        set.insert(it.key(), it.value());
    m_own.reserve(size_t(set.size()));
    for (auto it = set.cbegin(); it != set.cend(); ++it)
        m_own.push_back(it.key().toLocal8Bit() + '=' + it.value().toLocal8Bit());
    m_envp.reserve(m_own.size() + 1);
    for (const QByteArray &e : m_own)
        m_envp.push_back(pointer(e));
    m_envp.push_back(nullptr);
}

} // namespace dfm
