#include "guiformat.h"

#include "format.h"

namespace dfm::gui {

QString statusSummary(const MonitorModel &model, qint64 nowMs)
{
    const MonitorModel::WorkerCounts w = model.workerCounts();
    const proto::TaskCounters &t = model.totals();
    const QString dot = QStringLiteral(" \u00b7 ");
    QString s = QStringLiteral("up %1").arg(fmt::duration(model.uptimeMs(nowMs)));
    s += dot + QStringLiteral("runner %1").arg(model.daemon().runner.isEmpty() ? QStringLiteral("?")
                                                                              : model.daemon().runner);
    s += dot + QStringLiteral("workers %1: %2 busy, %3 idle, %4 pending").arg(w.total).arg(w.busy).arg(w.idle).arg(w.pending);
    s += dot + QStringLiteral("tasks %1 running, %2 queued, %3 completed, %4 failed")
                   .arg(model.runningCount())
                   .arg(model.queuedTotal())
                   .arg(t.passed + t.failed + t.cancelled)
                   .arg(t.failed);
    if (t.cancelled > 0)
        s += QStringLiteral(", %1 cancelled").arg(t.cancelled);
    return s;
}

QString stateText(MonitorSession::State state)
{
    switch (state) {
    case MonitorSession::State::Connecting: return QStringLiteral("connecting");
    case MonitorSession::State::Connected: return QStringLiteral("connected");
    case MonitorSession::State::Gone: return QStringLiteral("daemon gone");
    }
    return QString();
}

QString shellQuote(const QString &word)
{
    bool plain = !word.isEmpty();
    for (const QChar c : word) {
        if (!(c.isLetterOrNumber() || QStringLiteral("/._-+:,=@%").contains(c)) || c.unicode() > 127) {
            plain = false;
            break;
        }
    }
    if (plain)
        return word;
    QString quoted = word;
    quoted.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QString startCommand(const QString &root)
{
    return QStringLiteral("dfm daemon start --root %1").arg(shellQuote(root));
}

QString waitingText(MonitorSession::State state, const QString &root, const QString &lastError, int retryMs)
{
    if (state == MonitorSession::State::Connecting)
        return QStringLiteral("Connecting to the daemon of %1 ...").arg(root);
    QString s = QStringLiteral("No daemon answers for %1.\n\nStart one with:\n\n    %2\n\n"
                               "This window connects by itself once it runs (trying every %3).")
                    .arg(root, startCommand(root), fmt::duration(retryMs));
    if (!lastError.isEmpty())
        s += QStringLiteral("\n\nLast attempt: %1").arg(lastError);
    return s;
}

} // namespace dfm::gui
