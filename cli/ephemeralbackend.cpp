#include "ephemeralbackend.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>

namespace dfm::cli {

namespace {

EngineOptions privateOptions(EngineOptions o, int maxWorkers)
{
    const qint64 pid = QCoreApplication::applicationPid();
    o.paths.tokenFile = o.paths.dfmDir + QStringLiteral("/run-%1.token").arg(pid);
    o.paths.workersDir = o.paths.dfmDir + QStringLiteral("/workers/run-%1").arg(pid);
    o.workerIdPrefix = QStringLiteral("r%1-").arg(pid);
    if (maxWorkers > 0 && maxWorkers < o.pool.maxWorkers)
        o.pool.maxWorkers = maxWorkers;
    o.pool.minWorkers = qMin(o.pool.minWorkers, o.pool.maxWorkers);
    return o;
}

} // namespace

EphemeralBackend::EphemeralBackend(EngineOptions options, WorkerLauncher *launcher, int maxWorkers,
                                   QObject *parent)
    : TaskBackend(parent), m_engine(new Engine(privateOptions(std::move(options), maxWorkers), launcher, this))
{
    connect(m_engine, &Engine::taskFinished, this,
            [this](quint64, const QString &rid, const QJsonValue &, const proto::PassedResult &r) {
                if (!m_finishing)
                    Q_EMIT taskFinished(rid, proto::toTaskResult(r));
            });
    connect(m_engine, &Engine::stopped, this, &TaskBackend::finished);
    // task.dispatched says when each task started: the status line's running count.
    m_engine->setEventsWanted(true);
    connect(m_engine, &Engine::monitorEvent, this, [this](const proto::MonitorEvent &ev) {
        if (m_finishing || ev.kind != proto::MonitorEvent::Dispatched)
            return;
        const qint64 started = ev.dispatched.startedMs > 0 ? ev.dispatched.startedMs : QDateTime::currentMSecsSinceEpoch();
        Q_EMIT taskStarted(ev.dispatched.requestId, started);
    });
}

bool EphemeralBackend::start(QString *err)
{
    const ProjectPaths &paths = m_engine->options().paths;
    if (!ensureDfmDir(paths, err))
        return false;
    if (!QDir().mkpath(paths.workersDir)) {
        *err = QStringLiteral("cannot create %1").arg(paths.workersDir);
        return false;
    }
    return m_engine->start(err);
}

void EphemeralBackend::submit(const proto::TaskSpec &spec)
{
    if (m_engine->submit(kOwner, spec) != SubmitError::None && !m_finishing)
        Q_EMIT taskFinished(spec.requestId,
                            proto::failedResult(QStringLiteral("the local pool refused task '%1'").arg(spec.requestId)));
}

void EphemeralBackend::cancel(const QString &requestId)
{
    m_engine->cancel(kOwner, requestId);
}

void EphemeralBackend::finish()
{
    if (m_finishing)
        return;
    m_finishing = true;
    m_engine->shutdown();
}

QString EphemeralBackend::describe() const
{
    return QStringLiteral("ephemeral %1 pool of %2 workers")
        .arg(m_engine->runnerName())
        .arg(m_engine->options().pool.maxWorkers);
}

int EphemeralBackend::workersLaunched() const
{
    return int(m_engine->workersLaunched());
}

} // namespace dfm::cli
