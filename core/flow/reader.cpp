// Reads a flow file's YAML into a PackageDecl: structure and keys only.
// Every problem is reported, and reading goes on past it.

#include "flow/reader.h"
#include "flow/yamlvalue.h"

#include "spellcheck.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace dfm::flow {

namespace {

QString str(const YNode &n) { return n.text; }
int lineOf(const YNode &n) { return n.line; }

const QStringList &taskKeys()
{
    static const QStringList k{
        QStringLiteral("name"), QStringLiteral("root"), QStringLiteral("export"), QStringLiteral("local"),
        QStringLiteral("scope"), QStringLiteral("uses"), QStringLiteral("shell"), QStringLiteral("run"),
        QStringLiteral("needs"), QStringLiteral("with"), QStringLiteral("tags"), QStringLiteral("iff"),
        QStringLiteral("rundir"), QStringLiteral("consumes"), QStringLiteral("passthrough"), QStringLiteral("produces"),
        QStringLiteral("timeout"), QStringLiteral("uptodate"), QStringLiteral("desc"), QStringLiteral("doc"),
        QStringLiteral("override"), QStringLiteral("feeds"), QStringLiteral("body"), QStringLiteral("tasks"),
        QStringLiteral("max_failures"), QStringLiteral("strategy")};
    return k;
}

/// Keys of the language we know but do not support yet: refused by name.
QString unsupportedTaskKey(const QString &key)
{
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
    static const QStringList keys{QStringLiteral("set"), QStringLiteral("let"), QStringLiteral("filters")};
    if (keys.contains(key))
        return QStringLiteral("`%1:` is not supported yet").arg(key);
    return QString();
}


/// Moves every line of the tree by `base` (a file's location base).
void shiftLines(YNode *n, int base)
{
    std::vector<YNode *> stack{n};
    while (!stack.empty()) {
        YNode *x = stack.back();
        stack.pop_back();
        x->line += base;
        for (YNode &c : x->items)
            stack.push_back(&c);
    }
}

} // namespace

void Reader::read(const QString &text, int base)
{
    YNode root;
    int line = 0;
    QString err;
    if (!parseYaml(text.toUtf8(), &root, &line, &err)) {
        m_err->add(base + line, QStringLiteral("invalid YAML: %1").arg(err));
        return;
    }
    if (base)
        shiftLines(&root, base);
    const QString none = QStringLiteral("no 'package:' section; a flow file holds 'package:' with 'name:' and 'tasks:'");
    if (!root.isMap()) {
        m_err->add(root.isNull() ? base + 1 : lineOf(root), none);
        return;
    }
    bool found = false;
    for (size_t it = 0; it < root.pairs(); ++it) {
        const QString key = str(root.key(it));
        if (key == QLatin1String("package")) {
            found = true;
            readPackage(root.value(it), lineOf(root.key(it)));
        } else if (key == QLatin1String("fragment")) {
            found = true;
            m_pkg->fragment = true;
            readPackage(root.value(it), lineOf(root.key(it)));
        } else {
            m_err->add(lineOf(root.key(it)), unknownKeyMessage(key, {QStringLiteral("package"), QStringLiteral("fragment")}));
        }
    }
    if (!found && !m_err->any())
        m_err->add(lineOf(root), none);
}

