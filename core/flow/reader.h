#pragma once
// The flow-file reader's class, shared by reader.cpp (tasks, parameters)
// and readpkg.cpp (imports, fragments, configs, overrides). Internal to
// core/flow/.

#include "flow/decl.h"
#include "flow/ynode.h"

namespace dfm::flow {

class Reader {
public:
    Reader(PackageDecl *pkg, Errors *errors) : m_pkg(pkg), m_err(errors) {}
    /// Reads the YAML text; `base` is the file's location base.
    void read(const QString &text, int base);

private:
    void readPackage(const YNode &node, int line);
    void readParams(const YNode &node, std::vector<ParamDecl> *out, const QString &where);
    void readTask(const YNode &node, std::vector<TaskDecl> *out);
    void readBody(const YNode &value, int line, TaskDecl *t);
    void readStrategy(const YNode &value, int line, TaskDecl *t);
    void readNeeds(const YNode &value, TaskDecl *t);
    void readTags(const YNode &value, TaskDecl *t);
    void readResourceTag(const YNode &value, TaskDecl *t);
    // readpkg.cpp
    void readImports(const YNode &value, std::vector<ImportDecl> *out);
    void readFragments(const YNode &value, std::vector<FragmentRef> *out);
    void readOverrides(const YNode &value, std::vector<OverrideDecl> *out, bool asList);
    void readConfigs(const YNode &value);
    void taskError(int line, const TaskDecl &t, const QString &msg)
    {
        m_err->add(line, QStringLiteral("task '%1': %2").arg(t.task.name, msg));
    }

    PackageDecl *m_pkg;
    Errors *m_err;
};

} // namespace dfm::flow
