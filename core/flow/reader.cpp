// Reads a flow file's YAML into a PackageDecl: structure and keys only.
// Every problem is reported, and reading goes on past it.

#include "flow/decl.h"
#include "flow/yamlvalue.h"

#include "spellcheck.h"

#include <QRegularExpression>

#include <yaml-cpp/yaml.h>

namespace dfm::flow {

namespace {

QString str(const YAML::Node &n) { return QString::fromStdString(n.Scalar()); }
int lineOf(const YAML::Node &n) { return n.Mark().line + 1; }

const QStringList &taskKeys()
{
    static const QStringList k{
        QStringLiteral("name"), QStringLiteral("root"), QStringLiteral("export"), QStringLiteral("local"),
        QStringLiteral("scope"), QStringLiteral("uses"), QStringLiteral("shell"), QStringLiteral("run"),
        QStringLiteral("needs"), QStringLiteral("with"), QStringLiteral("tags"), QStringLiteral("iff"),
        QStringLiteral("rundir"), QStringLiteral("consumes"), QStringLiteral("passthrough"), QStringLiteral("produces"),
        QStringLiteral("timeout"), QStringLiteral("uptodate"), QStringLiteral("desc"), QStringLiteral("doc")};
    return k;
}

/// Keys of the language we know but do not support yet: refused by name.
QString unsupportedTaskKey(const QString &key)
{
    if (key == QLatin1String("override"))
        return QStringLiteral("`override:` (replacing a task of another package) is not supported yet");
    if (key == QLatin1String("body") || key == QLatin1String("tasks"))
        return QStringLiteral("compound tasks (`%1:`) are not supported yet").arg(key);
    if (key == QLatin1String("max_failures"))
        return QStringLiteral("`max_failures` (compound tasks) is not supported yet");
    if (key == QLatin1String("strategy"))
        return QStringLiteral("`strategy.matrix` is not supported yet");
    if (key == QLatin1String("cache"))
        return QStringLiteral("`cache:` (the task-artifact cache) is not supported yet");
    if (key == QLatin1String("set") || key == QLatin1String("let"))
        return QStringLiteral("`%1:` (scoped variables) is not supported yet").arg(key);
    if (key == QLatin1String("pytask"))
        return QStringLiteral("`pytask:` is a Python task body");
    if (key == QLatin1String("type"))
        return QStringLiteral("`type:` on a task is not supported yet; use `uses:`");
    return QString();
}

QString unsupportedPackageKey(const QString &key)
{
    static const QStringList keys{QStringLiteral("imports"), QStringLiteral("fragments"), QStringLiteral("types"),
                                  QStringLiteral("configs"), QStringLiteral("overrides"), QStringLiteral("uses"),
                                  QStringLiteral("set"), QStringLiteral("let"), QStringLiteral("filters")};
    if (keys.contains(key))
        return QStringLiteral("`%1:` is not supported yet").arg(key);
    return QString();
}

class Reader {
public:
    Reader(PackageDecl *pkg, Errors *errors) : m_pkg(pkg), m_err(errors) {}
    void read(const QString &text);

private:
    void readPackage(const YAML::Node &node, int line);
    void readParams(const YAML::Node &node, std::vector<ParamDecl> *out, const QString &where);
    void readTask(const YAML::Node &node);
    void readNeeds(const YAML::Node &value, TaskDecl *t);
    void readTags(const YAML::Node &value, TaskDecl *t);
    void readResourceTag(const YAML::Node &value, TaskDecl *t);
    void taskError(int line, const TaskDecl &t, const QString &msg)
    {
        m_err->add(line, QStringLiteral("task '%1': %2").arg(t.task.name, msg));
    }