void Reader::readPackage(const YNode &pkg, int line)
{
    m_pkg->line = line;
    if (!pkg.isMap()) {
        m_err->add(line, QStringLiteral("'package' must be a mapping with 'name:' and 'tasks:'"));
        return;
    }
    static const QStringList known{QStringLiteral("name"), QStringLiteral("tasks"), QStringLiteral("with"),
                                   QStringLiteral("tags"), QStringLiteral("desc"), QStringLiteral("doc"),
                                   QStringLiteral("imports"), QStringLiteral("fragments"), QStringLiteral("configs"),
                                   QStringLiteral("overrides"), QStringLiteral("types"), QStringLiteral("uses")};
    const YNode *tasks = nullptr;
    bool haveTasks = false;
    for (size_t it = 0; it < pkg.pairs(); ++it) {
        const QString key = str(pkg.key(it));
        const int kline = lineOf(pkg.key(it));
        if (key == QLatin1String("name")) {
            if (!pkg.value(it).isScalar() || str(pkg.value(it)).trimmed().isEmpty())
                m_err->add(kline, QStringLiteral("package name must be a non-empty string"));
            else
                m_pkg->name = str(pkg.value(it)).trimmed();
        } else if (key == QLatin1String("tasks")) {
            tasks = &pkg.value(it);
            haveTasks = true;
            if (!tasks->isSeq() && !tasks->isNull()) {
                m_err->add(kline, QStringLiteral("package 'tasks' must be a list of tasks"));
                tasks = nullptr;
            }
        } else if (key == QLatin1String("with")) {
            readParams(pkg.value(it), &m_pkg->params, QStringLiteral("package"));
        } else if (key == QLatin1String("tags")) {
            readTags(pkg.value(it), &m_pkg->tags, nullptr, QStringLiteral("package"));
        } else if (key == QLatin1String("desc") || key == QLatin1String("doc")) {
            // documentation only
        } else if (key == QLatin1String("types")) {
            readTypes(pkg.value(it), &m_pkg->types, false);
        } else if (key == QLatin1String("uses") && !m_pkg->fragment) {
            if (!pkg.value(it).isScalar() || str(pkg.value(it)).trimmed().isEmpty()) {
                m_err->add(kline, QStringLiteral("package: 'uses' must name the base package"));
            } else {
                m_pkg->uses = str(pkg.value(it)).trimmed();
                m_pkg->usesLine = kline;
            }
        } else if (key == QLatin1String("imports")) {
            readImports(pkg.value(it), &m_pkg->imports);
        } else if (key == QLatin1String("fragments")) {
            readFragments(pkg.value(it), &m_pkg->fragments);
        } else if (key == QLatin1String("configs") && !m_pkg->fragment) {
            readConfigs(pkg.value(it));
        } else if (key == QLatin1String("overrides") && !m_pkg->fragment) {
            readOverrides(pkg.value(it), &m_pkg->overrides, false);
        } else if (const QString why = unsupportedPackageKey(key); !why.isEmpty()) {
            m_err->add(kline, QStringLiteral("package: %1").arg(why));
        } else {
            m_err->add(kline, QStringLiteral("package: %1").arg(unknownKeyMessage(key, known)));
        }
    }
    if (!m_pkg->fragment && m_pkg->name.isEmpty() && !m_err->any()) {
        m_err->add(line, QStringLiteral("package has no 'name'"));
    }
    const bool assembled = !m_pkg->imports.empty() || !m_pkg->fragments.empty() || !m_pkg->configs.empty();
    if (!haveTasks && !assembled && !m_pkg->fragment && !m_err->any())
        m_err->add(line, QStringLiteral("package '%1' has no 'tasks' list").arg(m_pkg->name));
    if (tasks && tasks->isSeq()) {
        m_pkg->tasks.reserve(tasks->items.size());
        for (const YNode &task : tasks->items)
            readTask(task, &m_pkg->tasks);
    }
}

