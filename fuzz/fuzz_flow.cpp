// Fuzzes the flow loader: YAML text read, elaborated (parameters,
// expressions, `uses:`, standard tasks, needs and cycles) and the task
// selection walk. Any input must end in a flow or in error text.

#include "flow.h"

#include <cstddef>
#include <cstdint>

using namespace dfm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    FlowOptions options;
    options.rundirRoot = QStringLiteral("/fuzz/rundir");
    options.env.insert(QStringLiteral("HOME"), QStringLiteral("/fuzz")); // not the process environment
    Flow flow;
    QString err;
    if (parseFlowText(QStringLiteral("/fuzz/flow.dv"), text, options, &flow, &err)) {
        std::vector<int> order;
        selectTasks(flow, {}, &order, &err);
    }
    return 0;
}
