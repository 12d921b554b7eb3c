#include "locallauncher.h"

#include <QTimer>

namespace dfm {

namespace {
constexpr int kTermToKillMs = 3000; /* a worker's SIGTERM-to-exit allowance */
}

LocalLauncher::LocalLauncher(const QString &dfmBinary, QObject *parent)
    : WorkerLauncher(parent), m_binary(dfmBinary)
{
}

LocalLauncher::~LocalLauncher()
{
    for (QProcess *p : std::as_const(m_procs)) {
        p->disconnect(this);
        p->kill();
        p->waitForFinished(1000); // reaps it; only ever reached on an unclean exit
    }
    qDeleteAll(m_procs);
}

void LocalLauncher::launch(const LaunchRequest &req)
{
    auto *p = new QProcess(this);
    const QStringList cmd = workerCommand(m_binary, req);
    p->setProgram(cmd.first());
    p->setArguments(cmd.mid(1));
    p->setStandardInputFile(QProcess::nullDevice());
    p->setProcessChannelMode(QProcess::MergedChannels);
    p->setStandardOutputFile(req.logFile, QIODevice::Truncate);
    const QString id = req.workerId;
    m_procs.insert(id, p);
    connect(p, &QProcess::started, this, [this, id, p] {
        Q_EMIT launched(id, QString::number(p->processId()));
    });
    connect(p, &QProcess::errorOccurred, this, [this, id, p](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart || m_procs.value(id) != p)
            return;
        m_procs.remove(id);
        p->deleteLater();
        const QString why = QStringLiteral("cannot start %1: %2").arg(m_binary, p->errorString());
        // start() may report this before it returns: answer from the event loop.
        QTimer::singleShot(0, this, [this, id, why] {
            Q_EMIT launchFailed(id, why);
            checkAllStopped();
        });
    });
    connect(p, &QProcess::finished, this, [this, id, p](int code, QProcess::ExitStatus st) {
        m_procs.remove(id);
        p->deleteLater();
        const QString why = st == QProcess::CrashExit
                                ? QStringLiteral("worker process was killed")
                                : QStringLiteral("worker process exited with code %1").arg(code);
        Q_EMIT workerExited(id, why);
        checkAllStopped();
    });
    p->start();
}

void LocalLauncher::stop(const QString &workerId)
{
    if (QProcess *p = m_procs.value(workerId))
        p->terminate();
}

void LocalLauncher::probe(const QStringList &workerIds)
{
    QList<ProbeAnswer> answers;
    for (const QString &id : workerIds) {
        ProbeAnswer a;
        a.workerId = id;
        QProcess *p = m_procs.value(id);
        if (!p || p->state() == QProcess::NotRunning) {
            a.state = JobState::Gone;
            a.detail = QStringLiteral("worker process is not running");
        } else {
            a.state = JobState::Running;
            a.detail = QStringLiteral("worker process %1 is running but has not connected").arg(p->processId());
        }
        answers.append(a);
    }
    QTimer::singleShot(0, this, [this, answers] { Q_EMIT probed(answers); });
}

void LocalLauncher::stopAll(int graceMs)
{
    // Workers were sent worker.shutdown: they stop their task (TERM, then
    // KILL after their own grace) and exit. Those still here after graceMs
    // get SIGTERM, which a stopping worker takes as "kill the task's group
    // now"; only then SIGKILL, which would leave its task behind.
    if (m_stoppingAll)
        return;
    m_stoppingAll = true;
    QTimer::singleShot(graceMs, this, [this] {
        for (QProcess *p : std::as_const(m_procs))
            p->terminate();
        QTimer::singleShot(kTermToKillMs, this, [this] {
            for (QProcess *p : std::as_const(m_procs))
                p->kill();
        });
    });
    QTimer::singleShot(0, this, &LocalLauncher::checkAllStopped);
}

void LocalLauncher::checkAllStopped()
{
    if (!m_stoppingAll || m_allStoppedSent || !m_procs.isEmpty())
        return;
    m_allStoppedSent = true;
    Q_EMIT allStopped();
}

int LocalLauncher::running() const
{
    return int(m_procs.size());
}

} // namespace dfm
