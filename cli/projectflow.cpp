#include "projectflow.h"

#include "projectpaths.h"

#include <QDir>

namespace dfm::cli {

std::vector<OptionSpec> projectFlowOptions()
{
    return {{QString(), QStringLiteral("root"), QStringLiteral("DIR"),
             QStringLiteral("Project directory (default: the nearest directory upwards holding flow.dv, "
                            "flow.yaml or .dfm/).")},
            {QStringLiteral("D"), QString(), QStringLiteral("NAME=VALUE"),
             QStringLiteral("Set a parameter: NAME (a package parameter), PKG.NAME or TASK.PARAM; repeatable.")}};
}

bool loadProjectFlow(const ParsedArgs &parsed, Flow *flow, QString *err)
{
    FlowOptions options;
    options.defines = parsed.values(QStringLiteral("D"));
    const QString root = findProjectRoot(parsed.value(QStringLiteral("root")), QDir::currentPath());
    options.rundirRoot = root + QStringLiteral("/rundir");
    return loadFlow(root, options, flow, err);
}

} // namespace dfm::cli
