// Data types: the standard library's (by name and parameter names, as its
// flow.yaml declares them) and the packages' own `types:`; tags checked
// against them, as the Python dfm checks them.

#include "flow/types.h"

#include "config.h"
#include "spellcheck.h"

#include <QJsonArray>
#include <QSet>

namespace dfm::flow {

namespace {

struct StdType {
    const char *name;
    const char *base;
    const char *params; /* space-separated */
};

const std::vector<std::unique_ptr<TypeInfo>> &stdTypes()
{
    static const std::vector<std::unique_ptr<TypeInfo>> types = [] {
        static const StdType table[] = {
            {"Check", "", "severity id hint"},
            {"Tag", "", "category value"},
            {"Stable", "Tag", "since"},
            {"Experimental", "Tag", "reason"},
            {"Deprecated", "Tag", "reason replacement since"},
            {"Test", "Tag", "name desc case view group"},
            {"TestSuite", "Tag", "name desc"},
            {"AgentSkillTag", "Tag", ""},
            {"AgentToolTag", "Tag", ""},
            {"AgentPersonaTag", "Tag", ""},
            {"AgentReferenceTag", "Tag", ""},
            {"ResourceTag", "Tag", "cores memory queue walltime resource_class"},
            {"DataItem", "", "type"},
            {"FileSet", "DataItem", "filetype basedir files incdirs defines attributes"},
            {"PubSet", "FileSet", "dest strip flatten"},
            {"Env", "", "vals append_path prepend_path"},
            {"AgentResource", "DataItem", "files content urls"},
            {"AgentSkill", "AgentResource", ""},
            {"AgentPersona", "DataItem", "persona"},
            {"AgentTool", "DataItem", "command args url"},
            {"AgentReference", "AgentResource", ""},
            {"TaskRunSpec", "DataItem", "task_type task_name params needs"},
        };
        std::vector<std::unique_ptr<TypeInfo>> out;
        for (const StdType &s : table) {
            auto t = std::make_unique<TypeInfo>();
            t->name = QStringLiteral("std.") + QLatin1String(s.name);
            t->stdParams = QString::fromLatin1(s.params).split(QLatin1Char(' '), Qt::SkipEmptyParts);
            for (const auto &b : out) {
                if (*s.base && b->name == QStringLiteral("std.") + QLatin1String(s.base))
                    t->base = b.get();
            }
            out.push_back(std::move(t));
        }
        return out;
    }();
    return types;
}

} // namespace

const TypeInfo *findStdType(const QString &name)
{
    for (const auto &t : stdTypes()) {
        if (t->name.mid(4) == name)
            return t.get();
    }
    return nullptr;
}

TypeIndex::TypeIndex(const std::vector<PackageDecl *> &pkgs, Errors *errors)
    : m_pkgs(pkgs)
{
    for (size_t k = 0; k < pkgs.size(); ++k) {
        for (const TypeDecl &d : pkgs[k]->types) {
            const QString q = pkgs[k]->name + QLatin1Char('.') + d.name;
            if (const TypeInfo *dup = m_byQualified.value(q)) {
                errors->add(d.line, QStringLiteral("type '%1' is declared twice (first at %2:%3)")
                                        .arg(q, errors->fileOf(dup->decl->line)).arg(dup->decl->line % kFileStride));
                continue;
            }
            auto t = std::make_unique<TypeInfo>();
            t->name = q;
            t->pkg = int(k);
            t->decl = &d;
            m_byQualified.insert(q, t.get());
            m_user.push_back(std::move(t));
        }
    }
    for (auto &t : m_user) {
        if (t->decl->uses.isEmpty())
            continue;
        const TypeInfo *b = find(t->pkg, t->decl->uses);
        if (!b) {
            const QString close = closestMatch(t->decl->uses, names(t->pkg));
            errors->add(t->decl->usesLine, QStringLiteral("type '%1' uses '%2', which is not a type%3").arg(t->name, t->decl->uses,
                            close.isEmpty() ? QString() : QStringLiteral("; did you mean '%1'?").arg(close)));
            t->broken = true;
            continue;
        }
        t->base = b;
    }
    // A cycle of bases: each type on one is reported, then the cycles are cut.
    std::vector<TypeInfo *> onCycle;
    for (auto &t : m_user) {
        const TypeInfo *b = t->base;
        for (size_t steps = 0; b && b != t.get() && steps <= m_user.size(); ++steps)
            b = b->base;
        if (b == t.get())
            onCycle.push_back(t.get());
    }
    for (TypeInfo *t : onCycle) {
        errors->add(t->decl->usesLine, QStringLiteral("type '%1' uses '%2', which closes a `uses:` cycle").arg(t->name, t->decl->uses));
        t->base = nullptr;
        t->broken = true;
    }
}

const TypeInfo *TypeIndex::find(int k, const QString &ref) const
{
    if (ref.startsWith(QLatin1String("std.")))
        return findStdType(ref.mid(4));
    const PackageDecl &p = *m_pkgs[size_t(k)];
    if (const TypeInfo *own = m_byQualified.value(p.name + QLatin1Char('.') + ref))
        return own;
    if (const TypeInfo *q = m_byQualified.value(ref))
        return q;
    const qsizetype dot = ref.indexOf(QLatin1Char('.'));
    if (dot > 0) {
        const auto a = p.aliases.constFind(ref.left(dot));
        if (a != p.aliases.constEnd())
            return m_byQualified.value(*a + ref.mid(dot));
    }
    if (p.base >= 0 && p.base != k) // a package using another has its types too
        return find(p.base, ref);
    return nullptr;
}

bool TypeIndex::derives(const TypeInfo *t, const QString &base)
{
    for (int depth = 0; t && depth < 1000; t = t->base, ++depth) {
        if (t->name == base)
            return true;
    }
    return false;
}

QStringList TypeIndex::paramNames(const TypeInfo *t)
{
    QStringList out;
    for (int depth = 0; t && depth < 1000; t = t->base, ++depth) {
        out += t->stdParams;
        if (t->decl) {
            for (const ParamDecl &p : t->decl->params)
                out << p.name;
        }
    }
    out.removeDuplicates();
    return out;
}

std::vector<ParamDecl> TypeIndex::params(const TypeInfo *t)
{
    std::vector<const TypeInfo *> chain;
    for (int depth = 0; t && depth < 1000; t = t->base, ++depth)
        chain.push_back(t);
    std::vector<ParamDecl> out;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        if ((*it)->decl)
            out.insert(out.end(), (*it)->decl->params.begin(), (*it)->decl->params.end());
    }
    return out;
}

