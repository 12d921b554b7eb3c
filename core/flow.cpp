#include "flow.h"

#include "spellcheck.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <utility>

namespace dfm {

namespace {

const QStringList &taskKeys()
{
    static const QStringList k{QStringLiteral("name"), QStringLiteral("shell"), QStringLiteral("run"),
                               QStringLiteral("needs"), QStringLiteral("with"), QStringLiteral("tags"),
                               QStringLiteral("desc"), QStringLiteral("doc")};
    return k;
}

const QStringList &resourceTagKeys()
{
    static const QStringList k{QStringLiteral("resource_class"), QStringLiteral("cores"),
                               QStringLiteral("memory"), QStringLiteral("queue"), QStringLiteral("walltime")};
    return k;
}

QString str(const YAML::Node &n) { return QString::fromStdString(n.Scalar()); }
int lineOf(const YAML::Node &n) { return n.Mark().line + 1; }

/// A `with:` value typed as the original's YAML loader types it: quoted
/// scalars stay strings; plain ones may be ints, floats or YAML 1.1 bools.
QJsonValue paramValue(const YAML::Node &n)
{
    if (n.IsNull())
        return QJsonValue();
    const QString s = str(n);
    if (n.Tag() == "!")
        return s;
    static const QRegularExpression intRe(QStringLiteral("^[-+]?[0-9]+$"));
    static const QRegularExpression floatRe(QStringLiteral("^[-+]?([0-9]*\\.[0-9]+|[0-9]+\\.[0-9]*)([eE][-+]?[0-9]+)?$"));
    static const QStringList trues{QStringLiteral("true"), QStringLiteral("yes"), QStringLiteral("on")};
    static const QStringList falses{QStringLiteral("false"), QStringLiteral("no"), QStringLiteral("off")};
    bool ok = false;
    if (intRe.match(s).hasMatch()) {
        const qint64 v = s.toLongLong(&ok);
        if (ok)
            return QJsonValue(v);
    }
    // YAML 1.1 spells bools lower, Capitalised or UPPER case only.
    const bool boolCase = s == s.toLower() || s == s.toUpper() || s == s.left(1).toUpper() + s.mid(1).toLower();
    if (boolCase && trues.contains(s.toLower()))
        return true;
    if (boolCase && falses.contains(s.toLower()))
        return false;
    if (floatRe.match(s).hasMatch()) {
        const double v = s.toDouble(&ok);
        if (ok)
            return v;
    }
    return s;
}

class Parser {
public:
    Parser(const QString &file, Flow *flow, QString *err) : m_file(file), m_flow(flow), m_err(err) {}

    bool parse(const QString &text);

private:
    bool fail(int line, const QString &msg)
    {
        *m_err = QStringLiteral("%1:%2: %3").arg(m_file).arg(line).arg(msg);
        return false;
    }
    bool failTask(int line, const FlowTask &t, const QString &msg)
    {
        return fail(line, QStringLiteral("task '%1': %2").arg(t.name, msg));
    }
    bool parsePackage(const YAML::Node &pkg, int line);
    bool parseTask(const YAML::Node &node);
    bool parseNeeds(const YAML::Node &value, FlowTask *t);
    bool parseWith(const YAML::Node &value, FlowTask *t);
    bool parseTags(const YAML::Node &value, FlowTask *t);
    bool parseResourceTag(const YAML::Node &value, FlowTask *t);
    bool resolveNeeds();
    bool checkCycles();

