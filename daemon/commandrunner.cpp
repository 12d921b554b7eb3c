#include "commandrunner.h"

#include <QProcess>
#include <QTimer>
#include <QVariant>

namespace dfm {

QString CommandResult::describe() const
{
    const QString words = (err.trimmed().isEmpty() ? out : err).trimmed();
    if (!started)
        return words;
    const QString code = QStringLiteral("exit code %1").arg(exitCode);
    return words.isEmpty() ? code : code + QStringLiteral(": ") + words;
}

ProcessCommandRunner::~ProcessCommandRunner()
{
    for (QProcess *p : m_running.keys()) {
        p->disconnect(this);
        p->kill();
        p->waitForFinished(1000);
        delete p;
    }
}

void ProcessCommandRunner::run(const QStringList &argv, int timeoutMs, Done done)
{
    auto *p = new QProcess(this);
    m_running.insert(p, std::move(done));
    auto finish = [this, p](CommandResult r) {
        Done cb = m_running.take(p);
        p->deleteLater();
        if (cb)
            cb(r);
    };
    auto *timer = new QTimer(p);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, p, [p, timeoutMs, argv0 = argv.value(0)] {
        p->setProperty("dfmTimedOut", QStringLiteral("%1 did not answer within %2 s; killed")
                                          .arg(argv0).arg(timeoutMs / 1000.0));
        p->kill();
    });
    connect(p, &QProcess::finished, this, [p, finish](int code, QProcess::ExitStatus st) {
        CommandResult r;
        r.out = QString::fromLocal8Bit(p->readAllStandardOutput());
        r.err = QString::fromLocal8Bit(p->readAllStandardError());
        const QString timedOut = p->property("dfmTimedOut").toString();
        if (!timedOut.isEmpty()) {
            r.err = timedOut;
        } else if (st == QProcess::CrashExit) {
            r.err = QStringLiteral("killed by a signal") + (r.err.isEmpty() ? QString() : QStringLiteral(": ") + r.err);
        } else {
            r.started = true;
            r.exitCode = code;
        }
        finish(r);
    });
    connect(p, &QProcess::errorOccurred, this, [p, finish, argv0 = argv.value(0)](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart)
            return;
        CommandResult r;
        r.err = QStringLiteral("cannot run '%1': %2").arg(argv0, p->errorString());
        // start() may report this before it returns: answer from the event loop.
        QTimer::singleShot(0, p, [finish, r] { finish(r); });
    });
    p->setStandardInputFile(QProcess::nullDevice());
    if (argv.isEmpty()) {
        QTimer::singleShot(0, p, [finish] {
            CommandResult r;
            r.err = QStringLiteral("empty command");
            finish(r);
        });
        return;
    }
    p->setProgram(argv.first());
    p->setArguments(argv.mid(1));
    timer->start(timeoutMs);
    p->start();
}

void ProcessCommandRunner::runDetached(const QStringList &argv)
{
    if (!argv.isEmpty())
        QProcess::startDetached(argv.first(), argv.mid(1));
}

} // namespace dfm
