// Helpers shared by the schedulers (see scheduler.h).

#include "scheduler.h"

namespace dfm {

qint64 memoryMB(const ResourceSpec &res)
{
    qint64 mb = 0;
    return !res.memory.isEmpty() && parseMemoryMB(res.memory, &mb) ? mb : 0;
}

QString workerErrFile(const QString &logFile)
{
    QString err = logFile;
    if (err.endsWith(QLatin1String(".log")))
        err.chop(4);
    return err + QStringLiteral(".err");
}

QString commandFailure(const QString &what, const CommandResult &r)
{
    if (!r.started)
        return QStringLiteral("%1 failed: %2").arg(what, r.err.trimmed());
    const QString words = (r.err.trimmed() + QLatin1Char('\n') + r.out.trimmed()).trimmed();
    return QStringLiteral("%1 failed (exit code %2)%3")
        .arg(what)
        .arg(r.exitCode)
        .arg(words.isEmpty() ? QString() : QStringLiteral(": ") + words);
}

} // namespace dfm