void Reader::readParams(const YNode &node, std::vector<ParamDecl> *out, const QString &where)
{
    if (node.isNull())
        return;
    if (!node.isMap()) {
        m_err->add(lineOf(node), QStringLiteral("%1: 'with' must be a mapping of parameter names to values").arg(where));
        return;
    }
    static const QStringList declKeys{QStringLiteral("type"), QStringLiteral("value"), QStringLiteral("doc"),
                                      QStringLiteral("desc")};
    for (size_t it = 0; it < node.pairs(); ++it) {
        ParamDecl d;
        d.name = str(node.key(it));
        d.line = lineOf(node.key(it));
        const YNode &v = node.value(it);
        // A declaration is a mapping of only type/value/doc/desc with a type or value.
        bool decl = v.isMap() && (v.get("type") || v.get("value"));
        if (decl) {
            for (size_t k = 0; k < v.pairs(); ++k)
                decl = decl && declKeys.contains(str(v.key(k)));
        }
        if (!decl) {
            d.value = yamlToJson(v);
            out->push_back(d);
            continue;
        }
        d.typed = true;
        if (const YNode *t = v.get("type")) {
            if (t->isScalar()) {
                d.type = str(*t);
            } else if (t->isMap() && (t->get("list") || t->get("map"))) {
                d.type = t->get("list") ? QStringLiteral("list") : QStringLiteral("map");
            } else {
                m_err->add(lineOf(*t), QStringLiteral("%1: parameter '%2': unsupported type").arg(where, d.name));
                continue;
            }
            static const QStringList types{QStringLiteral("str"), QStringLiteral("int"), QStringLiteral("bool"),
                                           QStringLiteral("float"), QStringLiteral("list"), QStringLiteral("map")};
            if (!types.contains(d.type)) {
                m_err->add(lineOf(*t), QStringLiteral("%1: parameter '%2': %3").arg(where, d.name,
                                      unknownKeyMessage(d.type, types).replace(QStringLiteral("unknown key"),
                                                                               QStringLiteral("unknown type"))
                                                           .replace(QStringLiteral("known keys"), QStringLiteral("known types"))));
                continue;
            }
        }
        if (const YNode *val = v.get("value"))
            d.value = yamlToJson(*val);
        out->push_back(d);
    }
}

