#include "pythontask.h"

#include "pythonhost.h"
#include "taskenv.h"

#include <QDir>
#include <QTimer>

namespace dfm::cli {

PythonTask::PythonTask(const proto::TaskSpec &spec, PythonHost *host, const QString &whyNoHost,
                       QObject *parent)
    : TaskRun(parent), m_spec(spec), m_host(host), m_whyNoHost(whyNoHost)
{
    const QString rundir = spec.rundir.isEmpty() ? QDir::currentPath()
                                                 : QDir(spec.rundir).absolutePath();
    QString base = spec.name;
    base.replace(QLatin1Char('/'), QLatin1Char('_'));
    if (base.isEmpty())
        base = QStringLiteral("task");
    m_logPath = rundir + QLatin1Char('/') + base + QStringLiteral(".log");
    m_spec.rundir = rundir;
    m_spec.raw.insert(QStringLiteral("rundir"), rundir);
}

void PythonTask::start()
{
    if (m_started)
        return;
    m_started = true;
    m_clock.start();
    if (!m_host) {
        const proto::TaskResult r = proto::failedResult(
            QStringLiteral("cannot run Python task '%1' (callable '%2'): %3")
                .arg(m_spec.name, m_spec.callableSpec, m_whyNoHost));
        QTimer::singleShot(0, this, [this, r] { onHostDone(r); });
        return;
    }
    connect(m_host, &PythonHost::taskDone, this, &PythonTask::onHostDone);
    m_host->run(m_spec, m_logPath);
}

void PythonTask::cancel(int graceMs)
{
    stop(Stop::Cancelled, graceMs);
}

void PythonTask::timeOut(int graceMs)
{
    stop(Stop::TimedOut, graceMs);
}

void PythonTask::stop(Stop how, int graceMs)
{
    if (!m_started || m_done || m_stop != Stop::None)
        return;
    m_stop = how;
    if (m_host)
        m_host->stop(graceMs);
}

void PythonTask::killNow()
{
    if (m_host && !m_done)
        m_host->killNow();
}

void PythonTask::onHostDone(proto::TaskResult result)
{
    if (m_done)
        return;
    m_done = true;
    if (m_host)
        disconnect(m_host, nullptr, this, nullptr);
    if (m_stop != Stop::None) {
        // The host was killed on purpose: its "host died" marker is noise.
        result = proto::TaskResult();
        result.status = 1;
    }
    markStopped(&result, m_stop, m_spec.timeoutSec);
    taskenv::failOnErrorMarkers(&result);
    result.extra.insert(QStringLiteral("duration_ms"), m_clock.isValid() ? m_clock.elapsed() : 0);
    result.extra.insert(QStringLiteral("log"), m_logPath);
    emit finished(result);
}

} // namespace dfm::cli
