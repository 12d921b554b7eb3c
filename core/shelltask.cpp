#include "shelltask.h"

#include "expand.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <sys/types.h>
#include <unistd.h>

namespace dfm {

namespace {

QString safeFileName(const QString &name)
{
    QString s = name;
    s.replace(QLatin1Char('/'), QLatin1Char('_'));
    return s.isEmpty() ? QStringLiteral("task") : s;
}

} // namespace

ShellTask::ShellTask(const proto::TaskSpec &spec, QObject *parent)
    : QObject(parent), m_spec(spec)
{
    m_rundir = spec.rundir.isEmpty() ? QDir::currentPath() : QDir(spec.rundir).absolutePath();
    const QString base = safeFileName(spec.name);
    m_logPath = m_rundir + QLatin1Char('/') + base + QStringLiteral(".log");
    m_scriptPath = m_rundir + QLatin1Char('/') + base + QStringLiteral("_cmd.sh");
}

ShellTask::~ShellTask()
{
    if (!m_proc || m_done)
        return;
    m_done = true; // nothing is emitted from here on
    m_proc->disconnect(this);
    if (m_pgid > 0)
        signalGroup(m_pgid, SIGKILL);
    m_proc->waitForFinished(2000);
}

bool ShellTask::signalGroup(qint64 pgid, int sig)
{
    if (pgid <= 1)
        return false;
    return ::kill(-static_cast<pid_t>(pgid), sig) == 0;
}

void ShellTask::failLater(const QString &why, int status)
{
    proto::TaskResult r = proto::failedResult(why, status);
    QTimer::singleShot(0, this, [this, r] { finish(r); });
}

void ShellTask::start()
{
    if (m_started)
        return;
    m_started = true;
    m_clock.start();
    const QString &name = m_spec.name;

    if (m_spec.shell == QLatin1String("pytask")) {
        failLater(QStringLiteral("this worker runs shell tasks only; Python task '%1' "
                                 "(shell 'pytask') cannot run here").arg(name), 1);
        return;
    }
    const QString shell = QStringLiteral("/bin/") + m_spec.shell;
    const QFileInfo shellInfo(shell);
    if (m_spec.shell.contains(QLatin1Char('/')) || !shellInfo.isFile()
        || !shellInfo.isExecutable()) {
        failLater(QStringLiteral("task '%1': shell '%2' not found or not executable "
                                 "(field 'shell' is '%3')").arg(name, shell, m_spec.shell), 127);
        return;
    }
    if (!QDir().mkpath(m_rundir)) {
        failLater(QStringLiteral("task '%1': cannot create rundir '%2'").arg(name, m_rundir), 1);
        return;
    }

    const QString body = expandRefs(m_spec.body, taskVars(m_spec));
    QStringList args;
    if (body.trimmed().contains(QLatin1Char('\n'))) {
        QFile script(m_scriptPath);
        if (!script.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || script.write(body.toUtf8()) < 0 || !script.flush()) {
            failLater(QStringLiteral("task '%1': cannot write script '%2': %3")
                          .arg(name, m_scriptPath, script.errorString()), 1);
            return;
        }
        script.close();
        args << m_scriptPath;
    } else {
        args << QStringLiteral("-c") << body;
    }
    {
        QFile log(m_logPath);
        if (!log.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            failLater(QStringLiteral("task '%1': cannot open log file '%2': %3")
                          .arg(name, m_logPath, log.errorString()), 1);
            return;
        }
    }

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (auto it = m_spec.env.begin(); it != m_spec.env.end(); ++it)
        env.insert(it.key(), it.value().toString());
    env.insert(QStringLiteral("TASK_SRCDIR"), m_spec.srcdir);
    env.insert(QStringLiteral("TASK_RUNDIR"), m_rundir);

    m_proc = new QProcess(this);
    m_proc->setProgram(shell);
    m_proc->setArguments(args);
    m_proc->setWorkingDirectory(m_rundir);
    m_proc->setProcessEnvironment(env);
    m_proc->setStandardInputFile(QProcess::nullDevice());
    m_proc->setProcessChannelMode(QProcess::MergedChannels);
    m_proc->setStandardOutputFile(m_logPath, QIODevice::Append);
    // Own process group, so cancel() reaches everything the task spawned.
    m_proc->setChildProcessModifier([] { ::setpgid(0, 0); });
    connect(m_proc, &QProcess::finished, this, &ShellTask::onProcessFinished);
    connect(m_proc, &QProcess::errorOccurred, this, &ShellTask::onProcessError);
    m_proc->start();
    const qint64 pid = m_proc->processId();
    if (pid > 0) {
        m_pgid = pid;
        // Also from the parent, so the group exists before we might signal it;
        // fails harmlessly (EACCES) once the child has already exec'd.
        ::setpgid(static_cast<pid_t>(pid), static_cast<pid_t>(pid));
    }
}

void ShellTask::cancel(int graceMs)
{
    if (!isRunning() || m_cancelled)
        return;
    m_cancelled = true;
    if (m_pgid <= 0)
        return; // not started yet: the pending failure result stands
    signalGroup(m_pgid, SIGTERM);
    m_killTimer = new QTimer(this);
    m_killTimer->setSingleShot(true);
    connect(m_killTimer, &QTimer::timeout, this, [this] {
        if (m_pgid > 0)
            signalGroup(m_pgid, SIGKILL);
    });
    m_killTimer->start(qMax(0, graceMs));
}

void ShellTask::onProcessError(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart || m_done)
        return;
    m_pgid = 0;
    finish(proto::failedResult(QStringLiteral("task '%1': cannot start '%2': %3")
                                   .arg(m_spec.name, m_proc->program(), m_proc->errorString()),
                               127));
}

