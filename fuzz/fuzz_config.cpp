// Fuzzes the runner configuration loader: one YAML layer merged onto the
// defaults, then the cross-field checks.

#include "config.h"

#include <cstddef>
#include <cstdint>

using namespace dfm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    RunnerConfig cfg;
    QString err;
    if (mergeRunnerConfigText(QStringLiteral("fuzz.yaml"), text, &cfg, &err))
        validateRunnerConfig(cfg, &err);
    return 0;
}
