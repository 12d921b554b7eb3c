#pragma once
// What the loader reads from a flow file before elaboration: tasks and
// parameters as written, with their lines. Internal to core/flow/.

#include "flow.h"

#include <QHash>
#include <QJsonValue>
#include <QSet>

#include <algorithm>
#include <utility>
#include <vector>

namespace dfm::flow {

class TypeIndex;

/// One parameter as declared: `name: VALUE` or `name: {type:, value:}`.
struct ParamDecl {
    QString name;
    QString type;     /* "" when untyped; str, int, bool, float, list, map */
    QJsonValue value = QJsonValue(QJsonValue::Undefined); /* as written (undefined: none); strings may hold ${{ }} */
    bool typed = false;
    int line = 0;
};

/// One tag of a task or package as written: a type name and the values
/// it sets (`- my.Tag: {k: v}`). Checked against `types:` (core/flow/types.cpp).
struct TagRef {
    QString type;
    int line = 0;
    std::vector<std::pair<QString, QJsonValue>> with; /* in file order */
    std::vector<int> withLines;
};

/// One task as written. Fields left empty inherit from `uses:`.
struct TaskDecl {
    FlowTask task;                 /* name, line, desc, needs, resources filled by the reader */
    bool hasRun = false, hasShell = false, hasConsumes = false, hasPassthrough = false, hasRundir = false;
    bool hasTimeout = false;
    int usesLine = 0;
    int runLine = 0;
    std::vector<ParamDecl> params; /* with:, in file order */
    std::vector<std::pair<QString, int>> needs; /* as written, with lines */
    QJsonValue iff = QJsonValue(QJsonValue::Undefined); /* undefined when absent */
    int iffLine = 0;
    bool broken = false;           /* an error was reported; elaboration skips it */
    QString override;              /* override: the task it replaces, as written ("" when none) */
    int overrideLine = 0;
    int pkg = 0;                   /* its package: 0 the root, k PackageDecl::imported[k - 1] */
    QString ns;                    /* a named fragment's namespace (its name is NS.NAME); "" when none */
    std::vector<std::pair<QString, int>> feeds; /* feeds: tasks that need this one, with lines */
    // Compound tasks (core/flow/compound.cpp) and strategy.matrix (matrix.cpp):
    std::vector<TaskDecl> body;    /* body: / tasks:, in file order; empty for a leaf task */
    int bodyLine = 0;
    int maxFailures = -1;          /* max_failures: failures in the body before the rest is skipped; -1 = no limit */
    bool hasMaxFailures = false;
    std::vector<std::pair<QString, QJsonValue>> matrix; /* strategy.matrix: axis -> values as written, in file order */
    int strategyLine = 0;
    std::vector<TagRef> tags;      /* tags: other than std.ResourceTag (read into task.resources) */
    bool hasDesc = false, hasIff = false;
};

/// One entry of `types:` (a data type; core/flow/types.cpp).
struct TypeDecl {
    QString name;                  /* NS.NAME in a named fragment */
    QString uses;                  /* its base type as written; "" when none */
    QString override;              /* a configuration's `override:` of a type */
    int line = 0;
    int usesLine = 0;
    std::vector<ParamDecl> params; /* with: */
    std::vector<TagRef> tags;
};

/// One entry of a configuration's `extensions:`: more parameters and
/// needs for an existing task.
struct ExtendDecl {
    QString task;
    int line = 0;
    std::vector<ParamDecl> params;
    std::vector<std::pair<QString, int>> needs;
};

/// One entry of `imports:`: a path, or a package by name (`std`), or
/// `{name, from, as, config}`.
struct ImportDecl {
    QString path;    /* a file or directory as written; "" for a by-name import */
    QString name;    /* the package's name when given */
    QString alias;   /* as: */
    QString config;  /* config: the imported package's configuration */
    QString baseDir; /* the directory of the file that lists it */
    int line = 0;
};

/// One entry of `fragments:`.
struct FragmentRef {
    QString path;
    QString baseDir;
    int line = 0;
};

/// `overrides:`: every reference to `target` runs `with` instead, or the
/// task defined inline (`inlineTask`, one at most).
struct OverrideDecl {
    QString target;
    QString with;
    int line = 0;
    std::vector<TaskDecl> inlineTask;
};

/// One entry of `configs:` as written.
struct ConfigDecl {
    QString name;
    QString uses;
    int line = 0;
    std::vector<ParamDecl> params;
    std::vector<TaskDecl> tasks;
    std::vector<OverrideDecl> overrides;
    std::vector<ImportDecl> imports;
    std::vector<FragmentRef> fragments;
    std::vector<TypeDecl> types;
    std::vector<ExtendDecl> extensions;
};

/// The package as written. After loadPackageSet() `tasks` holds the tasks
/// of every package loaded (imported ones named PKG.NAME) and `imported`
/// the other packages' names and parameters.
struct PackageDecl {
    QString name;
    int line = 0;
    bool fragment = false;         /* read from a `fragment:` file */
    QString file, dir;             /* absolute; dir holds file */
    std::vector<ParamDecl> params;
    std::vector<TaskDecl> tasks;
    std::vector<ImportDecl> imports;
    std::vector<FragmentRef> fragments;
    std::vector<ConfigDecl> configs;
    std::vector<OverrideDecl> overrides;
    std::vector<TypeDecl> types;
    std::vector<TagRef> tags;               /* the package's own tags */
    std::vector<ExtendDecl> extensions;     /* from its configuration */
    QString uses;                           /* the base package (package inheritance); "" when none */
    int usesLine = 0;
    int base = -1;                          /* the base package's index in the load (loadPackageSet); -1: none */
    std::vector<PackageDecl> imported;      /* other packages (tasks moved into the root's) */
    QHash<QString, QString> aliases;        /* as: alias -> package name */
};

/// Lines of a load's other files are "locations": the line plus the
/// file's base (a multiple of this); the root file's base is 0.
constexpr int kFileStride = 1 << 20;

/// Collects errors as "FILE:LINE: message", every one of a load.
class Errors {
public:
    explicit Errors(const QString &file) : m_file(file) {}
    /// A location at `line` of `file`, which gets a base of its own the
    /// first time; -1 when a load has too many files.
    int base(const QString &file)
    {
        if (file == m_file)
            return 0;
        const qsizetype i = m_files.indexOf(file);
        if (i >= 0)
            return int(i + 1) * kFileStride;
        if (m_files.size() >= 2000)
            return -1;
        m_files << file;
        return int(m_files.size()) * kFileStride;
    }
    /// The file of a location.
    QString fileOf(int loc) const
    {
        const int k = loc / kFileStride;
        return k <= 0 || k > m_files.size() ? m_file : m_files[k - 1];
    }
    void add(int loc, const QString &msg)
    {
        QString e = QStringLiteral("%1:%2: %3").arg(fileOf(loc)).arg(loc % kFileStride).arg(msg);
        if (!m_seen.contains(e)) { // the same error twice (a body expanded more than once) is kept once
            m_seen.insert(e);
            m_list.emplace_back(loc, std::move(e));
        }
    }
    /// A warning (the load goes on): "FILE:LINE: warning: message".
    void warn(int loc, const QString &msg)
    {
        m_warnings << QStringLiteral("%1:%2: warning: %3").arg(fileOf(loc)).arg(loc % kFileStride).arg(msg);
    }
    const QStringList &warnings() const { return m_warnings; }
    /// An error not tied to a line of the file (a -D option).
    void addPlain(const QString &msg) { m_list.emplace_back(-1, msg); }
    bool any() const { return !m_list.empty(); }
    /// Every error, in the order of the files and lines they are at (the
    /// root file first, then the others as they were loaded).
    QString text() const
    {
        std::vector<std::pair<int, QString>> sorted = m_list;
        std::stable_sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
        QStringList lines;
        for (const auto &e : sorted)
            lines << e.second;
        return lines.join(QLatin1Char('\n'));
    }
    const QString &file() const { return m_file; }

private:
    QString m_file;
    QStringList m_files; /* the other files, base (i + 1) * kFileStride */
    std::vector<std::pair<int, QString>> m_list; /* (location, message); -1: no place */
    QStringList m_warnings;
    QSet<QString> m_seen;
};

/// Reads the YAML of a flow file into *pkg. Structural problems, unknown
/// keys and constructs refused by name go to *errors; what could be read is
/// kept so that elaboration can report more.
/// `base` is the file's location base (Errors::base()).
void readPackage(const QString &yamlText, PackageDecl *pkg, Errors *errors, int base = 0);

/// Reads a flow file from disk into *pkg (readPackage with its base).
/// False, with an error at `loc`, when it cannot be read.
bool readPackageFile(const QString &path, PackageDecl *pkg, Errors *errors, int loc);

/// Completes the root package *root as read: its fragments, its
/// configuration (options.config, else one named `default`), its overrides
/// and everything it imports, recursively; then moves every package's
/// tasks into root->tasks with names and references resolved to the
/// flow's names (PKG.NAME for other packages), checking visibility.
/// Errors and warnings go to *errors. Nothing is done for a root that uses
/// none of these.
void loadPackageSet(PackageDecl *root, const FlowOptions &options, Errors *errors);

/// (imports.cpp) Moves the tasks of pkgs (pkgs[0] the root) into
/// pkgs[0]->tasks: `override:` tasks and `overrides:` applied, names made
/// the flow's (PKG.NAME outside the root), `needs:`/`uses:` resolved
/// (aliases, PKG.NAME, the package's own names), visibility checked.
/// A task whose `uses:` names a data type gets the type's parameters
/// (types.h); `types` may be null when the load declares none.
void flattenPackages(const std::vector<PackageDecl *> &pkgs, const QHash<QString, int> &byName, Errors *errors,
                     const TypeIndex *types = nullptr);

/// (inherit.cpp) Makes *d derive from `base`: every field *d does not set
/// is the base's; parameters the base's first, then its own.
void inheritTask(TaskDecl *d, const TaskDecl &base);

/// Applies the configuration `name` of *pkg to it (imports.cpp calls it);
/// `explicitly` false for the implicit `default`. False when there is none.
bool applyConfig(PackageDecl *pkg, const QString &name, bool explicitly, int loc, Errors *errors);

/// Turns the package as written into *flow: -D overrides, `uses:`
/// inheritance, parameter types, `${{ }}` expressions, `iff`, needs and
/// cycles. Errors go to *errors.
void elaborate(const PackageDecl &pkg, const FlowOptions &options, Flow *flow, Errors *errors);

} // namespace dfm::flow
