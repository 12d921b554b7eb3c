// Reads a package's `imports:`, `fragments:`, `configs:` and `overrides:`
// as written. Resolving them is imports.cpp's and configs.cpp's work.

#include "flow/reader.h"

#include "spellcheck.h"

namespace dfm::flow {

namespace {

bool isText(const YNode &n) { return n.isScalar() && !n.text.trimmed().isEmpty(); }

} // namespace

void Reader::readImports(const YNode &value, std::vector<ImportDecl> *out)
{
    if (value.isNull())
        return;
    if (!value.isSeq()) {
        m_err->add(value.line, QStringLiteral("package: 'imports' must be a list of paths or package names"));
        return;
    }
    static const QStringList keys{QStringLiteral("name"), QStringLiteral("from"), QStringLiteral("path"),
                                  QStringLiteral("as"), QStringLiteral("config")};
    for (const YNode &item : value.items) {
        ImportDecl d;
        d.line = item.line;
        if (isText(item)) {
            d.path = item.text.trimmed();
        } else if (item.isMap()) {
            for (size_t i = 0; i < item.pairs(); ++i) {
                const QString key = item.key(i).text;
                const YNode &v = item.value(i);
                if (!keys.contains(key)) {
                    m_err->add(item.key(i).line, QStringLiteral("import: %1").arg(unknownKeyMessage(key, keys)));
                    continue;
                }
                if (!isText(v)) {
                    m_err->add(item.key(i).line, QStringLiteral("import: '%1' must be a non-empty string").arg(key));
                    continue;
                }
                const QString text = v.text.trimmed();
                if (key == QLatin1String("name"))
                    d.name = text;
                else if (key == QLatin1String("from") || key == QLatin1String("path"))
                    d.path = text;
                else if (key == QLatin1String("as"))
                    d.alias = text;
                else
                    d.config = text;
            }
            if (d.name.isEmpty() && d.path.isEmpty()) {
                m_err->add(item.line, QStringLiteral("import: give 'name:' or 'from:' (a path)"));
                continue;
            }
        } else {
            m_err->add(item.line, QStringLiteral("each import must be a path, a package name or a mapping with 'name:'/'from:'"));
            continue;
        }
        out->push_back(d);
    }
}

void Reader::readFragments(const YNode &value, std::vector<FragmentRef> *out)
{
    if (value.isNull())
        return;
    if (!value.isSeq()) {
        m_err->add(value.line, QStringLiteral("'fragments' must be a list of files or directories"));
        return;
    }
    for (const YNode &item : value.items) {
        if (!isText(item)) {
            m_err->add(item.line, QStringLiteral("each fragment must be a file or directory path"));
            continue;
        }
        FragmentRef f;
        f.path = item.text.trimmed();
        f.line = item.line;
        out->push_back(f);
    }
}

void Reader::readOverrides(const YNode &value, std::vector<OverrideDecl> *out, bool asList)
{
    if (value.isNull())
        return;
    if (!asList) { // package level: {TARGET: REPLACEMENT}
        if (!value.isMap()) {
            m_err->add(value.line, QStringLiteral("package: 'overrides' must map task names to their replacements"));
            return;
        }
        for (size_t i = 0; i < value.pairs(); ++i) {
            const YNode &with = value.value(i);
            if (with.isMap()) {
                OverrideDecl o{value.key(i).text.trimmed(), QString(), value.key(i).line, {}};
                if (readInlineTask(with, &o.inlineTask))
                    out->push_back(std::move(o));
            } else if (!isText(with)) {
                m_err->add(value.key(i).line, QStringLiteral("override of '%1': the replacement must be a task name").arg(value.key(i).text));
            } else {
                out->push_back(OverrideDecl{value.key(i).text.trimmed(), with.text.trimmed(), value.key(i).line, {}});
            }
        }
        return;
    }
    if (!value.isSeq()) {
        m_err->add(value.line, QStringLiteral("config: 'overrides' must be a list of {task: NAME, with: REPLACEMENT}"));
        return;
    }
    static const QStringList keys{QStringLiteral("task"), QStringLiteral("override"), QStringLiteral("with")};
    for (const YNode &item : value.items) {
        OverrideDecl o;
        o.line = item.line;
        bool ok = item.isMap();
        for (size_t i = 0; ok && i < item.pairs(); ++i) {
            const QString key = item.key(i).text;
            if (!keys.contains(key)) {
                m_err->add(item.key(i).line, QStringLiteral("override: %1").arg(unknownKeyMessage(key, keys)));
                ok = false;
            } else if (key == QLatin1String("with") && item.value(i).isMap()) {
                ok = readInlineTask(item.value(i), &o.inlineTask);
            } else if (!isText(item.value(i))) {
                m_err->add(item.key(i).line, QStringLiteral("override: '%1' must be a name").arg(key));
                ok = false;
            } else {
                (key == QLatin1String("with") ? o.with : o.target) = item.value(i).text.trimmed();
            }
        }
        if (!ok)
            continue;
        if (o.target.isEmpty() || (o.with.isEmpty() && o.inlineTask.empty())) {
            m_err->add(item.line, QStringLiteral("override: give 'task:' (the task replaced) and 'with:' (its replacement)"));
            continue;
        }
        out->push_back(o);
    }
}

void Reader::readConfigs(const YNode &value)
{
    if (value.isNull())
        return;
    if (!value.isSeq()) {
        m_err->add(value.line, QStringLiteral("package: 'configs' must be a list of configurations"));
        return;
    }
    static const QStringList keys{QStringLiteral("name"), QStringLiteral("uses"), QStringLiteral("with"),
                                  QStringLiteral("tasks"), QStringLiteral("overrides"), QStringLiteral("imports"),
                                  QStringLiteral("fragments"), QStringLiteral("desc"), QStringLiteral("doc"),
                                  QStringLiteral("types"), QStringLiteral("extensions")};
    for (const YNode &item : value.items) {
        if (!item.isMap()) {
            m_err->add(item.line, QStringLiteral("each configuration must be a mapping with 'name:'"));
            continue;
        }
        ConfigDecl c;
        c.line = item.line;
        if (const YNode *n = item.get("name"); n && isText(*n))
            c.name = n->text.trimmed();
        if (c.name.isEmpty()) {
            m_err->add(item.line, QStringLiteral("configuration has no 'name'"));
            continue;
        }
        const QString where = QStringLiteral("config '%1'").arg(c.name);
        for (size_t i = 0; i < item.pairs(); ++i) {
            const QString key = item.key(i).text;
            const int line = item.key(i).line;
            const YNode &v = item.value(i);
            if (key == QLatin1String("name") || key == QLatin1String("desc") || key == QLatin1String("doc")) {
                continue;
            } else if (key == QLatin1String("uses")) {
                if (isText(v))
                    c.uses = v.text.trimmed();
                else
                    m_err->add(line, QStringLiteral("%1: 'uses' must name a configuration").arg(where));
            } else if (key == QLatin1String("with")) {
                readParams(v, &c.params, where);
            } else if (key == QLatin1String("tasks")) {
                if (v.isSeq()) {
                    for (const YNode &t : v.items)
                        readTask(t, &c.tasks);
                } else if (!v.isNull()) {
                    m_err->add(line, QStringLiteral("%1: 'tasks' must be a list of tasks").arg(where));
                }
            } else if (key == QLatin1String("overrides")) {
                readOverrides(v, &c.overrides, true);
            } else if (key == QLatin1String("imports")) {
                readImports(v, &c.imports);
            } else if (key == QLatin1String("fragments")) {
                readFragments(v, &c.fragments);
            } else if (key == QLatin1String("types")) {
                readTypes(v, &c.types, true);
            } else if (key == QLatin1String("extensions")) {
                readExtensions(v, &c.extensions, where);
            } else {
                m_err->add(line, QStringLiteral("%1: %2").arg(where, unknownKeyMessage(key, keys)));
            }
        }
        m_pkg->configs.push_back(std::move(c));
    }
}

bool Reader::readInlineTask(const YNode &value, std::vector<TaskDecl> *out)
{
    YNode named = value;
    for (size_t i = 0; i < value.pairs(); ++i) {
        const QString key = value.key(i).text;
        if (key == QLatin1String("name") || key == QLatin1String("root") || key == QLatin1String("export")
            || key == QLatin1String("local") || key == QLatin1String("override")) {
            m_err->add(value.key(i).line, QStringLiteral("override: an inline task definition takes its target's name; remove '%1:'").arg(key));
            return false;
        }
    }
    YNode k, v;
    k.kind = v.kind = YNode::Scalar;
    k.line = v.line = value.line;
    k.text = QStringLiteral("name");
    v.text = QStringLiteral("_override_%1").arg(m_inlineTasks++); // runs under its target's name
    named.items.insert(named.items.begin(), {k, v});
    const size_t before = out->size();
    readTask(named, out);
    return out->size() > before;
}

void Reader::readTypes(const YNode &value, std::vector<TypeDecl> *out, bool inConfig)
{
    if (value.isNull())
        return;
    if (!value.isSeq()) {
        m_err->add(value.line, QStringLiteral("'types' must be a list of type declarations"));
        return;
    }
    static const QStringList keys{QStringLiteral("name"), QStringLiteral("uses"), QStringLiteral("with"),
                                  QStringLiteral("doc"), QStringLiteral("desc"), QStringLiteral("tags"),
                                  QStringLiteral("override")};
    for (const YNode &item : value.items) {
        if (!item.isMap()) {
            m_err->add(item.line, QStringLiteral("each type must be a mapping with 'name:'"));
            continue;
        }
        TypeDecl d;
        d.line = item.line;
        if (const YNode *n = item.get("name"); n && isText(*n))
            d.name = n->text.trimmed();
        if (const YNode *o = item.get("override"); o && isText(*o) && inConfig)
            d.override = o->text.trimmed();
        if (d.name.isEmpty())
            d.name = d.override;
        if (d.name.isEmpty()) {
            m_err->add(item.line, QStringLiteral("type has no 'name'"));
            continue;
        }
        const QString where = QStringLiteral("type '%1'").arg(d.name);
        for (size_t i = 0; i < item.pairs(); ++i) {
            const QString key = item.key(i).text;
            const YNode &v = item.value(i);
            if (key == QLatin1String("name") || key == QLatin1String("doc") || key == QLatin1String("desc")
                || (key == QLatin1String("override") && inConfig)) {
                continue;
            } else if (key == QLatin1String("uses")) {
                if (isText(v)) {
                    d.uses = v.text.trimmed();
                    d.usesLine = item.key(i).line;
                } else {
                    m_err->add(item.key(i).line, QStringLiteral("%1: 'uses' must name a type").arg(where));
                }
            } else if (key == QLatin1String("with")) {
                readParams(v, &d.params, where);
            } else if (key == QLatin1String("tags")) {
                readTags(v, &d.tags, nullptr, where);
            } else if (key == QLatin1String("check")) {
                m_err->add(item.key(i).line, QStringLiteral("%1: `check:` runs a Python callable; this dfm cannot run it "
                                                            "(the Python `dfm run` runs it through our daemon)").arg(where));
            } else {
                m_err->add(item.key(i).line, QStringLiteral("%1: %2").arg(where, unknownKeyMessage(key, keys)));
            }
        }
        out->push_back(std::move(d));
    }
}

void Reader::readExtensions(const YNode &value, std::vector<ExtendDecl> *out, const QString &where)
{
    if (value.isNull())
        return;
    if (!value.isSeq()) {
        m_err->add(value.line, QStringLiteral("%1: 'extensions' must be a list of {task: NAME, with: ..., needs: ...}").arg(where));
        return;
    }
    static const QStringList keys{QStringLiteral("task"), QStringLiteral("with"), QStringLiteral("needs"), QStringLiteral("uses")};
    for (const YNode &item : value.items) {
        if (!item.isMap()) {
            m_err->add(item.line, QStringLiteral("%1: each extension must be a mapping with 'task:'").arg(where));
            continue;
        }
        ExtendDecl e;
        e.line = item.line;
        if (const YNode *t = item.get("task"); t && isText(*t))
            e.task = t->text.trimmed();
        if (e.task.isEmpty()) {
            m_err->add(item.line, QStringLiteral("%1: extension has no 'task' (the task it extends)").arg(where));
            continue;
        }
        const QString ewhere = QStringLiteral("%1: extension of '%2'").arg(where, e.task);
        bool ok = true;
        for (size_t i = 0; i < item.pairs(); ++i) {
            const QString key = item.key(i).text;
            const YNode &v = item.value(i);
            if (key == QLatin1String("task")) {
                continue;
            } else if (key == QLatin1String("with")) {
                readParams(v, &e.params, ewhere);
            } else if (key == QLatin1String("needs")) {
                TaskDecl holder;
                holder.task.name = e.task;
                readNeeds(v, &holder);
                e.needs = std::move(holder.needs);
            } else if (key == QLatin1String("uses")) {
                m_err->add(item.key(i).line, QStringLiteral("%1: `uses:` (an extension based on another) is not supported yet").arg(ewhere));
                ok = false;
            } else {
                m_err->add(item.key(i).line, QStringLiteral("%1: %2").arg(ewhere, unknownKeyMessage(key, keys)));
            }
        }
        if (ok)
            out->push_back(std::move(e));
    }
}

} // namespace dfm::flow
