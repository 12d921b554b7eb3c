// Loading the packages of a flow: the root file's fragments, its
// configuration and its imports (recursively, each file once), then one
// list of tasks with every name and reference resolved to the flow's names:
// bare for the root package's tasks, PKG.NAME for another package's. Paths
// resolve as the Python dfm resolves them: relative to the listing file,
// then to the root package's directory; a directory means the flow file in
// it, else the first found below it.

#include "flow/decl.h"
#include "flow/expr.h"
#include "flow/types.h"

#include "spellcheck.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QRegularExpression>

#include <memory>

namespace dfm::flow {

namespace {

const QStringList &flowNames()
{
    static const QStringList n{QStringLiteral("flow.dv"), QStringLiteral("flow.yaml"), QStringLiteral("flow.yml")};
    return n;
}

constexpr int kMaxDirDepth = 32;

/// The first flow file below `dir`, top-down, directories sorted; symlinked
/// directories are not followed.
QString findFlowBelow(const QString &dir, int depth)
{
    if (depth > kMaxDirDepth)
        return QString();
    const QFileInfoList subs = QDir(dir).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::NoSymLinks, QDir::Name);
    for (const QFileInfo &sub : subs) {
        for (const QString &n : flowNames()) {
            const QString f = sub.absoluteFilePath() + QLatin1Char('/') + n;
            if (QFileInfo(f).isFile())
                return f;
        }
        const QString deeper = findFlowBelow(sub.absoluteFilePath(), depth + 1);
        if (!deeper.isEmpty())
            return deeper;
    }
    return QString();
}

/// The flow file `path` names: itself, the flow file in it, or one below it.
QString flowFileOf(const QString &path)
{
    const QFileInfo fi(path);
    if (fi.isFile())
        return fi.absoluteFilePath();
    if (!fi.isDir())
        return QString();
    for (const QString &n : flowNames()) {
        const QString f = fi.absoluteFilePath() + QLatin1Char('/') + n;
        if (QFileInfo(f).isFile())
            return f;
    }
    return findFlowBelow(fi.absoluteFilePath(), 0);
}

/// Every flow file in `dir` and below, sorted (a fragment directory).
void flowFilesIn(const QString &dir, QStringList *out, int depth)
{
    if (depth > kMaxDirDepth)
        return;
    for (const QString &n : flowNames()) {
        const QString f = dir + QLatin1Char('/') + n;
        if (QFileInfo(f).isFile())
            *out << f;
    }
    const QFileInfoList subs = QDir(dir).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::NoSymLinks, QDir::Name);
    for (const QFileInfo &sub : subs)
        flowFilesIn(sub.absoluteFilePath(), out, depth + 1);
}

class SetLoader {
public:
    SetLoader(const FlowOptions &options, Errors *errors) : m_opt(options), m_err(errors) {}
    void run(PackageDecl *root);

private:
    void complete(int k, const QString &config, bool explicitly, int loc);
    void fragments(int k, size_t from, QStringList *chain);
    void fragment(int k, const FragmentRef &ref, const QString &ns, QStringList *chain);
    void loadFragment(int k, const QString &file, int loc, bool listed, const QString &ns, QStringList *chain);
    void importOne(int k, const ImportDecl &imp);
    bool expandPath(int k, const ImportDecl &imp, QString *path);
    void checkNamedImports();
    void resolveBases();
    int baseOf(int k, std::vector<int> *state);

    const FlowOptions &m_opt;
    Errors *m_err;
    std::vector<std::unique_ptr<PackageDecl>> m_pkgs; /* 0: the root */
    QHash<QString, int> m_byPath;                     /* canonical file -> package */
    QHash<QString, int> m_byName;                     /* package name -> package */
    QStringList m_loading;                            /* files being imported, for cycles */
    struct Named { int from; ImportDecl imp; };
    std::vector<Named> m_named;                       /* by-name imports, checked at the end */
};

