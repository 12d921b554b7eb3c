// One list of tasks from the packages of a flow: overrides applied, names
// made the flow's, references resolved, visibility checked (a need of
// another package's task that is not `export:` is a warning, as in the
// Python dfm; of a `local:` one an error).

#include "flow/decl.h"
#include "flow/types.h"

#include "spellcheck.h"

namespace dfm::flow {

namespace {

/// A task while the packages are put together.
struct Entry {
    TaskDecl decl;
    int scope = 0;  /* the package its references resolve in (where it is written) */
    int owner = 0;  /* the package it is a task of (its flow name's) */
    QString bare;   /* its name in that package */
    bool removed = false;
    bool inherited = false; /* a base package's task, taken over by the package using it (package `uses:`) */
    std::vector<int> extraNeeds; /* entries a configuration's extension adds to its needs */
};

/// A reference resolved: a package and a name in it.
struct Ref {
    int pkg = -1;
    QString name;
    QString unknownPkg; /* a PKG. prefix naming no loaded package */
};

class Flattener {
public:
    Flattener(const std::vector<PackageDecl *> &pkgs, const QHash<QString, int> &byName, Errors *errors,
              const TypeIndex *types)
        : m_pkgs(pkgs), m_byName(byName), m_err(errors), m_types(types)
    {
    }
    void run();

private:
    Ref resolve(int k, const QString &ref) const;
    /// As resolve() in e's package, a named fragment's own names first.
    Ref resolveIn(const Entry &e, const QString &ref) const
    {
        if (!e.decl.ns.isEmpty() && !ref.contains(QLatin1Char('.'))) {
            const QString local = e.decl.ns + QLatin1Char('.') + ref;
            if (m_names[size_t(e.scope)].contains(local))
                return Ref{e.scope, local, QString()};
        }
        return resolve(e.scope, ref);
    }
    void feeds();
    int live(int pkg, const QString &bare) const;
    QString flowName(int pkg, const QString &bare) const
    {
        return pkg == 0 ? bare : m_pkgs[size_t(pkg)]->name + QLatin1Char('.') + bare;
    }
    QString qualified(const Entry &e) const { return m_pkgs[size_t(e.owner)]->name + QLatin1Char('.') + e.bare; }
    QString notATask(int pkg, const QString &name) const;
    void takeOverBases();
    void taskOverrides();
    void overrideMaps();
    void extensions();
    void references(int i);
    bool usesType(Entry &e);

