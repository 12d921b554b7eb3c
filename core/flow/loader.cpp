// Loading a flow file: find it, read it, elaborate it.

#include "flow.h"

#include "flow/decl.h"
#include "flow/hugeheap.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace dfm {

bool parseFlowText(const QString &fileName, const QString &yamlText, const FlowOptions &options, Flow *flow,
                   QString *err)
{
    // A large flow (some 7,000 tasks and up) needs about 30 bytes of memory per
    // character of YAML while it loads.
    const size_t size = size_t(yamlText.size());
    flow::HugeHeapScope heap(size > (size_t(1) << 18) ? size * 32 : 0);
    *flow = Flow();
    flow->file = fileName;
    flow->dir = QFileInfo(fileName).absolutePath();
    flow::Errors errors(fileName);
    flow::PackageDecl pkg;
    pkg.file = fileName;
    pkg.dir = flow->dir;
    flow::readPackage(yamlText, &pkg, &errors);
    if (pkg.fragment) {
        *err = QStringLiteral("%1: this is a fragment file (`fragment:`); the flow file holds `package:` and lists it "
                              "under `fragments:`").arg(fileName);
        return false;
    }
    if (!pkg.name.isEmpty()) {
        flow::loadPackageSet(&pkg, options, &errors);
        flow::elaborate(pkg, options, flow, &errors);
    }
    for (FlowTask &t : flow->tasks)
        t.line %= flow::kFileStride; // a location in another file: its line there
    flow->warnings = errors.warnings();
    if (errors.any()) {
        *err = errors.text();
        return false;
    }
    return true;
}

bool parseFlowText(const QString &fileName, const QString &yamlText, Flow *flow, QString *err)
{
    return parseFlowText(fileName, yamlText, FlowOptions(), flow, err);
}

bool loadFlow(const QString &projectRoot, const FlowOptions &options, Flow *flow, QString *err)
{
    const QDir root(projectRoot);
    QString path;
    for (const char *name : {"flow.dv", "flow.yaml"}) {
        const QString candidate = root.absoluteFilePath(QString::fromLatin1(name));
        if (QFileInfo::exists(candidate)) {
            path = candidate;
            break;
        }
    }
    if (path.isEmpty()) {
        *err = QStringLiteral("no flow.dv or flow.yaml in %1; create one or pass --root").arg(root.absolutePath());
        return false;
    }
    QFile f(path);
    if (QFileInfo(path).isDir() || !f.open(QIODevice::ReadOnly)) {
        *err = QStringLiteral("cannot read %1: %2")
                   .arg(path, QFileInfo(path).isDir() ? QStringLiteral("it is a directory") : f.errorString());
        return false;
    }
    return parseFlowText(path, QString::fromUtf8(f.readAll()), options, flow, err);
}

bool loadFlow(const QString &projectRoot, Flow *flow, QString *err)
{
    return loadFlow(projectRoot, FlowOptions(), flow, err);
}

} // namespace dfm
