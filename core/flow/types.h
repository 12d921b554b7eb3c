#pragma once
// Data types (`types:`) of the packages of a flow, the standard library's
// among them, and the checks that use them: a tag names a type derived from
// std.Tag and sets only its parameters; a tag whose type derives from
// std.ResourceTag gives the task its resources; a task may `uses:` a data
// type, taking its parameters. Internal to core/flow/.

#include "flow/decl.h"

#include <memory>

namespace dfm::flow {

/// One type, resolved: its base and parameters.
struct TypeInfo {
    QString name;                  /* qualified: PKG.NAME, std.NAME */
    int pkg = -1;                  /* its package; -1: the standard library */
    const TypeDecl *decl = nullptr; /* null for a standard type */
    const TypeInfo *base = nullptr;
    QStringList stdParams;         /* a standard type's parameter names */
    bool broken = false;           /* its base could not be resolved */
};

/// The types of every package of a load, by name.
class TypeIndex {
public:
    /// Indexes the types of pkgs (pkgs[0] the root) and resolves their
    /// bases, reporting unknown bases and cycles to *errors.
    TypeIndex(const std::vector<PackageDecl *> &pkgs, Errors *errors);
    /// The type `ref` names when written in package k: the package's own
    /// (bare or PKG.NAME), another package's PKG.NAME (or ALIAS.NAME), or
    /// std.NAME. Null when none.
    const TypeInfo *find(int k, const QString &ref) const;
    /// True when t is `base` or derives from it.
    static bool derives(const TypeInfo *t, const QString &base);
    /// Every parameter name of t and its bases.
    static QStringList paramNames(const TypeInfo *t);
    /// The declared parameters of t's chain, base first (standard types
    /// declare theirs by name only and add none).
    static std::vector<ParamDecl> params(const TypeInfo *t);
    bool empty() const { return m_user.empty(); }
    /// The names of the types known from package k, for "did you mean".
    QStringList names(int k) const;

private:
    const std::vector<PackageDecl *> &m_pkgs;
    std::vector<std::unique_ptr<TypeInfo>> m_user;
    QHash<QString, const TypeInfo *> m_byQualified; /* PKG.NAME -> type */
};

/// The standard library's type NAME (without `std.`); null when none.
const TypeInfo *findStdType(const QString &name);

/// Checks the tags of every task in `tasks` (each task's `pkg` the package
/// it was written in) and of each package against the types; a tag whose
/// type derives from std.ResourceTag sets the task's resources.
void checkTags(const TypeIndex &types, const std::vector<PackageDecl *> &pkgs, std::vector<TaskDecl> *tasks,
               Errors *errors);

} // namespace dfm::flow
