// Package scopes: -D overrides sorted to the package, an imported package
// or a task; each package's parameters evaluated; and the table through
// which any task reads another package's parameters (`PKG.NAME`, or an
// import alias).

#include "flow/elaborator.h"
#include "flow/yamlvalue.h"

#include "spellcheck.h"

namespace dfm::flow {

void Elaborator::applyDefines()
{
    for (const QString &d : m_opt.defines) {
        const qsizetype eq = d.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            m_err->addPlain(QStringLiteral("-D %1: expected NAME=VALUE").arg(d));
            continue;
        }
        QString name = d.left(eq).trimmed();
        const QJsonValue value = scalarToJson(d.mid(eq + 1));
        const QString prefix = m_pkg.name + QLatin1Char('.');
        if (!m_pkg.imported.empty() && name.startsWith(prefix) && importedDefine(name, value))
            continue; // a package named like the root's prefix (`top.sub` beside `top`)
        if (name.startsWith(prefix))
            name = name.mid(prefix.size());
        bool isPkgParam = false;
        QStringList known;
        for (const ParamDecl &p : m_pkg.params) {
            known << p.name;
            isPkgParam = isPkgParam || p.name == name;
        }
        if (isPkgParam) {
            m_pkgDefines.insert(name, value);
            continue;
        }
        if (!m_pkg.imported.empty() && importedDefine(name, value))
            continue;
        const qsizetype dot = name.lastIndexOf(QLatin1Char('.'));
        if (dot > 0 && m_byName.contains(name.left(dot))) {
            m_taskDefines[name.left(dot)].insert(name.mid(dot + 1), value);
            continue;
        }
        const QString close = closestMatch(name, known);
        m_err->addPlain(QStringLiteral("-D %1: package '%2' has no parameter '%1'%3").arg(name, m_pkg.name,
                            close.isEmpty() ? (known.isEmpty() ? QStringLiteral(" (it has none)")
                                                               : QStringLiteral(" (parameters: %1)").arg(known.join(QStringLiteral(", "))))
                                            : QStringLiteral("; did you mean '%1'?").arg(close)));
    }
}

bool Elaborator::importedDefine(const QString &name, const QJsonValue &value)
{
    for (const PackageDecl &p : m_pkg.imported) {
        if (name.size() <= p.name.size() + 1 || !name.startsWith(p.name) || name.at(p.name.size()) != QLatin1Char('.'))
            continue;
        const QString param = name.mid(p.name.size() + 1);
        for (const ParamDecl &d : p.params) {
            if (d.name == param) {
                m_importDefines[p.name].insert(param, value);
                return true;
            }
        }
    }
    return false;
}

void Elaborator::packageParams()
{
    std::vector<ParamDecl> decls = m_pkg.params;
    for (ParamDecl &d : decls) {
        const auto it = m_pkgDefines.constFind(d.name);
        if (it != m_pkgDefines.constEnd())
            d.value = *it;
    }
    Scope scope;
    scope.builtins = &m_builtins;
    Params p;
    evalParams(decls, scope, &p, "package", m_pkg.name);
    m_flow->params = p.values;
    // Imported packages: each with its own -D PKG.NAME.
    m_pkgParams.resize(m_pkg.imported.size() + 1);
    for (size_t k = 0; k < m_pkg.imported.size(); ++k) {
        const PackageDecl &ip = m_pkg.imported[k];
        std::vector<ParamDecl> ds = ip.params;
        const QHash<QString, QJsonValue> defs = m_importDefines.value(ip.name);
        for (ParamDecl &d : ds) {
            const auto it = defs.constFind(d.name);
            if (it != defs.constEnd())
                d.value = *it;
        }
        Params ipv;
        evalParams(ds, scope, &ipv, "package", ip.name);
        m_pkgParams[k + 1] = ipv.values;
    }
    packageScopes();
}

void Elaborator::packageScopes()
{
    // PKG.NAME for every package; a dotted package name nests (vendor.ip -> vendor: {ip: ...}).
    QJsonObject all;
    for (size_t k = 0; k <= m_pkg.imported.size(); ++k) {
        const QStringList parts = pkgNameOf(int(k)).split(QLatin1Char('.'));
        std::vector<QJsonObject> path{all};
        for (qsizetype i = 0; i + 1 < parts.size(); ++i)
            path.push_back(path.back().value(parts[i]).toObject());
        QJsonObject leaf = path.back().value(parts.last()).toObject();
        const QJsonObject &params = pkgParamsOf(int(k));
        for (auto it = params.begin(); it != params.end(); ++it)
            leaf.insert(it.key(), it.value());
        path.back().insert(parts.last(), leaf);
        for (qsizetype i = parts.size() - 2; i >= 0; --i)
            path[size_t(i)].insert(parts[i], path[size_t(i) + 1]);
        all = path[0];
    }
    m_pkgScopes.assign(m_pkg.imported.size() + 1, all);
    for (size_t k = 0; k <= m_pkg.imported.size(); ++k) {
        const QHash<QString, QString> &aliases = k == 0 ? m_pkg.aliases : m_pkg.imported[k - 1].aliases;
        for (auto it = aliases.begin(); it != aliases.end(); ++it) {
            for (size_t j = 0; j <= m_pkg.imported.size(); ++j) {
                if (pkgNameOf(int(j)) == it.value())
                    m_pkgScopes[k].insert(it.key(), pkgParamsOf(int(j)));
            }
        }
    }
}

} // namespace dfm::flow
