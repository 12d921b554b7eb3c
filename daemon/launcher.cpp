#include "launcher.h"

namespace dfm {

QStringList workerCommand(const QString &dfmBinary, const LaunchRequest &req)
{
    QStringList cmd{dfmBinary,
                    QStringLiteral("worker"),
                    QStringLiteral("--connect"),
                    QStringLiteral("%1:%2").arg(req.connectHost).arg(req.port),
                    QStringLiteral("--worker-id"),
                    req.workerId,
                    QStringLiteral("--token-file"),
                    req.tokenFile};
    if (!req.resourceClass.isEmpty())
        cmd << QStringLiteral("--resource-class") << req.resourceClass;
    if (!req.python.isEmpty())
        cmd << QStringLiteral("--python") << req.python;
    return cmd;
}

} // namespace dfm