void SetLoader::run(PackageDecl *root)
{
    m_pkgs.push_back(std::make_unique<PackageDecl>(std::move(*root)));
    PackageDecl &r = *m_pkgs[0];
    m_byName.insert(r.name, 0);
    const QString canonical = QFileInfo(r.file).canonicalFilePath();
    m_byPath.insert(canonical.isEmpty() ? r.file : canonical, 0);
    m_loading << (canonical.isEmpty() ? r.file : canonical);
    complete(0, m_opt.config.isEmpty() ? QStringLiteral("default") : m_opt.config, !m_opt.config.isEmpty(), -1);
    m_loading.clear();
    checkNamedImports();
    resolveBases();
    std::vector<PackageDecl *> pkgs;
    for (auto &p : m_pkgs)
        pkgs.push_back(p.get());
    const TypeIndex types(pkgs, m_err);
    flattenPackages(pkgs, m_byName, m_err, &types);
    checkTags(types, pkgs, &pkgs[0]->tasks, m_err);
    *root = std::move(*m_pkgs[0]);
    for (size_t k = 1; k < m_pkgs.size(); ++k)
        root->imported.push_back(std::move(*m_pkgs[k]));
}

void SetLoader::complete(int k, const QString &config, bool explicitly, int loc)
{
    PackageDecl &p = *m_pkgs[size_t(k)];
    for (ImportDecl &i : p.imports)
        if (i.baseDir.isEmpty())
            i.baseDir = p.dir;
    for (FragmentRef &f : p.fragments)
        if (f.baseDir.isEmpty())
            f.baseDir = p.dir;
    if (k > 0) {
        for (TaskDecl &t : p.tasks)
            t.task.editMore().srcdir = p.dir;
    }
    QStringList chain{QFileInfo(p.file).canonicalFilePath()};
    fragments(k, 0, &chain);
    const size_t before = p.fragments.size();
    if (applyConfig(&p, config, explicitly, loc, m_err)) {
        for (size_t i = 0; i < p.tasks.size(); ++i)
            if (p.tasks[i].task.srcdir().isEmpty() && k > 0)
                p.tasks[i].task.editMore().srcdir = p.dir;
        fragments(k, before, &chain);
    }
    const std::vector<ImportDecl> imports = p.imports; // p's vectors may grow while importing
    for (const ImportDecl &imp : imports)
        importOne(k, imp);
}

void SetLoader::fragments(int k, size_t from, QStringList *chain)
{
    // By index: the package's list may grow meanwhile.
    for (size_t i = from; i < m_pkgs[size_t(k)]->fragments.size(); ++i)
        fragment(k, m_pkgs[size_t(k)]->fragments[i], QString(), chain);
}

void SetLoader::fragment(int k, const FragmentRef &ref, const QString &ns, QStringList *chain)
{
    const QString path = QDir::cleanPath(QDir(ref.baseDir).absoluteFilePath(ref.path));
    const QFileInfo fi(path);
    if (fi.isFile()) {
        loadFragment(k, fi.absoluteFilePath(), ref.line, true, ns, chain);
    } else if (fi.isDir()) {
        QStringList files;
        flowFilesIn(fi.absoluteFilePath(), &files, 0);
        for (const QString &f : files)
            loadFragment(k, f, ref.line, false, ns, chain);
    } else {
        m_err->add(ref.line, QStringLiteral("fragment '%1' not found: no file or directory %2").arg(ref.path, path));
    }
}

