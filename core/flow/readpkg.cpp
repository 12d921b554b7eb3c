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
                m_err->add(value.key(i).line, QStringLiteral("override of '%1': an inline task definition is not supported yet; "
                                                             "declare the task and name it").arg(value.key(i).text));
            } else if (!isText(with)) {
                m_err->add(value.key(i).line, QStringLiteral("override of '%1': the replacement must be a task name").arg(value.key(i).text));
            } else {
                out->push_back(OverrideDecl{value.key(i).text.trimmed(), with.text.trimmed(), value.key(i).line});
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
                m_err->add(item.key(i).line, QStringLiteral("override: an inline task definition is not supported yet; declare the task and name it"));
                ok = false;
            } else if (!isText(item.value(i))) {
                m_err->add(item.key(i).line, QStringLiteral("override: '%1' must be a name").arg(key));
                ok = false;
            } else {
                (key == QLatin1String("with") ? o.with : o.target) = item.value(i).text.trimmed();
            }
        }
        if (!ok)
            continue;
        if (o.target.isEmpty() || o.with.isEmpty()) {
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
                                  QStringLiteral("fragments"), QStringLiteral("desc"), QStringLiteral("doc")};
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
            } else if (key == QLatin1String("types") || key == QLatin1String("extensions")) {
                m_err->add(line, QStringLiteral("%1: `%2:` is not supported yet").arg(where, key));
            } else {
                m_err->add(line, QStringLiteral("%1: %2").arg(where, unknownKeyMessage(key, keys)));
            }
        }
        m_pkg->configs.push_back(std::move(c));
    }
}

} // namespace dfm::flow