    QString m_file;
    Flow *m_flow;
    QString *m_err;
    QHash<QString, int> m_byName;
    std::vector<std::vector<std::pair<QString, int>>> m_needs; /* per task: (need as written, line) */
    std::vector<std::vector<std::pair<int, int>>> m_needIdx;   /* per task: (index, line) */
};

bool Parser::parse(const QString &text)
{
    YAML::Node root;
    try {
        root = YAML::Load(text.toStdString());
    } catch (const YAML::Exception &e) {
        return fail(e.mark.line + 1, QStringLiteral("invalid YAML: %1").arg(QString::fromStdString(e.msg)));
    }
    if (!root.IsMap())
        return fail(root.IsNull() ? 1 : lineOf(root),
                    QStringLiteral("no 'package:' section; a flow file holds 'package:' with 'name:' and 'tasks:'"));
    YAML::Node pkg;
    int pkgLine = 0;
    for (auto it = root.begin(); it != root.end(); ++it) {
        const QString key = str(it->first);
        if (key != QLatin1String("package"))
            return fail(lineOf(it->first), unknownKeyMessage(key, {QStringLiteral("package")}));
        pkg = it->second;
        pkgLine = lineOf(it->first);
    }
    if (!pkgLine)
        return fail(lineOf(root), QStringLiteral("no 'package:' section; a flow file holds 'package:' with 'name:' and 'tasks:'"));
    return parsePackage(pkg, pkgLine) && resolveNeeds() && checkCycles();
}

bool Parser::parsePackage(const YAML::Node &pkg, int line)
{
    if (!pkg.IsMap())
        return fail(line, QStringLiteral("'package' must be a mapping with 'name:' and 'tasks:'"));
    YAML::Node tasks;
    bool haveName = false;
    bool haveTasks = false;
    const QStringList known{QStringLiteral("name"), QStringLiteral("tasks"), QStringLiteral("desc"), QStringLiteral("doc")};
    for (auto it = pkg.begin(); it != pkg.end(); ++it) {
        const QString key = str(it->first);
        if (key == QLatin1String("name")) {
            if (!it->second.IsScalar() || str(it->second).trimmed().isEmpty())
                return fail(lineOf(it->first), QStringLiteral("package name must be a non-empty string"));
            m_flow->packageName = str(it->second).trimmed();
            haveName = true;
        } else if (key == QLatin1String("tasks")) {
            tasks = it->second;
            haveTasks = true;
            if (!tasks.IsSequence() && !tasks.IsNull())
                return fail(lineOf(it->first), QStringLiteral("package 'tasks' must be a list of tasks"));
        } else if (!known.contains(key)) {
            return fail(lineOf(it->first), QStringLiteral("package: %1").arg(unknownKeyMessage(key, known)));
        }
    }
    if (!haveName)
        return fail(line, QStringLiteral("package has no 'name'"));
    if (!haveTasks)
        return fail(line, QStringLiteral("package '%1' has no 'tasks' list").arg(m_flow->packageName));
    if (tasks.IsNull())
        return true;
    for (const YAML::Node &task : tasks) {
        if (!parseTask(task))
            return false;
    }
    return true;
}

bool Parser::parseTask(const YAML::Node &node)
{
    if (!node.IsMap())
        return fail(lineOf(node), QStringLiteral("each task must be a mapping with 'name:' and 'run:'"));
    FlowTask t;
    t.line = lineOf(node);
    bool haveName = false;
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (str(it->first) != QLatin1String("name"))
            continue;
        const int line = lineOf(it->first);
        if (!it->second.IsScalar() || str(it->second).isEmpty())
            return fail(line, QStringLiteral("task name must be a non-empty string"));
        t.name = str(it->second);
        static const QRegularExpression bad(QStringLiteral("[/\\s]"));
        if (t.name.contains(bad))
            return fail(line, QStringLiteral("task name '%1' must not contain '/' or whitespace").arg(t.name));
        haveName = true;
    }
    if (!haveName)
        return fail(t.line, QStringLiteral("task has no 'name'"));