void SetLoader::loadFragment(int k, const QString &file, int loc, bool listed, const QString &outer, QStringList *chain)
{
    const QString canonical = QFileInfo(file).canonicalFilePath();
    if (chain->contains(canonical)) {
        m_err->add(loc, QStringLiteral("fragment %1 includes itself: %2 -> %1").arg(canonical, chain->join(QStringLiteral(" -> "))));
        return;
    }
    PackageDecl frag;
    if (!readPackageFile(file, &frag, m_err, loc))
        return;
    if (!frag.fragment) {
        if (listed)
            m_err->add(loc, QStringLiteral("%1 holds a package, not a fragment; list it under `imports:`").arg(file));
        return; // found in a fragment directory: another package's file (the Python dfm skips it too)
    }
    // A named fragment is a namespace: its tasks are NS.NAME in the package.
    const QString ns = frag.name.isEmpty() ? outer : outer.isEmpty() ? frag.name : outer + QLatin1Char('.') + frag.name;
    PackageDecl &p = *m_pkgs[size_t(k)];
    for (TaskDecl &t : frag.tasks) {
        t.task.editMore().srcdir = frag.dir;
        if (!ns.isEmpty()) {
            t.ns = ns;
            t.task.name = ns + QLatin1Char('.') + t.task.name;
        }
        p.tasks.push_back(std::move(t));
    }
    for (ParamDecl &d : frag.params)
        p.params.push_back(d);
    for (TypeDecl &t : frag.types) {
        if (!ns.isEmpty())
            t.name = ns + QLatin1Char('.') + t.name;
        p.types.push_back(std::move(t));
    }
    for (ImportDecl &i : frag.imports) {
        i.baseDir = frag.dir;
        p.imports.push_back(i);
    }
    chain->append(canonical);
    for (FragmentRef &f : frag.fragments) {
        f.baseDir = frag.dir;
        fragment(k, f, ns, chain);
    }
    chain->removeLast();
}

void SetLoader::importOne(int k, const ImportDecl &imp)
{
    if (imp.path.isEmpty() || imp.path == QLatin1String("std")) {
        if (imp.name != QLatin1String("std") && imp.path != QLatin1String("std"))
            m_named.push_back(Named{k, imp});
        return;
    }
    QString path = imp.path;
    if (hasExpr(path) && !expandPath(k, imp, &path))
        return;
    QStringList tried;
    QString file;
    const QStringList bases = QDir::isAbsolutePath(path) ? QStringList{QString()}
                                                         : QStringList{imp.baseDir, m_pkgs[0]->dir};
    for (const QString &b : bases) {
        const QString candidate = b.isEmpty() ? path : QDir::cleanPath(b + QLatin1Char('/') + path);
        if (tried.contains(candidate))
            continue;
        tried << candidate;
        file = flowFileOf(candidate);
        if (!file.isEmpty())
            break;
    }
    if (file.isEmpty()) {
        static const QRegularExpression pkgName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_.]*$"));
        if (imp.name.isEmpty() && path == imp.path && pkgName.match(imp.path).hasMatch() && !imp.path.contains(QLatin1String(".dv"))
            && !imp.path.endsWith(QLatin1String(".yaml")) && !imp.path.endsWith(QLatin1String(".yml"))) {
            ImportDecl named = imp; // a package by name
            named.name = imp.path;
            named.path.clear();
            m_named.push_back(Named{k, named});
            return;
        }
        m_err->add(imp.line, QStringLiteral("import '%1' not found (looked for %2)").arg(imp.path, tried.join(QStringLiteral(" and "))));
        return;
    }
    QString canonical = QFileInfo(file).canonicalFilePath();
    int idx = m_byPath.value(canonical, -1);
    if (idx < 0) {
        if (m_loading.contains(canonical)) {
            m_err->add(imp.line, QStringLiteral("import '%1' closes an import cycle: %2 -> %3")
                                     .arg(imp.path, m_loading.join(QStringLiteral(" -> ")), canonical));
            return;
        }
        auto pkg = std::make_unique<PackageDecl>();
        if (!readPackageFile(file, pkg.get(), m_err, imp.line))
            return;
        if (pkg->fragment) {
            m_err->add(imp.line, QStringLiteral("import '%1': %2 holds a fragment, not a package; list it under `fragments:`").arg(imp.path, file));
            return;
        }
        if (pkg->name.isEmpty())
            return; // its own error was reported
        const auto other = m_byName.constFind(pkg->name);
        if (other != m_byName.constEnd()) {
            m_err->add(imp.line, QStringLiteral("import '%1': package '%2' is loaded from both %3 and %4")
                                     .arg(imp.path, pkg->name, m_pkgs[size_t(*other)]->file, file));
            return;
        }
        idx = int(m_pkgs.size());
        m_byName.insert(pkg->name, idx);
        m_byPath.insert(canonical, idx);
        m_pkgs.push_back(std::move(pkg));
        m_loading << canonical;
        complete(idx, imp.config.isEmpty() ? QStringLiteral("default") : imp.config, !imp.config.isEmpty(), imp.line);
        m_loading.removeLast();
    }
    const QString &name = m_pkgs[size_t(idx)]->name;
    if (!imp.name.isEmpty() && imp.name != name) {
        m_err->add(imp.line, QStringLiteral("import '%1': %2 holds package '%3', not '%4'").arg(imp.path, file, name, imp.name));
        return;
    }
    if (!imp.alias.isEmpty()) {
        QHash<QString, QString> &aliases = m_pkgs[size_t(k)]->aliases;
        const auto a = aliases.constFind(imp.alias);
        if (a != aliases.constEnd() && *a != name) {
            m_err->add(imp.line, QStringLiteral("import alias '%1' names both '%2' and '%3'").arg(imp.alias, *a, name));
            return;
        }
        aliases.insert(imp.alias, name);
    }
}