QStringList TypeIndex::names(int k) const
{
    QStringList out;
    for (const auto &t : m_user)
        out << (t->pkg == k ? t->decl->name : t->name);
    for (const auto &t : stdTypes())
        out << t->name;
    return out;
}

namespace {

/// Checks one tag; a ResourceTag-derived one's values go into *task.
void checkTag(const TypeIndex &types, int k, const TagRef &tag, const QString &where, FlowTask *task, Errors *errors)
{
    const TypeInfo *t = types.find(k, tag.type);
    if (!t) {
        const QString close = closestMatch(tag.type, types.names(k));
        errors->add(tag.line, QStringLiteral("%1: tag '%2' names no type%3").arg(where, tag.type,
                                  close.isEmpty() ? QStringLiteral(" (declare it under `types:`)") : QStringLiteral("; did you mean '%1'?").arg(close)));
        return;
    }
    if (t->broken)
        return; // its own error was reported
    if (!TypeIndex::derives(t, QStringLiteral("std.Tag"))) {
        errors->add(tag.line, QStringLiteral("%1: tag '%2': type %3 is not derived from std.Tag").arg(where, tag.type, t->name));
        return;
    }
    const QStringList known = TypeIndex::paramNames(t);
    bool ok = true;
    for (size_t i = 0; i < tag.with.size(); ++i) {
        if (!known.contains(tag.with[i].first)) {
            const QString close = closestMatch(tag.with[i].first, known);
            errors->add(tag.withLines[i], QStringLiteral("%1: tag '%2': parameter '%3' not found in tag type %4%5")
                                              .arg(where, tag.type, tag.with[i].first, t->name,
                                                   close.isEmpty() ? QString() : QStringLiteral("; did you mean '%1'?").arg(close)));
            ok = false;
        }
    }
    if (!ok || !task || t->name == QLatin1String("std.ResourceTag") || !TypeIndex::derives(t, QStringLiteral("std.ResourceTag")))
        return;
    // A resource tag of the project's own: its types' values, then the tag's.
    std::vector<std::pair<QString, QJsonValue>> values;
    for (const ParamDecl &p : TypeIndex::params(t)) {
        if (!p.value.isUndefined() && !p.value.isNull())
            values.emplace_back(p.name, p.value);
    }
    values.insert(values.end(), tag.with.begin(), tag.with.end());
    for (const auto &v : values) {
        const QString text = v.second.isDouble() ? QString::number(v.second.toDouble()) : v.second.toString();
        if (text.contains(QLatin1String("${{"))) {
            errors->add(tag.line, QStringLiteral("%1: tag '%2': expressions in a resource tag's values are not supported yet").arg(where, tag.type));
            return;
        }
        if (v.first == QLatin1String("cores")) {
            bool isInt = false;
            const int n = text.toInt(&isInt);
            if (!isInt || n < 1) {
                errors->add(tag.line, QStringLiteral("%1: tag '%2': cores: expected a positive integer, got '%3'").arg(where, tag.type, text));
                return;
            }
            task->editMore().resources.cores = n;
        } else if (v.first == QLatin1String("memory")) {
            if (!text.isEmpty() && !parseMemoryMB(text, nullptr)) {
                errors->add(tag.line, QStringLiteral("%1: tag '%2': memory: expected a memory size such as 512M or 4G, got '%3'").arg(where, tag.type, text));
                return;
            }
            task->editMore().resources.memory = text;
        } else if (v.first == QLatin1String("queue")) {
            task->editMore().resources.queue = text;
        } else if (v.first == QLatin1String("walltime")) {
            task->editMore().resources.walltime = text;
        } else if (v.first == QLatin1String("resource_class")) {
            task->editMore().resourceClass = text;
        }
    }
}

void checkTaskTags(const TypeIndex &types, int k, TaskDecl *d, const QString &prefix, Errors *errors)
{
    const QString where = QStringLiteral("task '%1'").arg(prefix + d->task.name);
    for (const TagRef &tag : d->tags)
        checkTag(types, k, tag, where, &d->task, errors);
    for (TaskDecl &b : d->body)
        checkTaskTags(types, k, &b, prefix + d->task.name + QLatin1Char('.'), errors);
}

} // namespace

void checkTags(const TypeIndex &types, const std::vector<PackageDecl *> &pkgs, std::vector<TaskDecl> *tasks, Errors *errors)
{
    for (size_t k = 0; k < pkgs.size(); ++k) {
        const QString where = QStringLiteral("package '%1'").arg(pkgs[k]->name);
        for (const TagRef &tag : pkgs[k]->tags)
            checkTag(types, int(k), tag, where, nullptr, errors);
        for (const TypeDecl &d : pkgs[k]->types) {
            for (const TagRef &tag : d.tags)
                checkTag(types, int(k), tag, QStringLiteral("type '%1'").arg(d.name), nullptr, errors);
        }
    }
    for (TaskDecl &d : *tasks) {
        if (!d.tags.empty() || !d.body.empty())
            checkTaskTags(types, d.pkg, &d, QString(), errors);
    }
}

} // namespace dfm::flow
