#include "locallauncher.h"

#include <QDeadlineTimer>

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
    stopAll(0);
}

bool LocalLauncher::launch(const LaunchRequest &req, QString *jobId, QString *err)
{
    auto *p = new QProcess(this);
    p->setProgram(m_binary);
    QStringList args{QStringLiteral("worker"),
                     QStringLiteral("--connect"),
                     QStringLiteral("%1:%2").arg(req.connectHost).arg(req.port),
                     QStringLiteral("--worker-id"),
                     req.workerId,
                     QStringLiteral("--token-file"),
                     req.tokenFile};
    if (!req.resourceClass.isEmpty())
        args << QStringLiteral("--resource-class") << req.resourceClass;
    if (!m_python.isEmpty())
        args << QStringLiteral("--python") << m_python;
    p->setArguments(args);
    p->setStandardInputFile(QProcess::nullDevice());
    p->setProcessChannelMode(QProcess::MergedChannels);
    p->setStandardOutputFile(req.logFile, QIODevice::Truncate);
    const QString id = req.workerId;
    connect(p, &QProcess::finished, this, [this, id, p](int code, QProcess::ExitStatus st) {
        m_procs.remove(id);
        p->deleteLater();
        const QString why = st == QProcess::CrashExit
                                ? QStringLiteral("worker process was killed")
                                : QStringLiteral("worker process exited with code %1").arg(code);
        Q_EMIT workerExited(id, why);
    });
    p->start();
    if (!p->waitForStarted(10000)) {
        *err = QStringLiteral("cannot start %1: %2").arg(m_binary, p->errorString());
        delete p;
        return false;
    }
    m_procs.insert(id, p);
    *jobId = QString::number(p->processId());
    return true;
}

void LocalLauncher::stop(const QString &workerId)
{
    if (QProcess *p = m_procs.value(workerId))
        p->terminate();
}

ProbeResult LocalLauncher::probe(const QString &workerId, QString *detail)
{
    QProcess *p = m_procs.value(workerId);
    if (!p || p->state() == QProcess::NotRunning) {
        *detail = QStringLiteral("worker process is not running");
        return ProbeResult::Gone;
    }
    *detail = QStringLiteral("worker process %1 is running but has not connected")
                  .arg(p->processId());
    return ProbeResult::Starting;
}

void LocalLauncher::stopAll(int graceMs)
{
    // Workers were sent worker.shutdown: they stop their task (TERM, then
    // KILL after their own grace) and exit. Those still here after graceMs
    // get SIGTERM, which a stopping worker takes as "kill the task's group
    // now"; only then SIGKILL, which would leave its task behind.
    auto waitAll = [this](int ms) {
        QDeadlineTimer deadline(ms);
        for (QProcess *p : m_procs.values())
            p->waitForFinished(int(qMax<qint64>(0, deadline.remainingTime())));
    };
    waitAll(graceMs);
    for (QProcess *p : m_procs.values())
        p->terminate();
    waitAll(kTermToKillMs);
    for (QProcess *p : m_procs.values()) {
        p->disconnect(this);
        p->kill();
        p->waitForFinished(2000);
    }
    qDeleteAll(m_procs);
    m_procs.clear();
}

int LocalLauncher::running() const
{
    return int(m_procs.size());
}

} // namespace dfm