    const std::vector<PackageDecl *> &m_pkgs;
    const QHash<QString, int> &m_byName;
    Errors *m_err;
    const TypeIndex *m_types;
    std::vector<Entry> m_entries;
    std::vector<QHash<QString, std::vector<int>>> m_names; /* per package: bare name -> entries */
};

Ref Flattener::resolve(int k, const QString &ref) const
{
    const PackageDecl &p = *m_pkgs[size_t(k)];
    if (m_names[size_t(k)].contains(ref))
        return Ref{k, ref, QString()};
    const qsizetype own = p.name.size() + 1;
    if (ref.size() > own && ref.startsWith(p.name) && ref.at(own - 1) == QLatin1Char('.')
        && m_names[size_t(k)].contains(ref.mid(own)))
        return Ref{k, ref.mid(own), QString()};
    QString r = ref;
    const qsizetype dot = r.indexOf(QLatin1Char('.'));
    if (dot > 0) {
        const auto a = p.aliases.constFind(r.left(dot));
        if (a != p.aliases.constEnd())
            r = *a + r.mid(dot);
    }
    for (qsizetype i = r.lastIndexOf(QLatin1Char('.')); i > 0; i = r.lastIndexOf(QLatin1Char('.'), i - 1)) {
        const auto it = m_byName.constFind(r.left(i));
        if (it != m_byName.constEnd())
            return Ref{*it, r.mid(i + 1), QString()};
    }
    Ref out;
    if (dot > 0)
        out.unknownPkg = ref.left(dot);
    return out;
}

int Flattener::live(int pkg, const QString &bare) const
{
    const auto it = m_names[size_t(pkg)].constFind(bare);
    if (it == m_names[size_t(pkg)].constEnd())
        return -1;
    for (auto j = it->rbegin(); j != it->rend(); ++j) {
        if (!m_entries[size_t(*j)].removed)
            return *j;
    }
    return -1;
}

QString Flattener::notATask(int pkg, const QString &name) const
{
    QStringList names;
    for (auto it = m_names[size_t(pkg)].begin(); it != m_names[size_t(pkg)].end(); ++it) {
        if (it.key() != name)
            names << it.key();
    }
    const QString close = closestMatch(name, names);
    return QStringLiteral("which is not a task in package '%1'%2")
        .arg(m_pkgs[size_t(pkg)]->name, close.isEmpty() ? QString() : QStringLiteral("; did you mean '%1'?").arg(close));
}

void Flattener::taskOverrides()
{
    const size_t n = m_entries.size();
    for (size_t i = 0; i < n; ++i) {
        Entry &e = m_entries[i];
        if (e.decl.override.isEmpty() || e.removed)
            continue;
        const QString &target = e.decl.override;
        const QString who = flowName(e.owner, e.bare);
        const Ref r = resolve(e.scope, target);
        if (r.pkg < 0 && !r.unknownPkg.isEmpty()) {
            m_err->add(e.decl.overrideLine, QStringLiteral("task '%1' overrides '%2', but no package '%3' is imported")
                                                .arg(who, target, r.unknownPkg));
            e.removed = true;
            continue;
        }
        const int pkg = r.pkg < 0 ? e.scope : r.pkg;
        const QString name = r.pkg < 0 ? target : r.name;
        int t = -1;
        const auto it = m_names[size_t(pkg)].constFind(name);
        if (it != m_names[size_t(pkg)].constEnd()) {
            for (auto j = it->rbegin(); j != it->rend(); ++j) {
                if (size_t(*j) != i && !m_entries[size_t(*j)].removed) {
                    t = *j;
                    break;
                }
            }
        }
        if (t < 0) {
            m_err->add(e.decl.overrideLine, QStringLiteral("task '%1' overrides '%2', %3").arg(who, target, notATask(pkg, name)));
            e.removed = true;
            continue;
        }
        m_entries[size_t(t)].removed = true;
        if (m_entries[size_t(t)].inherited) {
            // As the Python dfm: a package's override of its base package's
            // task derives from it (unless it says `uses:` itself), and every
            // reference to the base's task reaches the override.
            if (e.decl.task.uses().isEmpty())
                inheritTask(&e.decl, m_entries[size_t(t)].decl);
            for (auto &names : m_names) {
                auto it2 = names.find(name);
                if (it2 != names.end() && std::find(it2->begin(), it2->end(), t) != it2->end()
                    && std::find(it2->begin(), it2->end(), int(i)) == it2->end())
                    it2->push_back(int(i));
            }
        }
        const int owner = m_entries[size_t(t)].owner; // the package whose task it becomes (pkg, or the one that took pkg's over)
        if (owner != e.owner) { // it becomes the other package's task of that name
            std::vector<int> &mine = m_names[size_t(e.owner)][e.bare];
            mine.erase(std::remove(mine.begin(), mine.end(), int(i)), mine.end());
            if (mine.empty())
                m_names[size_t(e.owner)].remove(e.bare);
            e.owner = owner;
            e.bare = name;
            m_names[size_t(owner)][name].push_back(int(i));
        }
    }
}

void Flattener::overrideMaps()
{
    for (size_t k = 0; k < m_pkgs.size(); ++k) {
        for (const OverrideDecl &o : m_pkgs[k]->overrides) {
            const Ref t = resolve(int(k), o.target);
            const int target = t.pkg < 0 ? -1 : live(t.pkg, t.name);
            if (target < 0) {
                m_err->add(o.line, QStringLiteral("override of '%1': %2").arg(o.target,
                    t.pkg < 0 && !t.unknownPkg.isEmpty() ? QStringLiteral("no package '%1' is imported").arg(t.unknownPkg)
                                                         : notATask(t.pkg < 0 ? int(k) : t.pkg, t.pkg < 0 ? o.target : t.name)));
                continue;
            }
            Entry repl;
            if (!o.inlineTask.empty()) { // defined in place
                repl.decl = o.inlineTask.front();
                repl.scope = int(k);
                if (k > 0 && repl.decl.task.srcdir().isEmpty())
                    repl.decl.task.editMore().srcdir = m_pkgs[k]->dir;
            } else if (o.with.startsWith(QLatin1String("std."))) {
                repl.decl.task.line = o.line;
                repl.decl.task.editMore().uses = o.with;
                repl.decl.usesLine = o.line;
                repl.scope = int(k);
            } else {
                const Ref w = resolve(int(k), o.with);
                const int with = w.pkg < 0 ? -1 : live(w.pkg, w.name);
                if (with < 0) {
                    m_err->add(o.line, QStringLiteral("override of '%1': the replacement task '%2' was not found").arg(o.target, o.with));
                    continue;
                }
                repl.decl = m_entries[size_t(with)].decl;
                repl.decl.override.clear();
                repl.scope = m_entries[size_t(with)].scope;
            }
            const Entry &old = m_entries[size_t(target)];
            repl.decl.task.name = old.bare;
            repl.decl.task.exported = old.decl.task.exported;
            repl.decl.task.root = old.decl.task.root;
            repl.decl.task.local = old.decl.task.local;
            repl.owner = old.owner;
            repl.bare = old.bare;
            m_entries[size_t(target)].removed = true;
            m_names[size_t(repl.owner)][repl.bare].push_back(int(m_entries.size()));
            m_entries.push_back(std::move(repl));
        }
    }
}

void Flattener::references(int i)
{
    Entry &e = m_entries[size_t(i)];
    const int k = e.scope;
    const QString who = flowName(e.owner, e.bare);
    std::vector<std::pair<QString, int>> needs;
    needs.reserve(e.decl.needs.size());
    for (const auto &need : e.decl.needs) {
        const QString &ref = need.first;
        if (ref.startsWith(QLatin1String("std."))) {
            needs.push_back(need); // elaboration explains
            continue;
        }
        const Ref r = resolveIn(e, ref);
        const int t = r.pkg < 0 ? -1 : live(r.pkg, r.name);
        if (t < 0) {
            if (r.pkg < 0 && !r.unknownPkg.isEmpty())
                m_err->add(need.second, QStringLiteral("task '%1' needs '%2', but no package '%3' is imported").arg(who, ref, r.unknownPkg));
            else if ((r.pkg < 0 ? k : r.pkg) == 0 && k == 0)
                needs.push_back(need); // elaboration explains, with the closest name
            else
                m_err->add(need.second, QStringLiteral("task '%1' needs '%2', %3").arg(who, ref, notATask(r.pkg < 0 ? k : r.pkg, r.pkg < 0 ? ref : r.name)));
            continue;
        }
        const Entry &te = m_entries[size_t(t)];
        if (te.owner != e.owner) {
            if (te.decl.task.local) {
                m_err->add(need.second, QStringLiteral("task '%1' needs '%2', which is `local:` to package '%3'")
                                            .arg(who, ref, m_pkgs[size_t(te.owner)]->name));
                continue;
            }
            if (!te.decl.task.exported)
                m_err->warn(need.second, QStringLiteral("Task '%1' references task '%2' in package '%3' that is not marked 'export'")
                                             .arg(qualified(e), qualified(te), m_pkgs[size_t(te.owner)]->name));
        } else if (te.decl.task.local && m_err->fileOf(te.decl.task.line) != m_err->fileOf(e.decl.task.line)) {
            m_err->add(need.second, QStringLiteral("task '%1' needs '%2', which is `local:` to %3")
                                        .arg(who, ref, m_err->fileOf(te.decl.task.line)));
            continue;
        }
        needs.emplace_back(flowName(te.owner, te.bare), need.second);
    }
    for (int x : e.extraNeeds) {
        if (!m_entries[size_t(x)].removed)
            needs.emplace_back(flowName(m_entries[size_t(x)].owner, m_entries[size_t(x)].bare), e.decl.task.line);
    }
    e.decl.needs = std::move(needs);
    const QString uses = e.decl.task.uses();
    if (uses.isEmpty() || uses.startsWith(QLatin1String("std.")))
        return;
    const Ref r = resolveIn(e, uses);
    const int t = r.pkg < 0 ? -1 : live(r.pkg, r.name);
    if (t < 0 && usesType(e))
        return;
    if (t < 0) {
        if (r.pkg < 0 && !r.unknownPkg.isEmpty()) {
            m_err->add(e.decl.usesLine, QStringLiteral("task '%1' uses '%2', but no package '%3' is imported").arg(who, uses, r.unknownPkg));
            e.decl.broken = true;
        } else if (!((r.pkg < 0 ? k : r.pkg) == 0 && k == 0)) {
            m_err->add(e.decl.usesLine, QStringLiteral("task '%1' uses '%2', %3").arg(who, uses, notATask(r.pkg < 0 ? k : r.pkg, r.pkg < 0 ? uses : r.name)));
            e.decl.broken = true;
        }
        return;
    }
    if (t == i) {
        m_err->add(e.decl.usesLine, QStringLiteral("task '%1' uses '%2', itself").arg(who, uses));
        e.decl.broken = true;
        return;
    }
    e.decl.task.editMore().uses = flowName(m_entries[size_t(t)].owner, m_entries[size_t(t)].bare);
}

void Flattener::takeOverBases()
{
    // Package `uses:`: the base's tasks become the deriving package's
    // (PKG.NAME of the deriver), unless it declares a task of that name
    // itself; they keep resolving their references and parameters in the
    // base, as the Python dfm's aliases do. Bases first, for chains.
    std::vector<char> done(m_pkgs.size(), 0);
    for (size_t pass = 0; pass < m_pkgs.size(); ++pass) {
        for (size_t k = 0; k < m_pkgs.size(); ++k) {
            const int b = m_pkgs[k]->base;
            if (done[k] || b < 0 || (m_pkgs[size_t(b)]->base >= 0 && !done[size_t(b)]))
                continue;
            done[k] = 1;
            for (size_t i = 0; i < m_entries.size(); ++i) {
                Entry &e = m_entries[i];
                if (e.removed || e.owner != b)
                    continue;
                bool own = false;
                const auto it = m_names[k].constFind(e.bare);
                if (it != m_names[k].constEnd()) {
                    for (int j : *it)
                        own = own || (m_entries[size_t(j)].owner == int(k) && m_entries[size_t(j)].decl.override.isEmpty());
                }
                if (own)
                    continue; // the deriver's own task of that name; the base's stays its own
                e.owner = int(k);
                e.inherited = true;
                m_names[k][e.bare].push_back(int(i));
            }
        }
    }
}

void Flattener::extensions()
{
    for (size_t k = 0; k < m_pkgs.size(); ++k) {
        for (const ExtendDecl &x : m_pkgs[k]->extensions) {
            const Ref t = resolve(int(k), x.task);
            const int target = t.pkg < 0 ? -1 : live(t.pkg, t.name);
            if (target < 0) {
                m_err->add(x.line, t.pkg < 0 && !t.unknownPkg.isEmpty()
                                       ? QStringLiteral("extension of '%1': no package '%2' is imported").arg(x.task, t.unknownPkg)
                                       : QStringLiteral("extension of '%1', %2").arg(x.task, notATask(t.pkg < 0 ? int(k) : t.pkg, t.pkg < 0 ? x.task : t.name)));
                continue;
            }
            Entry &e = m_entries[size_t(target)];
            e.decl.params.insert(e.decl.params.end(), x.params.begin(), x.params.end());
            for (const auto &need : x.needs) {
                const Ref r = resolve(int(k), need.first);
                const int n = r.pkg < 0 ? -1 : live(r.pkg, r.name);
                if (n < 0) {
                    m_err->add(need.second, QStringLiteral("extension of '%1' needs '%2', %3").arg(x.task, need.first,
                        r.pkg < 0 && !r.unknownPkg.isEmpty() ? QStringLiteral("but no package '%1' is imported").arg(r.unknownPkg)
                                                             : notATask(r.pkg < 0 ? int(k) : r.pkg, r.pkg < 0 ? need.first : r.name)));
                    continue;
                }
                e.extraNeeds.push_back(n);
            }
        }
    }
}

bool Flattener::usesType(Entry &e)
{
    if (!m_types)
        return false;
    const TypeInfo *type = m_types->find(e.scope, e.decl.task.uses());
    if (!type || !type->decl)
        return false; // a standard type is not a task: elaboration explains
    // As the Python dfm: a task based on a data type takes its parameters
    // (base first, then its own) and runs nothing.
    std::vector<ParamDecl> params = TypeIndex::params(type);
    for (ParamDecl &p : params)
        p.line = e.decl.usesLine;
    params.insert(params.end(), e.decl.params.begin(), e.decl.params.end());
    e.decl.params = std::move(params);
    e.decl.task.editMore().uses.clear();
    return true;
}

void Flattener::feeds()
{
    for (size_t i = 0; i < m_entries.size(); ++i) {
        if (m_entries[i].removed || m_entries[i].decl.feeds.empty())
            continue;
        const QString me = flowName(m_entries[i].owner, m_entries[i].bare);
        for (const auto &fed : m_entries[i].decl.feeds) {
            const Ref r = resolveIn(m_entries[i], fed.first);
            const int t = r.pkg < 0 ? -1 : live(r.pkg, r.name);
            if (t < 0) {
                m_err->add(fed.second, QStringLiteral("task '%1' feeds '%2', %3").arg(me, fed.first,
                    r.pkg < 0 && !r.unknownPkg.isEmpty() ? QStringLiteral("but no package '%1' is imported").arg(r.unknownPkg)
                                                         : notATask(r.pkg < 0 ? m_entries[i].scope : r.pkg, r.pkg < 0 ? fed.first : r.name)));
                continue;
            }
            m_entries[size_t(t)].decl.needs.emplace_back(me, fed.second);
        }
    }
}

void Flattener::run()
{
    m_names.resize(m_pkgs.size());
    for (size_t k = 0; k < m_pkgs.size(); ++k) {
        for (TaskDecl &d : m_pkgs[k]->tasks) {
            Entry e;
            e.scope = e.owner = int(k);
            e.bare = d.task.name;
            e.decl = std::move(d);
            m_names[k][e.bare].push_back(int(m_entries.size()));
            m_entries.push_back(std::move(e));
        }
        m_pkgs[k]->tasks.clear();
    }
    takeOverBases();
    taskOverrides();
    overrideMaps();
    extensions();
    std::vector<TaskDecl> &out = m_pkgs[0]->tasks;
    out.reserve(m_entries.size());
    for (size_t i = 0; i < m_entries.size(); ++i) {
        if (!m_entries[i].removed)
            references(int(i));
    }
    feeds();
    // A root task named like another package's (`sub.t` of a named fragment
    // of `top` and task `t` of package `top.sub`) would share its qualified
    // name and run directory.
    QHash<QString, int> others;
    for (size_t i = 0; i < m_entries.size(); ++i) {
        if (!m_entries[i].removed && m_entries[i].owner != 0)
            others.insert(flowName(m_entries[i].owner, m_entries[i].bare), int(i));
    }
    for (size_t i = 0; i < m_entries.size() && !others.isEmpty(); ++i) {
        const Entry &e = m_entries[i];
        if (e.removed || e.owner != 0)
            continue;
        const auto o = others.constFind(qualified(e));
        if (o != others.constEnd()) {
            const Entry &x = m_entries[size_t(*o)];
            m_err->add(e.decl.task.line, QStringLiteral("task '%1' of package '%2' and task '%3' of package '%4' are both named '%5'; rename one")
                                             .arg(e.bare, m_pkgs[0]->name, x.bare, m_pkgs[size_t(x.owner)]->name, qualified(e)));
        }
    }
    // The root's tasks first, then each package's, in the order loaded.
    for (size_t k = 0; k < m_pkgs.size(); ++k) {
        for (size_t i = 0; i < m_entries.size(); ++i) {
            Entry &e = m_entries[i];
            if (e.removed || e.owner != int(k))
                continue;
            e.decl.task.name = flowName(e.owner, e.bare);
            if (e.owner != 0 || !e.decl.task.package().isEmpty())
                e.decl.task.editMore().package = e.owner == 0 ? QString() : m_pkgs[size_t(e.owner)]->name;
            e.decl.pkg = e.scope;
            out.push_back(std::move(e.decl));
        }
    }
}

} // namespace

void flattenPackages(const std::vector<PackageDecl *> &pkgs, const QHash<QString, int> &byName, Errors *errors,
                     const TypeIndex *types)
{
    Flattener(pkgs, byName, errors, types).run();
}

} // namespace dfm::flow
