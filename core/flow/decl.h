#pragma once
// What the loader reads from a flow file before elaboration: tasks and
// parameters as written, with their lines. Internal to core/flow/.

#include "flow.h"

#include <QJsonValue>
#include <QSet>

#include <utility>
#include <vector>

namespace dfm::flow {

/// One parameter as declared: `name: VALUE` or `name: {type:, value:}`.
struct ParamDecl {
    QString name;
    QString type;     /* "" when untyped; str, int, bool, float, list, map */
    QJsonValue value = QJsonValue(QJsonValue::Undefined); /* as written (undefined: none); strings may hold ${{ }} */
    bool typed = false;
    int line = 0;
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
    // Compound tasks (core/flow/compound.cpp) and strategy.matrix (matrix.cpp):
    std::vector<TaskDecl> body;    /* body: / tasks:, in file order; empty for a leaf task */
    int bodyLine = 0;
    int maxFailures = -1;          /* max_failures: failures in the body before the rest is skipped; -1 = no limit */
    bool hasMaxFailures = false;
    std::vector<std::pair<QString, QJsonValue>> matrix; /* strategy.matrix: axis -> values as written, in file order */
    int strategyLine = 0;
};

/// The package as written.
struct PackageDecl {
    QString name;
    int line = 0;
    std::vector<ParamDecl> params;
    std::vector<TaskDecl> tasks;
};

/// Collects errors as "FILE:LINE: message", every one of a load.
class Errors {
public:
    explicit Errors(const QString &file) : m_file(file) {}
    /// Adds "FILE:LINE: msg"; the same error twice (a body expanded more
    /// than once) is kept once.
    void add(int line, const QString &msg)
    {
        const QString e = QStringLiteral("%1:%2: %3").arg(m_file).arg(line).arg(msg);
        if (!m_seen.contains(e)) {
            m_seen.insert(e);
            m_list << e;
        }
    }
    /// An error not tied to a line of the file (a -D option).
    void addPlain(const QString &msg) { m_list << msg; }
    bool any() const { return !m_list.isEmpty(); }
    QString text() const { return m_list.join(QLatin1Char('\n')); }
    const QString &file() const { return m_file; }

private:
    QString m_file;
    QStringList m_list;
    QSet<QString> m_seen;
};

/// Reads the YAML of a flow file into *pkg. Structural problems, unknown
/// keys and constructs refused by name go to *errors; what could be read is
/// kept so that elaboration can report more.
void readPackage(const QString &yamlText, PackageDecl *pkg, Errors *errors);

/// Turns the package as written into *flow: -D overrides, `uses:`
/// inheritance, parameter types, `${{ }}` expressions, `iff`, needs and
/// cycles. Errors go to *errors.
void elaborate(const PackageDecl &pkg, const FlowOptions &options, Flow *flow, Errors *errors);

} // namespace dfm::flow