    m_needs.emplace_back();
    for (auto it = node.begin(); it != node.end(); ++it) {
        const QString key = str(it->first);
        const int line = lineOf(it->first);
        const YAML::Node &value = it->second;
        if (key == QLatin1String("uses") || key == QLatin1String("type")) {
            const QString what = key == QLatin1String("uses") ? QStringLiteral("uses") : QStringLiteral("has type");
            return fail(line, QStringLiteral("task '%1' %2 '%3', a Python task type this dfm cannot run; "
                                             "give it a 'run:' shell body instead")
                                  .arg(t.name, what, value.IsScalar() ? str(value) : QStringLiteral("...")));
        }
        if (key == QLatin1String("name") || key == QLatin1String("desc") || key == QLatin1String("doc"))
            continue;
        if (key == QLatin1String("shell") || key == QLatin1String("run")) {
            if (!value.IsScalar() && !value.IsNull())
                return failTask(line, t, QStringLiteral("'%1' must be a string").arg(key));
            const QString text = value.IsNull() ? QString() : str(value);
            if (key == QLatin1String("run")) {
                t.run = text;
            } else {
                if (text.trimmed().isEmpty())
                    return failTask(line, t, QStringLiteral("'shell' must name a shell, e.g. bash"));
                t.shell = text.trimmed();
            }
        } else if (key == QLatin1String("needs")) {
            if (!parseNeeds(value, &t))
                return false;
        } else if (key == QLatin1String("with")) {
            if (!parseWith(value, &t))
                return false;
        } else if (key == QLatin1String("tags")) {
            if (!parseTags(value, &t))
                return false;
        } else {
            return failTask(line, t, unknownKeyMessage(key, taskKeys()));
        }
    }
    if (t.run.trimmed().isEmpty())
        return fail(t.line, QStringLiteral("task '%1' has neither 'run' nor 'uses'; give it a 'run:' shell body").arg(t.name));
    const auto dup = m_byName.constFind(t.name);
    if (dup != m_byName.constEnd())
        return fail(t.line, QStringLiteral("task '%1' is defined twice (lines %2 and %3)")
                                .arg(t.name).arg(m_flow->tasks[size_t(*dup)].line).arg(t.line));
    m_byName.insert(t.name, int(m_flow->tasks.size()));
    m_flow->tasks.push_back(std::move(t));
    return true;
}

bool Parser::parseNeeds(const YAML::Node &value, FlowTask *t)
{
    const QString msg = QStringLiteral("'needs' must be a task name or a list of task names");
    if (value.IsNull())
        return true;
    if (value.IsScalar()) {
        m_needs.back().emplace_back(str(value).trimmed(), lineOf(value));
        return true;
    }
    if (!value.IsSequence())
        return failTask(lineOf(value), *t, msg);
    for (const YAML::Node &item : value) {
        if (!item.IsScalar() || str(item).trimmed().isEmpty())
            return failTask(lineOf(item), *t, msg);
        m_needs.back().emplace_back(str(item).trimmed(), lineOf(item));
    }
    return true;
}

bool Parser::parseWith(const YAML::Node &value, FlowTask *t)
{
    if (value.IsNull())
        return true;
    if (!value.IsMap())
        return failTask(lineOf(value), *t, QStringLiteral("'with' must be a mapping of parameter names to values"));
    for (auto it = value.begin(); it != value.end(); ++it) {
        const QString name = str(it->first);
        if (!it->second.IsScalar() && !it->second.IsNull())
            return failTask(lineOf(it->first), *t,
                            QStringLiteral("with.%1: expected a single value (string, number or bool), got a %2")
                                .arg(name, it->second.IsMap() ? QStringLiteral("mapping") : QStringLiteral("list")));
        t->with.insert(name, paramValue(it->second));
    }
    return true;
}

bool Parser::parseTags(const YAML::Node &value, FlowTask *t)
{
    if (value.IsNull())
        return true;
    if (!value.IsSequence())
        return failTask(lineOf(value), *t, QStringLiteral("'tags' must be a list"));
    for (const YAML::Node &item : value) {
        std::vector<std::pair<YAML::Node, YAML::Node>> tags; // (name node, config)
        if (item.IsScalar())
            tags.emplace_back(item, YAML::Node());
        else if (item.IsMap())
            for (auto it = item.begin(); it != item.end(); ++it)
                tags.emplace_back(it->first, it->second);
        else
            return failTask(lineOf(item), *t, QStringLiteral("each tag must be a name or 'name: {settings}'"));
        for (const auto &tag : tags) {
            const QString name = str(tag.first);
            if (name != QLatin1String("std.ResourceTag"))
                return failTask(lineOf(tag.first), *t,
                                QStringLiteral("tag '%1' is not supported by this dfm (only std.ResourceTag is)").arg(name));
            if (!parseResourceTag(tag.second, t))
                return false;
        }
    }
    return true;
}

bool Parser::parseResourceTag(const YAML::Node &value, FlowTask *t)
{
    if (!value || value.IsNull())
        return true;
    if (!value.IsMap())
        return failTask(lineOf(value), *t, QStringLiteral("std.ResourceTag must be a mapping of %1")
                                               .arg(resourceTagKeys().join(QStringLiteral(", "))));
    for (auto it = value.begin(); it != value.end(); ++it) {
        const QString key = str(it->first);
        const int line = lineOf(it->first);
        if (!resourceTagKeys().contains(key))
            return failTask(line, *t, QStringLiteral("std.ResourceTag: %1").arg(unknownKeyMessage(key, resourceTagKeys())));
        if (!it->second.IsScalar() && !it->second.IsNull())
            return failTask(line, *t, QStringLiteral("std.ResourceTag.%1: expected a single value").arg(key));
        const QString v = it->second.IsNull() ? QString() : str(it->second).trimmed();
        if (key == QLatin1String("cores")) {
            bool ok = false;
            const int n = v.toInt(&ok);
            if (!ok || n < 1)
                return failTask(line, *t, QStringLiteral("std.ResourceTag.cores: expected a positive integer, got '%1'").arg(v));
            t->resources.cores = n;
        } else if (key == QLatin1String("memory")) {
            if (!v.isEmpty() && !parseMemoryMB(v, nullptr))
                return failTask(line, *t, QStringLiteral("std.ResourceTag.memory: expected a memory size such as 512M or 4G, got '%1'").arg(v));
            t->resources.memory = v;
        } else if (key == QLatin1String("resource_class")) {
            t->resourceClass = v;
        } else if (key == QLatin1String("queue")) {
            t->resources.queue = v;
        } else {
            t->resources.walltime = v;
        }
    }
    return true;
}

bool Parser::resolveNeeds()
{
    QStringList names;
    for (const FlowTask &t : m_flow->tasks)
        names << t.name;
    const QString prefix = m_flow->packageName + QLatin1Char('.');
    m_needIdx.resize(m_flow->tasks.size());
    for (size_t i = 0; i < m_flow->tasks.size(); ++i) {
        FlowTask &t = m_flow->tasks[i];
        for (const auto &need : m_needs[i]) {
            const int idx = m_flow->indexOf(need.first);
            if (idx < 0) {
                const QString bare = need.first.startsWith(prefix) ? need.first.mid(prefix.size()) : need.first;
                const QString close = closestMatch(bare, names);
                QString msg = QStringLiteral("task '%1' needs '%2', which is not a task in package '%3'")
                                  .arg(t.name, need.first, m_flow->packageName);
                if (!close.isEmpty())
                    msg += QStringLiteral("; did you mean '%1'?").arg(close);
                return fail(need.second, msg);
            }
            const QString &target = m_flow->tasks[size_t(idx)].name;
            if (!t.needs.contains(target)) {
                t.needs << target;
                m_needIdx[i].emplace_back(idx, need.second);
            }
        }
    }
    return true;
}

bool Parser::checkCycles()
{
    const size_t n = m_flow->tasks.size();
    std::vector<char> state(n, 0); // 0 unvisited, 1 on the stack, 2 done
    std::vector<int> stack;
    std::function<bool(int)> visit = [&](int i) -> bool {
        state[size_t(i)] = 1;
        stack.push_back(i);
        for (const auto &need : m_needIdx[size_t(i)]) {
            const int j = need.first;
            if (state[size_t(j)] == 1) {
                QStringList path;
                auto from = std::find(stack.begin(), stack.end(), j);
                for (auto it = from; it != stack.end(); ++it)
                    path << m_flow->tasks[size_t(*it)].name;
                path << m_flow->tasks[size_t(j)].name; // each needs the next
                return fail(need.second, QStringLiteral("task '%1' needs '%2', which closes a dependency cycle: %3")
                                             .arg(m_flow->tasks[size_t(i)].name, m_flow->tasks[size_t(j)].name,
                                                  path.join(QStringLiteral(" -> "))));
            }
            if (state[size_t(j)] == 0 && !visit(j))
                return false;
        }
        stack.pop_back();
        state[size_t(i)] = 2;
        return true;
    };
    for (size_t i = 0; i < n; ++i) {
        if (state[i] == 0 && !visit(int(i)))
            return false;
    }
    return true;
}

} // namespace

