#include "taskrun.h"

namespace dfm {

void markStopped(proto::TaskResult *result, TaskRun::Stop how, double timeoutSec)
{
    switch (how) {
    case TaskRun::Stop::None:
        return;
    case TaskRun::Stop::Cancelled:
        result->extra.insert(QStringLiteral("cancelled"), true);
        result->markers.append(proto::marker(QStringLiteral("cancelled"), QStringLiteral("info")));
        if (result->status == 0)
            result->status = 1;
        return;
    case TaskRun::Stop::TimedOut:
        result->extra.insert(QStringLiteral("timed_out"), true);
        result->markers.append(proto::marker(
            QStringLiteral("task timed out after %1 s").arg(QString::number(timeoutSec))));
        if (result->status == 0)
            result->status = 1;
        return;
    }
}

} // namespace dfm
