#include "nativetask.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTimer>

namespace dfm::cli {

NativeTask::NativeTask(const proto::TaskSpec &spec, flow::StdTaskFn fn, QObject *parent)
    : TaskRun(parent), m_spec(spec), m_fn(fn)
{
}

void NativeTask::start()
{
    QTimer::singleShot(0, this, &NativeTask::run);
}

// It runs in one go inside the event loop (file globbing and small writes),
// so a stop can only arrive before it starts.
void NativeTask::cancel(int)
{
    if (m_stop == Stop::None)
        m_stop = Stop::Cancelled;
}

void NativeTask::timeOut(int)
{
    if (m_stop == Stop::None)
        m_stop = Stop::TimedOut;
}

void NativeTask::killNow()
{
    cancel(0);
}

void NativeTask::run()
{
    if (m_done)
        return;
    const QString rundir = QDir(m_spec.rundir.isEmpty() ? QDir::currentPath() : m_spec.rundir).absolutePath();
    if (m_stop != Stop::None) {
        proto::TaskResult r = proto::failedResult(QStringLiteral("stopped before it started"));
        markStopped(&r, m_stop, m_spec.timeoutSec);
        return finish(r);
    }
    if (!QDir().mkpath(rundir))
        return finish(proto::failedResult(QStringLiteral("task '%1': cannot create rundir '%2'").arg(m_spec.name, rundir)));
    flow::StdTaskInput in;
    in.name = m_spec.name;
    in.srcdir = m_spec.srcdir;
    in.rundir = rundir;
    in.params = m_spec.params;
    in.inputs = m_spec.inputs;
    in.memento = m_spec.memento;
    in.changed = m_spec.raw.value(QLatin1String("changed")).toBool(true);
    QElapsedTimer clock;
    clock.start();
    QString log;
    proto::TaskResult r = m_fn(in, &log);
    const QString logPath = rundir + QLatin1Char('/') + QString(m_spec.name).replace(QLatin1Char('/'), QLatin1Char('_'))
                            + QStringLiteral(".log");
    QFile f(logPath);
    if (f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        const QByteArray bytes = log.toUtf8();
        if (f.write(bytes) != bytes.size())
            r.markers.append(proto::marker(QStringLiteral("cannot write the task's log %1: %2").arg(logPath, f.errorString()),
                                           QStringLiteral("warning")));
        r.extra.insert(QStringLiteral("log"), logPath);
    }
    r.extra.insert(QStringLiteral("exit_code"), r.status);
    r.extra.insert(QStringLiteral("duration_ms"), clock.elapsed());
    finish(r);
}

void NativeTask::finish(proto::TaskResult result)
{
    if (m_done)
        return;
    m_done = true;
    Q_EMIT finished(result);
}

} // namespace dfm::cli
