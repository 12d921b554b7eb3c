#pragma once
// A WorkerLauncher for tests: records launches, stops and probes, and answers
// the way the test sets (launched, or failed; probes with one state).

#include "launcher.h"

#include <QTimer>

namespace dfm::test {

class FakeLauncher : public WorkerLauncher {
public:
    QList<LaunchRequest> requests;
    QStringList stopped;
    QList<QStringList> probes;
    bool failLaunches = false;
    JobState probeAnswer = JobState::Queued;
    bool stoppedAll = false;

    QString name() const override { return QStringLiteral("fake"); }
    void launch(const LaunchRequest &req) override
    {
        const QString id = req.workerId;
        if (failLaunches) {
            QTimer::singleShot(0, this, [this, id] { Q_EMIT launchFailed(id, QStringLiteral("bsub: command not found")); });
            return;
        }
        requests.append(req);
        const QString job = QStringLiteral("job-%1").arg(requests.size());
        QTimer::singleShot(0, this, [this, id, job] { Q_EMIT launched(id, job); });
    }
    void stop(const QString &id) override { stopped.append(id); }
    void probe(const QStringList &ids) override
    {
        probes.append(ids);
        QList<ProbeAnswer> answers;
        for (const QString &id : ids)
            answers.append({id, probeAnswer, QStringLiteral("job vanished from the queue")});
        QTimer::singleShot(0, this, [this, answers] { Q_EMIT probed(answers); });
    }
    void stopAll(int) override
    {
        stoppedAll = true;
        QTimer::singleShot(50, this, [this] { Q_EMIT allStopped(); });
    }
};

} // namespace dfm::test
