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
    /// Tags of a task (t) or of a package or type (t null): std.ResourceTag
    /// of a task goes into its resources, the others into *out.
    void readTags(const YNode &value, std::vector<TagRef> *out, TaskDecl *t, const QString &where);
    void readResourceTag(const YNode &value, TaskDecl *t);
    // readpkg.cpp
    void readImports(const YNode &value, std::vector<ImportDecl> *out);
    void readFragments(const YNode &value, std::vector<FragmentRef> *out);
    void readOverrides(const YNode &value, std::vector<OverrideDecl> *out, bool asList);
    void readConfigs(const YNode &value);
    void readTypes(const YNode &value, std::vector<TypeDecl> *out, bool inConfig);
    void readExtensions(const YNode &value, std::vector<ExtendDecl> *out, const QString &where);
    /// An inline task definition of `overrides:` (a mapping), named `_override_N`.
    bool readInlineTask(const YNode &value, std::vector<TaskDecl> *out);
    void taskError(int line, const TaskDecl &t, const QString &msg)
    {
        m_err->add(line, QStringLiteral("task '%1': %2").arg(t.task.name, msg));
    }

    PackageDecl *m_pkg;
    Errors *m_err;
    int m_inlineTasks = 0; /* inline override definitions read, naming them _override_N as the Python dfm does */
};

} // namespace dfm::flow