/// Names an import path may use, as the Python dfm allows there: `env.X`,
/// `rootdir`, `srcdir` (the listing file's directory) and the importing
/// package's parameters whose values are written out (no expression).
class ImportScope : public ExprScope {
public:
    QJsonObject vars;
    bool lookup(const QString &name, QJsonValue *value) const override
    {
        const auto it = vars.constFind(name);
        if (it == vars.constEnd())
            return false;
        *value = *it;
        return true;
    }
    QStringList names() const override { return vars.keys(); }
};

bool SetLoader::expandPath(int k, const ImportDecl &imp, QString *path)
{
    ImportScope scope;
    for (const ParamDecl &p : m_pkgs[size_t(k)]->params) {
        const QJsonValue v = p.value;
        if (!v.isUndefined() && !(v.isString() && hasExpr(v.toString())))
            scope.vars.insert(p.name, v);
    }
    QJsonObject env;
    if (m_opt.env.isEmpty()) {
        const QProcessEnvironment pe = QProcessEnvironment::systemEnvironment();
        for (const QString &key : pe.keys())
            env.insert(key, pe.value(key));
    } else {
        for (auto it = m_opt.env.begin(); it != m_opt.env.end(); ++it)
            env.insert(it.key(), it.value());
    }
    scope.vars.insert(QStringLiteral("env"), env);
    scope.vars.insert(QStringLiteral("rootdir"), m_pkgs[0]->dir);
    scope.vars.insert(QStringLiteral("srcdir"), imp.baseDir);
    QJsonValue out;
    QString err;
    if (!expandText(imp.path, scope, &out, &err)) {
        m_err->add(imp.line, QStringLiteral("import '%1': %2").arg(imp.path, err));
        return false;
    }
    *path = valueText(out).trimmed();
    if (path->isEmpty()) {
        m_err->add(imp.line, QStringLiteral("import '%1': the path is empty once expanded").arg(imp.path));
        return false;
    }
    return true;
}