    PackageDecl *m_pkg;
    Errors *m_err;
};

void Reader::read(const QString &text)
{
    YAML::Node root;
    try {
        root = YAML::Load(text.toStdString());
    } catch (const YAML::Exception &e) {
        m_err->add(e.mark.line + 1, QStringLiteral("invalid YAML: %1").arg(QString::fromStdString(e.msg)));
        return;
    }
    const QString none = QStringLiteral("no 'package:' section; a flow file holds 'package:' with 'name:' and 'tasks:'");
    if (!root.IsMap()) {
        m_err->add(root.IsNull() ? 1 : lineOf(root), none);
        return;
    }
    bool found = false;
    for (auto it = root.begin(); it != root.end(); ++it) {
        const QString key = str(it->first);
        if (key == QLatin1String("package")) {
            found = true;
            readPackage(it->second, lineOf(it->first));
        } else if (key == QLatin1String("fragment")) {
            m_err->add(lineOf(it->first), QStringLiteral("this is a fragment file; `fragments:` are not supported yet"));
            found = true;
        } else {
            m_err->add(lineOf(it->first), unknownKeyMessage(key, {QStringLiteral("package")}));
        }
    }
    if (!found && !m_err->any())
        m_err->add(lineOf(root), none);
}

void Reader::readPackage(const YAML::Node &pkg, int line)
{
    m_pkg->line = line;
    if (!pkg.IsMap()) {
        m_err->add(line, QStringLiteral("'package' must be a mapping with 'name:' and 'tasks:'"));
        return;
    }
    static const QStringList known{QStringLiteral("name"), QStringLiteral("tasks"), QStringLiteral("with"),
                                   QStringLiteral("tags"), QStringLiteral("desc"), QStringLiteral("doc")};
    YAML::Node tasks;
    bool haveTasks = false;
    for (auto it = pkg.begin(); it != pkg.end(); ++it) {
        const QString key = str(it->first);
        const int kline = lineOf(it->first);
        if (key == QLatin1String("name")) {
            if (!it->second.IsScalar() || str(it->second).trimmed().isEmpty())
                m_err->add(kline, QStringLiteral("package name must be a non-empty string"));
            else
                m_pkg->name = str(it->second).trimmed();
        } else if (key == QLatin1String("tasks")) {
            tasks = it->second;
            haveTasks = true;
            if (!tasks.IsSequence() && !tasks.IsNull()) {
                m_err->add(kline, QStringLiteral("package 'tasks' must be a list of tasks"));
                tasks = YAML::Node();
            }
        } else if (key == QLatin1String("with")) {
            readParams(it->second, &m_pkg->params, QStringLiteral("package"));
        } else if (key == QLatin1String("tags") || key == QLatin1String("desc") || key == QLatin1String("doc")) {
            // documentation and classification only
        } else if (const QString why = unsupportedPackageKey(key); !why.isEmpty()) {
            m_err->add(kline, QStringLiteral("package: %1").arg(why));
        } else {
            m_err->add(kline, QStringLiteral("package: %1").arg(unknownKeyMessage(key, known)));
        }
    }
    if (m_pkg->name.isEmpty() && !m_err->any())
        m_err->add(line, QStringLiteral("package has no 'name'"));
    if (!haveTasks && !m_err->any())
        m_err->add(line, QStringLiteral("package '%1' has no 'tasks' list").arg(m_pkg->name));
    if (tasks.IsSequence()) {
        for (const YAML::Node &task : tasks)
            readTask(task);
    }
}

void Reader::readParams(const YAML::Node &node, std::vector<ParamDecl> *out, const QString &where)
{
    if (node.IsNull())
        return;
    if (!node.IsMap()) {
        m_err->add(lineOf(node), QStringLiteral("%1: 'with' must be a mapping of parameter names to values").arg(where));
        return;
    }
    static const QStringList declKeys{QStringLiteral("type"), QStringLiteral("value"), QStringLiteral("doc"),
                                      QStringLiteral("desc")};
    for (auto it = node.begin(); it != node.end(); ++it) {
        ParamDecl d;
        d.name = str(it->first);
        d.line = lineOf(it->first);
        const YAML::Node &v = it->second;
        // A declaration is a mapping of only type/value/doc/desc with a type or value.
        bool decl = v.IsMap() && (v["type"] || v["value"]);
        if (decl) {
            for (auto k = v.begin(); k != v.end(); ++k)
                decl = decl && declKeys.contains(str(k->first));
        }
        if (!decl) {
            d.value = yamlToJson(v);
            out->push_back(d);
            continue;
        }
        d.typed = true;
        if (const YAML::Node t = v["type"]) {
            if (t.IsScalar()) {
                d.type = str(t);
            } else if (t.IsMap() && (t["list"] || t["map"])) {
                d.type = t["list"] ? QStringLiteral("list") : QStringLiteral("map");
            } else {
                m_err->add(lineOf(t), QStringLiteral("%1: parameter '%2': unsupported type").arg(where, d.name));
                continue;
            }
            static const QStringList types{QStringLiteral("str"), QStringLiteral("int"), QStringLiteral("bool"),
                                           QStringLiteral("float"), QStringLiteral("list"), QStringLiteral("map")};
            if (!types.contains(d.type)) {
                m_err->add(lineOf(t), QStringLiteral("%1: parameter '%2': %3").arg(where, d.name,
                                      unknownKeyMessage(d.type, types).replace(QStringLiteral("unknown key"),
                                                                               QStringLiteral("unknown type"))
                                                           .replace(QStringLiteral("known keys"), QStringLiteral("known types"))));
                continue;
            }
        }
        if (const YAML::Node val = v["value"])
            d.value = yamlToJson(val);
        out->push_back(d);
    }
}

void Reader::readTask(const YAML::Node &node)
{
    if (!node.IsMap()) {
        m_err->add(lineOf(node), QStringLiteral("each task must be a mapping with 'name:' and 'run:'"));
        return;
    }
    TaskDecl t;
    t.task.line = lineOf(node);
    int nameKeys = 0;
    for (auto it = node.begin(); it != node.end(); ++it) {
        const QString key = str(it->first);
        const bool isName = key == QLatin1String("name") || key == QLatin1String("root")
                            || key == QLatin1String("export") || key == QLatin1String("local")
                            || key == QLatin1String("override");
        if (!isName)
            continue;
        const int line = lineOf(it->first);
        if (++nameKeys > 1) {
            m_err->add(line, QStringLiteral("task '%1' is named twice ('%2:'); use one of name, root, export, local")
                                 .arg(t.task.name, key));
            t.broken = true;
            continue;
        }
        if (!it->second.IsScalar() || str(it->second).isEmpty()) {
            m_err->add(line, QStringLiteral("task name must be a non-empty string"));
            return;
        }
        t.task.name = str(it->second);
        static const QRegularExpression bad(QStringLiteral("[/\\s]"));
        if (t.task.name.contains(bad)) {
            m_err->add(line, QStringLiteral("task name '%1' must not contain '/' or whitespace").arg(t.task.name));
            return;
        }
        t.task.exported = key == QLatin1String("root") || key == QLatin1String("export");
        t.task.local = key == QLatin1String("local");
        if (key == QLatin1String("override")) {
            m_err->add(line, QStringLiteral("task '%1': %2").arg(t.task.name, unsupportedTaskKey(key)));
            t.broken = true;
        }
    }
    if (nameKeys == 0) {
        m_err->add(t.task.line, QStringLiteral("task has no 'name' (nor 'root', 'export' or 'local')"));
        return;
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
        const QString key = str(it->first);
        const int line = lineOf(it->first);
        const YAML::Node &value = it->second;
        if (key == QLatin1String("name") || key == QLatin1String("root") || key == QLatin1String("export")
            || key == QLatin1String("local") || key == QLatin1String("override")) {
            continue;
        } else if (key == QLatin1String("desc") || key == QLatin1String("doc")) {
            if (value.IsScalar() && (t.task.desc.isEmpty() || key == QLatin1String("desc")))
                t.task.desc = str(value).trimmed().section(QLatin1Char('\n'), 0, 0);
        } else if (key == QLatin1String("shell") || key == QLatin1String("run") || key == QLatin1String("uses")) {
            if (!value.IsScalar() && !value.IsNull()) {
                taskError(line, t, QStringLiteral("'%1' must be a string").arg(key));
                t.broken = true;
                continue;
            }
            const QString text = value.IsNull() ? QString() : str(value);
            if (key == QLatin1String("run")) {
                t.task.run = text;
                t.hasRun = true;
                t.runLine = line;
            } else if (key == QLatin1String("uses")) {
                t.task.uses = text.trimmed();
                t.usesLine = line;
            } else if (text.trimmed().isEmpty()) {
                taskError(line, t, QStringLiteral("'shell' must name a shell, e.g. bash"));
                t.broken = true;
            } else {
                t.task.shell = text.trimmed();
                t.hasShell = true;
            }
        } else if (key == QLatin1String("scope")) {
            const QStringList scopes = value.IsSequence() ? yamlToJson(value).toVariant().toStringList()
                                                          : QStringList{str(value)};
            for (const QString &s : scopes) {
                if (s == QLatin1String("root") || s == QLatin1String("export"))
                    t.task.exported = true;
                else if (s == QLatin1String("local"))
                    t.task.local = true;
                else
                    taskError(line, t, QStringLiteral("scope '%1' is not one of root, export, local").arg(s));
            }
        } else if (key == QLatin1String("needs")) {
            readNeeds(value, &t);
        } else if (key == QLatin1String("with")) {
            readParams(value, &t.params, QStringLiteral("task '%1'").arg(t.task.name));
        } else if (key == QLatin1String("tags")) {
            readTags(value, &t);
        } else if (key == QLatin1String("iff")) {
            t.iff = yamlToJson(value);
            t.iffLine = line;
        } else if (key == QLatin1String("rundir")) {
            const QString mode = value.IsScalar() ? str(value) : QString();
            if (mode != QLatin1String("unique") && mode != QLatin1String("inherit"))
                taskError(line, t, QStringLiteral("rundir must be 'unique' or 'inherit', got '%1'").arg(mode));
            t.task.inheritRundir = mode == QLatin1String("inherit");
            t.hasRundir = true;
        } else if (key == QLatin1String("consumes") || key == QLatin1String("passthrough")) {
            const QJsonValue v = yamlToJson(value);
            const bool pass = key == QLatin1String("passthrough");
            const QStringList words = pass ? QStringList{QStringLiteral("all"), QStringLiteral("none"), QStringLiteral("unused")}
                                           : QStringList{QStringLiteral("all"), QStringLiteral("none")};
            if (!(v.isArray() || (v.isString() && words.contains(v.toString())))) {
                taskError(line, t, QStringLiteral("'%1' must be %2 or a list of patterns").arg(key, words.join(QStringLiteral(", "))));
                continue;
            }
            (pass ? t.task.passthrough : t.task.consumes) = v;
            (pass ? t.hasPassthrough : t.hasConsumes) = true;
        } else if (key == QLatin1String("produces")) {
            // informational: what the task outputs
        } else if (key == QLatin1String("timeout")) {
            bool ok = false;
            const double secs = value.IsScalar() ? str(value).toDouble(&ok) : 0;
            if (!ok || secs <= 0)
                taskError(line, t, QStringLiteral("timeout must be a positive number of seconds"));
            t.task.timeout = secs;
            t.hasTimeout = true;
        } else if (key == QLatin1String("uptodate")) {
            const QJsonValue v = yamlToJson(value);
            if (!v.isBool())
                taskError(line, t, QStringLiteral("`uptodate:` naming a Python check is a Python task body; "
                                                  "this dfm cannot run it (the Python `dfm run` runs it through our daemon)"));
            else
                t.task.neverUpToDate = !v.toBool();
        } else if (const QString why = unsupportedTaskKey(key); !why.isEmpty()) {
            if (key == QLatin1String("pytask"))
                taskError(line, t, QStringLiteral("%1; this dfm cannot run it (the Python `dfm run` runs it through our daemon)").arg(why));
            else
                taskError(line, t, why);
            t.broken = true;
        } else {
            taskError(line, t, unknownKeyMessage(key, taskKeys()));
        }
    }
    m_pkg->tasks.push_back(std::move(t));
}

void Reader::readNeeds(const YAML::Node &value, TaskDecl *t)
{
    const QString msg = QStringLiteral("'needs' must be a task name or a list of task names");
    if (value.IsNull())
        return;
    if (value.IsScalar()) {
        t->needs.emplace_back(str(value).trimmed(), lineOf(value));
        return;
    }
    if (!value.IsSequence()) {
        taskError(lineOf(value), *t, msg);
        return;
    }
    for (const YAML::Node &item : value) {
        if (!item.IsScalar() || str(item).trimmed().isEmpty())
            taskError(lineOf(item), *t, msg);
        else
            t->needs.emplace_back(str(item).trimmed(), lineOf(item));
    }
}

void Reader::readTags(const YAML::Node &value, TaskDecl *t)
{
    if (value.IsNull())
        return;
    if (!value.IsSequence()) {
        taskError(lineOf(value), *t, QStringLiteral("'tags' must be a list"));
        return;
    }
    for (const YAML::Node &item : value) {
        std::vector<std::pair<YAML::Node, YAML::Node>> tags; // (name node, config)
        if (item.IsScalar()) {
            tags.emplace_back(item, YAML::Node());
        } else if (item.IsMap()) {
            for (auto it = item.begin(); it != item.end(); ++it)
                tags.emplace_back(it->first, it->second);
        } else {
            taskError(lineOf(item), *t, QStringLiteral("each tag must be a name or 'name: {settings}'"));
            continue;
        }
        for (const auto &tag : tags) {
            if (str(tag.first) == QLatin1String("std.ResourceTag"))
                readResourceTag(tag.second, t);
            // Other tags classify tasks (dfm show); they change nothing in a run.
        }
    }
}

void Reader::readResourceTag(const YAML::Node &value, TaskDecl *t)
{
    static const QStringList keys{QStringLiteral("resource_class"), QStringLiteral("cores"), QStringLiteral("memory"),
                                  QStringLiteral("queue"), QStringLiteral("walltime")};
    if (!value || value.IsNull())
        return;
    if (!value.IsMap()) {
        taskError(lineOf(value), *t, QStringLiteral("std.ResourceTag must be a mapping of %1").arg(keys.join(QStringLiteral(", "))));
        return;
    }
    for (auto it = value.begin(); it != value.end(); ++it) {
        const QString key = str(it->first);
        const int line = lineOf(it->first);
        if (!keys.contains(key)) {
            taskError(line, *t, QStringLiteral("std.ResourceTag: %1").arg(unknownKeyMessage(key, keys)));
            continue;
        }
        if (!it->second.IsScalar() && !it->second.IsNull()) {
            taskError(line, *t, QStringLiteral("std.ResourceTag.%1: expected a single value").arg(key));
            continue;
        }
        const QString v = it->second.IsNull() ? QString() : str(it->second).trimmed();
        if (key == QLatin1String("cores")) {
            bool ok = false;
            const int n = v.toInt(&ok);
            if (!ok || n < 1)
                taskError(line, *t, QStringLiteral("std.ResourceTag.cores: expected a positive integer, got '%1'").arg(v));
            t->task.resources.cores = n;
        } else if (key == QLatin1String("memory")) {
            if (!v.isEmpty() && !parseMemoryMB(v, nullptr))
                taskError(line, *t, QStringLiteral("std.ResourceTag.memory: expected a memory size such as 512M or 4G, got '%1'").arg(v));
            t->task.resources.memory = v;
        } else if (key == QLatin1String("resource_class")) {
            t->task.resourceClass = v;
        } else if (key == QLatin1String("queue")) {
            t->task.resources.queue = v;
        } else {
            t->task.resources.walltime = v;
        }
    }
}

} // namespace

void readPackage(const QString &yamlText, PackageDecl *pkg, Errors *errors)
{
    Reader(pkg, errors).read(yamlText);
}

} // namespace dfm::flow