void ShellTask::onProcessFinished(int exitCode, QProcess::ExitStatus status)
{
    if (m_done)
        return;
    if (m_cancelled && m_pgid > 0)
        signalGroup(m_pgid, SIGKILL); // stragglers that ignored SIGTERM
    m_pgid = 0;
    proto::TaskResult r;
    if (status == QProcess::NormalExit) {
        r.status = exitCode;
        r.extra.insert(QStringLiteral("exit_code"), exitCode);
        r.extra.insert(QStringLiteral("signal"), QJsonValue::Null);
        if (exitCode != 0 && !m_cancelled)
            r.markers.append(proto::marker(QStringLiteral("task '%1' failed with exit code %2 "
                                                          "(log: %3)")
                                               .arg(m_spec.name).arg(exitCode).arg(m_logPath)));
    } else {
        // For a crash QProcess reports the terminating signal as the exit code.
        r.status = 128 + exitCode;
        r.extra.insert(QStringLiteral("exit_code"), QJsonValue::Null);
        r.extra.insert(QStringLiteral("signal"), exitCode);
        if (!m_cancelled)
            r.markers.append(proto::marker(QStringLiteral("task '%1' killed by signal %2 "
                                                          "(log: %3)")
                                               .arg(m_spec.name).arg(exitCode).arg(m_logPath)));
    }
    finish(r);
}

void ShellTask::finish(proto::TaskResult result)
{
    if (m_done)
        return;
    m_done = true;
    m_pgid = 0;
    if (m_killTimer)
        m_killTimer->stop();
    if (m_cancelled) {
        result.extra.insert(QStringLiteral("cancelled"), true);
        result.markers.append(proto::marker(QStringLiteral("cancelled"), QStringLiteral("info")));
    }
    result.extra.insert(QStringLiteral("duration_ms"), m_clock.isValid() ? m_clock.elapsed() : 0);
    for (const char *key : {"exit_code", "signal"}) {
        if (!result.extra.contains(QLatin1String(key)))
            result.extra.insert(QLatin1String(key), QJsonValue::Null);
    }
    result.extra.insert(QStringLiteral("log"), m_proc ? QJsonValue(m_logPath)
                                                      : QJsonValue(QJsonValue::Null));
    emit finished(result);
}

} // namespace dfm