int SetLoader::baseOf(int k, std::vector<int> *state)
{
    // state: 0 not seen, 1 on the chain being followed, 2 done
    PackageDecl &p = *m_pkgs[size_t(k)];
    if ((*state)[size_t(k)] == 2 || p.uses.isEmpty())
        return p.base;
    if ((*state)[size_t(k)] == 1) {
        m_err->add(p.usesLine, QStringLiteral("package '%1' uses '%2', which closes a package `uses:` cycle").arg(p.name, p.uses));
        p.uses.clear();
        return -1;
    }
    (*state)[size_t(k)] = 1;
    QString name = p.aliases.value(p.uses, p.uses);
    const auto it = m_byName.constFind(name);
    const bool self = it != m_byName.constEnd() && *it == k;
    if (it == m_byName.constEnd() || self) {
        m_err->add(p.usesLine, self
                                   ? QStringLiteral("package '%1' uses itself").arg(p.name)
                                   : QStringLiteral("package '%1' uses '%2', which is not imported; list its flow file under `imports:`").arg(p.name, p.uses));
        (*state)[size_t(k)] = 2;
        return -1;
    }
    const int b = *it;
    baseOf(b, state); // its own base first: its parameters are complete
    if ((*state)[size_t(k)] == 2)
        return p.base; // a cycle through k was reported
    for (size_t j = 0; j < m_pkgs.size(); ++j) {
        if (int(j) != k && m_pkgs[j]->base == b) {
            m_err->add(p.usesLine, QStringLiteral("package '%1' uses '%2', which package '%3' uses too; this dfm lets one package "
                                                  "derive from a base (not supported yet: several)").arg(p.name, p.uses, m_pkgs[j]->name));
            (*state)[size_t(k)] = 2;
            return -1;
        }
    }
    // The base's parameters, then the package's own over them (an untyped
    // value keeps the base's type).
    std::vector<ParamDecl> params = m_pkgs[size_t(b)]->params;
    for (const ParamDecl &own : p.params) {
        auto same = std::find_if(params.begin(), params.end(), [&](const ParamDecl &x) { return x.name == own.name; });
        if (same == params.end()) {
            params.push_back(own);
        } else if (!own.typed) {
            same->value = own.value;
            same->line = own.line;
        } else {
            *same = own;
        }
    }
    p.params = std::move(params);
    for (auto a = m_pkgs[size_t(b)]->aliases.begin(); a != m_pkgs[size_t(b)]->aliases.end(); ++a) {
        if (!p.aliases.contains(a.key()))
            p.aliases.insert(a.key(), a.value());
    }
    p.base = b;
    (*state)[size_t(k)] = 2;
    return b;
}

void SetLoader::resolveBases()
{
    std::vector<int> state(m_pkgs.size(), 0);
    for (size_t k = 0; k < m_pkgs.size(); ++k)
        baseOf(int(k), &state);
}

void SetLoader::checkNamedImports()
{
    for (const Named &n : m_named) {
        const auto it = m_byName.constFind(n.imp.name);
        if (it == m_byName.constEnd()) {
            m_err->add(n.imp.line, QStringLiteral("import '%1': no package '%1' is loaded; this dfm imports packages by path "
                                                  "(give `from: PATH`), and has only `std` built in").arg(n.imp.name));
            continue;
        }
        if (!n.imp.alias.isEmpty())
            m_pkgs[size_t(n.from)]->aliases.insert(n.imp.alias, n.imp.name);
    }
}

bool hasTags(const TaskDecl &t)
{
    if (!t.tags.empty())
        return true;
    for (const TaskDecl &b : t.body) {
        if (hasTags(b))
            return true;
    }
    return false;
}

} // namespace

void loadPackageSet(PackageDecl *root, const FlowOptions &options, Errors *errors)
{
    if (root->imports.empty() && root->fragments.empty() && root->configs.empty() && root->overrides.empty()
        && root->types.empty() && root->tags.empty() && root->uses.isEmpty()) {
        bool overrides = false;
        for (const TaskDecl &t : root->tasks)
            overrides = overrides || !t.override.isEmpty() || !t.feeds.empty() || hasTags(t);
        if (!overrides) {
            if (!options.config.isEmpty())
                applyConfig(root, options.config, true, -1, errors); // reports that there is none
            return;
        }
    }
    SetLoader(options, errors).run(root);
}

} // namespace dfm::flow