void Reader::readTask(const YNode &node, std::vector<TaskDecl> *out)
{
    if (!node.isMap()) {
        m_err->add(lineOf(node), QStringLiteral("each task must be a mapping with 'name:' and 'run:'"));
        return;
    }
    TaskDecl t;
    t.task.line = lineOf(node);
    int nameKeys = 0;
    for (size_t it = 0; it < node.pairs(); ++it) {
        const QString key = str(node.key(it));
        const bool isName = key == QLatin1String("name") || key == QLatin1String("root")
                            || key == QLatin1String("export") || key == QLatin1String("local")
                            || key == QLatin1String("override");
        if (!isName)
            continue;
        const int line = lineOf(node.key(it));
        if (key == QLatin1String("override")) { // names the task after its target; may join name:/root:/...
            if (!node.value(it).isScalar() || str(node.value(it)).trimmed().isEmpty()) {
                m_err->add(line, QStringLiteral("`override:` must name the task it replaces"));
                return;
            }
            t.override = str(node.value(it)).trimmed();
            t.overrideLine = line;
            if (nameKeys == 0)
                t.task.name = t.override.section(QLatin1Char('.'), -1);
            continue;
        }
        if (++nameKeys > 1) {
            m_err->add(line, QStringLiteral("task '%1' is named twice ('%2:'); use one of name, root, export, local")
                                 .arg(t.task.name, key));
            t.broken = true;
            continue;
        }
        if (!node.value(it).isScalar() || str(node.value(it)).isEmpty()) {
            m_err->add(line, QStringLiteral("task name must be a non-empty string"));
            return;
        }
        t.task.name = str(node.value(it));
        const bool bad = std::any_of(t.task.name.cbegin(), t.task.name.cend(),
                                     [](QChar c) { return c == QLatin1Char('/') || c.isSpace(); });
        if (bad) {
            m_err->add(line, QStringLiteral("task name '%1' must not contain '/' or whitespace").arg(t.task.name));
            return;
        }
        t.task.exported = key == QLatin1String("root") || key == QLatin1String("export");
        t.task.root = key == QLatin1String("root");
        t.task.local = key == QLatin1String("local");
    }
    if (!t.override.isEmpty())
        t.task.name = t.override.section(QLatin1Char('.'), -1); // the target's name, as the Python dfm names it
    if (nameKeys == 0 && t.override.isEmpty()) {
        m_err->add(t.task.line, QStringLiteral("task has no 'name' (nor 'root', 'export' or 'local')"));
        return;
    }
    for (size_t it = 0; it < node.pairs(); ++it) {
        const QString key = str(node.key(it));
        const int line = lineOf(node.key(it));
        const YNode &value = node.value(it);
        if (key == QLatin1String("name") || key == QLatin1String("root") || key == QLatin1String("export")
            || key == QLatin1String("local") || key == QLatin1String("override")) {
            continue;
        } else if (key == QLatin1String("desc") || key == QLatin1String("doc")) {
            if (value.isScalar() && (t.task.desc().isEmpty() || key == QLatin1String("desc")))
                t.task.editMore().desc = str(value).trimmed().section(QLatin1Char('\n'), 0, 0);
            t.hasDesc = true;
        } else if (key == QLatin1String("shell") || key == QLatin1String("run") || key == QLatin1String("uses")) {
            if (!value.isScalar() && !value.isNull()) {
                taskError(line, t, QStringLiteral("'%1' must be a string").arg(key));
                t.broken = true;
                continue;
            }
            const QString text = value.isNull() ? QString() : str(value);
            if (key == QLatin1String("run")) {
                t.task.run = text;
                t.hasRun = true;
                t.runLine = line;
            } else if (key == QLatin1String("uses")) {
                t.task.editMore().uses = text.trimmed();
                t.usesLine = line;
            } else if (text.trimmed().isEmpty()) {
                taskError(line, t, QStringLiteral("'shell' must name a shell, e.g. bash"));
                t.broken = true;
            } else {
                t.task.shell = text.trimmed();
                t.hasShell = true;
            }
        } else if (key == QLatin1String("scope")) {
            const QStringList scopes = value.isSeq() ? yamlToJson(value).toVariant().toStringList()
                                                          : QStringList{str(value)};
            for (const QString &s : scopes) {
                t.task.root = t.task.root || s == QLatin1String("root");
                if (s == QLatin1String("root") || s == QLatin1String("export"))
                    t.task.exported = true;
                else if (s == QLatin1String("local"))
                    t.task.local = true;
                else
                    taskError(line, t, QStringLiteral("scope '%1' is not one of root, export, local").arg(s));
            }
        } else if (key == QLatin1String("needs")) {
            readNeeds(value, &t);
        } else if (key == QLatin1String("feeds")) {
            std::vector<std::pair<QString, int>> needs;
            std::swap(needs, t.needs);
            readNeeds(value, &t);
            std::swap(needs, t.needs);
            t.feeds = std::move(needs);
        } else if (key == QLatin1String("with")) {
            readParams(value, &t.params, QStringLiteral("task '%1'").arg(t.task.name));
        } else if (key == QLatin1String("tags")) {
            readTags(value, &t.tags, &t, QStringLiteral("task '%1'").arg(t.task.name));
        } else if (key == QLatin1String("iff")) {
            t.iff = yamlToJson(value);
            t.iffLine = line;
            t.hasIff = true;
        } else if (key == QLatin1String("rundir")) {
            const QString mode = value.isScalar() ? str(value) : QString();
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
        } else if (key == QLatin1String("body") || key == QLatin1String("tasks")) {
            readBody(value, line, &t);
        } else if (key == QLatin1String("max_failures")) {
            bool ok = false;
            const int n = value.isScalar() ? str(value).trimmed().toInt(&ok) : 0;
            if (!ok || n < -1 || n == 0)
                taskError(line, t, QStringLiteral("max_failures must be a positive integer, or -1 for no limit"));
            t.maxFailures = ok ? n : -1;
            t.hasMaxFailures = true;
        } else if (key == QLatin1String("strategy")) {
            readStrategy(value, line, &t);
        } else if (key == QLatin1String("produces")) {
            // informational: what the task outputs
        } else if (key == QLatin1String("timeout")) {
            bool ok = false;
            const double secs = value.isScalar() ? str(value).toDouble(&ok) : 0;
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
    out->push_back(std::move(t));
}

void Reader::readBody(const YNode &value, int line, TaskDecl *t)
{
    if (!t->body.empty()) {
        taskError(line, *t, QStringLiteral("the body is given twice; use one of 'body:' and 'tasks:'"));
        t->broken = true;
        return;
    }
    if (!value.isSeq()) {
        if (!value.isNull())
            taskError(line, *t, QStringLiteral("'body' must be a list of tasks"));
        return;
    }
    t->bodyLine = line;
    t->body.reserve(value.items.size());
    for (const YNode &sub : value.items)
        readTask(sub, &t->body);
}

void Reader::readStrategy(const YNode &value, int line, TaskDecl *t)
{
    if (!value.isMap()) {
        taskError(line, *t, QStringLiteral("'strategy' must be a mapping with 'matrix:'"));
        return;
    }
    t->strategyLine = line;
    for (size_t it = 0; it < value.pairs(); ++it) {
        const QString key = str(value.key(it));
        const int kline = lineOf(value.key(it));
        if (key == QLatin1String("generate")) {
            taskError(kline, *t, QStringLiteral("`strategy.generate` runs a Python generator; this dfm cannot run it "
                                                "(the Python `dfm run` runs it through our daemon)"));
            t->broken = true;
            continue;
        }
        if (key != QLatin1String("matrix")) {
            taskError(kline, *t, QStringLiteral("strategy: %1").arg(unknownKeyMessage(key, {QStringLiteral("matrix")})));
            continue;
        }
        const YNode &m = value.value(it);
        if (!m.isMap() || m.pairs() == 0) {
            taskError(kline, *t, QStringLiteral("strategy.matrix must map each parameter to a list of values"));
            t->broken = true;
            continue;
        }
        for (size_t k = 0; k < m.pairs(); ++k)
            t->matrix.emplace_back(str(m.key(k)), yamlToJson(m.value(k)));
    }
}

void Reader::readNeeds(const YNode &value, TaskDecl *t)
{
    const QString msg = QStringLiteral("'needs' must be a task name or a list of task names");
    if (value.isNull())
        return;
    if (value.isScalar()) {
        t->needs.emplace_back(str(value).trimmed(), lineOf(value));
        return;
    }
    if (!value.isSeq()) {
        taskError(lineOf(value), *t, msg);
        return;
    }
    for (const YNode &item : value.items) {
        if (!item.isScalar() || str(item).trimmed().isEmpty())
            taskError(lineOf(item), *t, msg);
        else
            t->needs.emplace_back(str(item).trimmed(), lineOf(item));
    }
}

void Reader::readTags(const YNode &value, std::vector<TagRef> *out, TaskDecl *t, const QString &where)
{
    if (value.isNull())
        return;
    if (!value.isSeq()) {
        m_err->add(lineOf(value), QStringLiteral("%1: 'tags' must be a list").arg(where));
        return;
    }
    for (const YNode &item : value.items) {
        std::vector<std::pair<const YNode *, const YNode *>> tags; // (name node, settings or null)
        if (item.isScalar()) {
            tags.emplace_back(&item, nullptr);
        } else if (item.isMap()) {
            for (size_t it = 0; it < item.pairs(); ++it)
                tags.emplace_back(&item.key(it), &item.value(it));
        } else {
            m_err->add(lineOf(item), QStringLiteral("%1: each tag must be a name or 'name: {settings}'").arg(where));
            continue;
        }
        for (const auto &tag : tags) {
            const QString name = str(*tag.first).trimmed();
            if (t && name == QLatin1String("std.ResourceTag")) {
                readResourceTag(tag.second ? *tag.second : YNode(), t);
                continue;
            }
            TagRef ref;
            ref.type = name;
            ref.line = lineOf(*tag.first);
            if (tag.second && !tag.second->isNull()) {
                if (!tag.second->isMap()) {
                    m_err->add(lineOf(*tag.second), QStringLiteral("%1: tag '%2': its settings must be a mapping of parameters to values").arg(where, name));
                    continue;
                }
                for (size_t k = 0; k < tag.second->pairs(); ++k) {
                    ref.with.emplace_back(str(tag.second->key(k)), yamlToJson(tag.second->value(k)));
                    ref.withLines.push_back(lineOf(tag.second->key(k)));
                }
            }
            out->push_back(std::move(ref));
        }
    }
}

void Reader::readResourceTag(const YNode &value, TaskDecl *t)
{
    static const QStringList keys{QStringLiteral("resource_class"), QStringLiteral("cores"), QStringLiteral("memory"),
                                  QStringLiteral("queue"), QStringLiteral("walltime")};
    if (value.isNull())
        return;
    if (!value.isMap()) {
        taskError(lineOf(value), *t, QStringLiteral("std.ResourceTag must be a mapping of %1").arg(keys.join(QStringLiteral(", "))));
        return;
    }
    for (size_t it = 0; it < value.pairs(); ++it) {
        const QString key = str(value.key(it));
        const int line = lineOf(value.key(it));
        if (!keys.contains(key)) {
            taskError(line, *t, QStringLiteral("std.ResourceTag: %1").arg(unknownKeyMessage(key, keys)));
            continue;
        }
        if (!value.value(it).isScalar() && !value.value(it).isNull()) {
            taskError(line, *t, QStringLiteral("std.ResourceTag.%1: expected a single value").arg(key));
            continue;
        }
        const QString v = value.value(it).isNull() ? QString() : str(value.value(it)).trimmed();
        if (key == QLatin1String("cores")) {
            bool ok = false;
            const int n = v.toInt(&ok);
            if (!ok || n < 1)
                taskError(line, *t, QStringLiteral("std.ResourceTag.cores: expected a positive integer, got '%1'").arg(v));
            t->task.editMore().resources.cores = n;
        } else if (key == QLatin1String("memory")) {
            if (!v.isEmpty() && !parseMemoryMB(v, nullptr))
                taskError(line, *t, QStringLiteral("std.ResourceTag.memory: expected a memory size such as 512M or 4G, got '%1'").arg(v));
            t->task.editMore().resources.memory = v;
        } else if (key == QLatin1String("resource_class")) {
            t->task.editMore().resourceClass = v;
        } else if (key == QLatin1String("queue")) {
            t->task.editMore().resources.queue = v;
        } else {
            t->task.editMore().resources.walltime = v;
        }
    }
}

void readPackage(const QString &yamlText, PackageDecl *pkg, Errors *errors, int base)
{
    Reader(pkg, errors).read(yamlText, base);
}

bool readPackageFile(const QString &path, PackageDecl *pkg, Errors *errors, int loc)
{
    QFile f(path);
    if (QFileInfo(path).isDir() || !f.open(QIODevice::ReadOnly)) {
        errors->add(loc, QStringLiteral("cannot read %1: %2").arg(path, QFileInfo(path).isDir() ? QStringLiteral("it is a directory") : f.errorString()));
        return false;
    }
    const int base = errors->base(path);
    if (base < 0) {
        errors->add(loc, QStringLiteral("cannot read %1: a flow may load at most 2000 files").arg(path));
        return false;
    }
    pkg->file = path;
    pkg->dir = QFileInfo(path).absolutePath();
    readPackage(QString::fromUtf8(f.readAll()), pkg, errors, base);
    return true;
}

} // namespace dfm::flow