int Flow::indexOf(const QString &nameOrQualified) const
{
    for (size_t i = 0; i < tasks.size(); ++i) {
        if (tasks[i].name == nameOrQualified)
            return int(i);
    }
    const QString prefix = packageName + QLatin1Char('.');
    if (!packageName.isEmpty() && nameOrQualified.startsWith(prefix)) {
        const QString bare = nameOrQualified.mid(prefix.size());
        for (size_t i = 0; i < tasks.size(); ++i) {
            if (tasks[i].name == bare)
                return int(i);
        }
    }
    return -1;
}

bool parseFlowText(const QString &fileName, const QString &yamlText, Flow *flow, QString *err)
{
    *flow = Flow();
    flow->file = fileName;
    flow->dir = QFileInfo(fileName).absolutePath();
    return Parser(fileName, flow, err).parse(yamlText);
}

bool loadFlow(const QString &projectRoot, Flow *flow, QString *err)
{
    const QDir root(projectRoot);
    QString path;
    for (const char *name : {"flow.dv", "flow.yaml"}) {
        const QString candidate = root.absoluteFilePath(QString::fromLatin1(name));
        if (QFileInfo::exists(candidate)) {
            path = candidate;
            break;
        }
    }
    if (path.isEmpty()) {
        *err = QStringLiteral("no flow.dv or flow.yaml in %1; create one or pass --root").arg(root.absolutePath());
        return false;
    }
    QFile f(path);
    if (QFileInfo(path).isDir() || !f.open(QIODevice::ReadOnly)) {
        *err = QStringLiteral("cannot read %1: %2")
                   .arg(path, QFileInfo(path).isDir() ? QStringLiteral("it is a directory") : f.errorString());
        return false;
    }
    return parseFlowText(path, QString::fromUtf8(f.readAll()), flow, err);
}

