// `configs:`: a configuration is an overlay on its package, applied before
// elaboration: its `with:` values replace the package's parameters, its
// tasks join the package (an `override:` task replaces the one it names),
// and its overrides, imports and fragments are added. `uses:` applies a
// base configuration first. The root package's is chosen by `-c`, else the
// one named `default`, as the Python dfm does.

#include "flow/decl.h"

#include "spellcheck.h"

namespace dfm::flow {

namespace {

/// A configuration's parameter over the package's: a value without a type
/// keeps the package's type.
void mergeParam(std::vector<ParamDecl> *params, const ParamDecl &p)
{
    for (ParamDecl &own : *params) {
        if (own.name != p.name)
            continue;
        if (p.typed && p.type.isEmpty()) {
            own.value = p.value;
            own.line = p.line;
        } else {
            own = p;
        }
        return;
    }
    params->push_back(p);
}

} // namespace

bool applyConfig(PackageDecl *pkg, const QString &name, bool explicitly, int loc, Errors *errors)
{
    const auto find = [pkg](const QString &n) -> const ConfigDecl * {
        for (const ConfigDecl &c : pkg->configs) {
            if (c.name == n)
                return &c;
        }
        return nullptr;
    };
    const ConfigDecl *cfg = find(name);
    if (!cfg) {
        if (!explicitly)
            return false;
        QStringList names;
        for (const ConfigDecl &c : pkg->configs)
            names << c.name;
        const QString close = closestMatch(name, names);
        const QString hint = !close.isEmpty() ? QStringLiteral("; did you mean '%1'?").arg(close)
                             : names.isEmpty() ? QStringLiteral(" (it has none)")
                                               : QStringLiteral(" (configurations: %1)").arg(names.join(QStringLiteral(", ")));
        const QString msg = QStringLiteral("package '%1' has no configuration '%2'%3").arg(pkg->name, name, hint);
        if (loc < 0)
            errors->addPlain(QStringLiteral("-c %1: %2").arg(name, msg));
        else
            errors->add(loc, msg);
        return false;
    }
    // The chain of `uses:`, base first.
    std::vector<const ConfigDecl *> chain{cfg};
    while (!chain.back()->uses.isEmpty()) {
        const ConfigDecl *base = find(chain.back()->uses);
        if (!base) {
            errors->add(chain.back()->line, QStringLiteral("config '%1' uses '%2', which is not a configuration of package '%3'")
                                                .arg(chain.back()->name, chain.back()->uses, pkg->name));
            return false;
        }
        if (std::find(chain.begin(), chain.end(), base) != chain.end()) {
            errors->add(chain.back()->line, QStringLiteral("config '%1' uses '%2', which closes a `uses:` cycle")
                                                .arg(chain.back()->name, base->name));
            return false;
        }
        chain.push_back(base);
    }
    // Copies first: the package's vectors grow below.
    std::vector<ConfigDecl> apply;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it)
        apply.push_back(**it);
    for (ConfigDecl &c : apply) {
        for (const ParamDecl &p : c.params)
            mergeParam(&pkg->params, p);
        for (TaskDecl &t : c.tasks)
            pkg->tasks.push_back(std::move(t));
        for (const OverrideDecl &o : c.overrides)
            pkg->overrides.push_back(o);
        for (ImportDecl &i : c.imports) {
            i.baseDir = pkg->dir;
            pkg->imports.push_back(i);
        }
        for (FragmentRef &f : c.fragments) {
            f.baseDir = pkg->dir;
            pkg->fragments.push_back(f);
        }
        for (TypeDecl &t : c.types) {
            if (!t.override.isEmpty()) { // replaces the package's type of that name
                auto &types = pkg->types;
                types.erase(std::remove_if(types.begin(), types.end(), [&](const TypeDecl &x) { return x.name == t.override; }),
                            types.end());
            }
            pkg->types.push_back(std::move(t));
        }
        for (ExtendDecl &e : c.extensions)
            pkg->extensions.push_back(std::move(e));
    }
    return true;
}

} // namespace dfm::flow
