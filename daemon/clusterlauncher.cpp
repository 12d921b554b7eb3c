#include "clusterlauncher.h"

#include <QFile>
#include <QTimer>

namespace dfm {

ClusterLauncher::ClusterLauncher(Scheduler *scheduler, CommandRunner *runner, const QString &dfmBinary,
                                 int maxInFlight, QObject *parent)
    : WorkerLauncher(parent), m_scheduler(scheduler), m_runner(runner), m_binary(dfmBinary),
      m_maxInFlight(qMax(1, maxInFlight))
{
    m_runner->setParent(this);
}

ClusterLauncher::~ClusterLauncher()
{
    // Destroyed without stopAll() (an error path): the jobs must not outlive
    // the pool that owned them.
    if (!m_jobs.isEmpty())
        m_runner->runDetached(m_scheduler->cancelCommand(m_jobs.values()));
}

void ClusterLauncher::launch(const LaunchRequest &req)
{
    m_waiting.push_back(req);
    // Submitting from the event loop keeps launch() from ever answering
    // inside the call.
    QTimer::singleShot(0, this, &ClusterLauncher::pump);
}

void ClusterLauncher::pump()
{
    while (!m_waiting.empty() && m_submitting.size() < m_maxInFlight && !m_stoppingAll) {
        const LaunchRequest req = m_waiting.front();
        m_waiting.pop_front();
        const QString id = req.workerId;
        m_submitting.insert(id);
        m_logs.insert(id, workerErrFile(req.logFile));
        m_runner->run(m_scheduler->submitCommand(req, workerCommand(m_binary, req)), kSubmitTimeoutMs,
                      [this, id](const CommandResult &r) {
                          m_submitting.remove(id);
                          QString jobId, err;
                          if (!m_scheduler->parseSubmit(r, &jobId, &err)) {
                              m_stopWhenSubmitted.remove(id);
                              Q_EMIT launchFailed(id, err);
                          } else if (m_stopWhenSubmitted.remove(id) || m_stoppingAll) {
                              cancel({jobId});
                          } else {
                              m_jobs.insert(id, jobId);
                              Q_EMIT launched(id, jobId);
                          }
                          pump();
                          checkAllStopped();
                      });
    }
}

void ClusterLauncher::stop(const QString &workerId)
{
    m_logs.remove(workerId);
    for (auto it = m_waiting.begin(); it != m_waiting.end(); ++it) {
        if (it->workerId == workerId) {
            m_waiting.erase(it);
            return;
        }
    }
    if (m_submitting.contains(workerId)) {
        m_stopWhenSubmitted.insert(workerId);
        return;
    }
    const QString jobId = m_jobs.take(workerId);
    if (!jobId.isEmpty())
        cancel({jobId});
}

void ClusterLauncher::cancel(const QStringList &jobIds)
{
    if (jobIds.isEmpty())
        return;
    ++m_cancelsRunning;
    // A job that already ended makes the cancel command complain; that is
    // fine, so its answer is not checked.
    m_runner->run(m_scheduler->cancelCommand(jobIds), kQueryTimeoutMs, [this](const CommandResult &) {
        --m_cancelsRunning;
        checkAllStopped();
    });
}

void ClusterLauncher::probe(const QStringList &workerIds)
{
    QList<ProbeAnswer> answers;
    QStringList jobIds;
    QHash<QString, QString> workerOf; /* job id -> worker id */
    for (const QString &id : workerIds) {
        const QString jobId = m_jobs.value(id);
        if (!jobId.isEmpty()) {
            jobIds << jobId;
            workerOf.insert(jobId, id);
            continue;
        }
        ProbeAnswer a;
        a.workerId = id;
        const bool waiting = m_submitting.contains(id)
                             || std::any_of(m_waiting.begin(), m_waiting.end(),
                                            [&](const LaunchRequest &r) { return r.workerId == id; });
        a.state = waiting ? JobState::Queued : JobState::Gone;
        a.detail = waiting ? QStringLiteral("still being submitted") : QStringLiteral("no job was submitted for it");
        answers << a;
    }
    if (jobIds.isEmpty()) {
        QTimer::singleShot(0, this, [this, answers] { Q_EMIT probed(answers); });
        return;
    }
    m_runner->run(m_scheduler->statusCommand(jobIds), kQueryTimeoutMs,
                  [this, answers, jobIds, workerOf](const CommandResult &r) {
                      QHash<QString, ProbeAnswer> byJob;
                      QString err;
                      if (!m_scheduler->parseStatus(r, jobIds, &byJob, &err)) {
                          // Without an answer the job cannot be told apart from a dead one.
                          for (const QString &jobId : jobIds)
                              byJob.insert(jobId, ProbeAnswer{QString(), JobState::Gone, err});
                      }
                      QStringList gone;
                      for (const QString &jobId : jobIds)
                          if (byJob.value(jobId).state == JobState::Gone)
                              gone << jobId;
                      const QStringList history = gone.isEmpty() ? QStringList() : m_scheduler->historyCommand(gone);
                      if (history.isEmpty()) {
                          answerProbe(answers, byJob, workerOf);
                          return;
                      }
                      m_runner->run(history, kQueryTimeoutMs,
                                    [this, answers, byJob, workerOf](const CommandResult &h) mutable {
                                        m_scheduler->parseHistory(h, &byJob);
                                        answerProbe(answers, byJob, workerOf);
                                    });
                  });
}

QString ClusterLauncher::withWorkerWords(const QString &workerId, const QString &detail) const
{
    QFile f(m_logs.value(workerId));
    if (f.fileName().isEmpty() || !f.open(QIODevice::ReadOnly))
        return detail;
    constexpr qint64 kTail = 4096;
    if (f.size() > kTail)
        f.seek(f.size() - kTail);
    const QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (lines.isEmpty())
        return detail;
    return QStringLiteral("%1; the worker said: %2").arg(detail, lines.last().trimmed());
}

void ClusterLauncher::answerProbe(QList<ProbeAnswer> answers, const QHash<QString, ProbeAnswer> &byJob,
                                  const QHash<QString, QString> &workerOf)
{
    for (auto it = byJob.begin(); it != byJob.end(); ++it) {
        ProbeAnswer a = it.value();
        a.workerId = workerOf.value(it.key());
        if (a.state == JobState::Gone)
            a.detail = withWorkerWords(a.workerId, a.detail);
        answers << a;
    }
    Q_EMIT probed(answers);
}

void ClusterLauncher::stopAll(int graceMs)
{
    Q_UNUSED(graceMs); // a cancelled job's worker gets SIGTERM, its own grace
    if (m_stoppingAll)
        return;
    m_stoppingAll = true;
    m_waiting.clear();
    cancel(m_jobs.values());
    m_jobs.clear();
    // Submissions still running are cancelled when they answer.
    QTimer::singleShot(0, this, &ClusterLauncher::checkAllStopped);
}

void ClusterLauncher::checkAllStopped()
{
    if (!m_stoppingAll || m_allStoppedSent || !m_submitting.isEmpty() || m_cancelsRunning > 0)
        return;
    m_allStoppedSent = true;
    Q_EMIT allStopped();
}

} // namespace dfm