bool selectTasks(const Flow &flow, const QStringList &names, std::vector<int> *order, QString *err)
{
    order->clear();
    const size_t n = flow.tasks.size();
    std::vector<int> roots;
    if (names.isEmpty()) {
        std::vector<char> needed(n, 0);
        for (const FlowTask &t : flow.tasks) {
            for (const QString &need : t.needs) {
                const int j = flow.indexOf(need);
                if (j >= 0)
                    needed[size_t(j)] = 1;
            }
        }
        for (size_t i = 0; i < n; ++i) {
            if (!needed[i])
                roots.push_back(int(i));
        }
    } else {
        QStringList all;
        for (const FlowTask &t : flow.tasks)
            all << t.name;
        const QString prefix = flow.packageName + QLatin1Char('.');
        for (const QString &name : names) {
            const int idx = flow.indexOf(name);
            if (idx < 0) {
                const QString bare = name.startsWith(prefix) ? name.mid(prefix.size()) : name;
                const QString close = closestMatch(bare, all);
                *err = QStringLiteral("no task '%1' in %2").arg(name, flow.file);
                *err += close.isEmpty() ? QStringLiteral(" (tasks: %1)").arg(all.join(QStringLiteral(", ")))
                                        : QStringLiteral("; did you mean '%1'?").arg(close);
                return false;
            }
            roots.push_back(idx);
        }
    }
    // Post-order DFS: a task after everything it needs, in the order given.
    std::vector<char> state(n, 0);
    std::function<void(int)> visit = [&](int i) {
        state[size_t(i)] = 1;
        for (const QString &need : flow.tasks[size_t(i)].needs) {
            const int j = flow.indexOf(need);
            if (j >= 0 && state[size_t(j)] == 0)
                visit(j);
        }
        order->push_back(i);
    };
    for (int r : roots) {
        if (state[size_t(r)] == 0)
            visit(r);
    }
    return true;
}

} // namespace dfm
