#include "pythonhost.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>

#include <csignal>
#include <unistd.h>

namespace dfm::cli {

namespace {

constexpr char kScriptName[] = "dfm_pytask_host.py";

} // namespace

QString findPythonHostScript(QString *searched)
{
    QStringList candidates;
    const QString fromEnv = qEnvironmentVariable("DFM_PYTASK_HOST");
    if (!fromEnv.isEmpty())
        candidates << fromEnv;
    const QString appDir = QCoreApplication::applicationDirPath();
    candidates << QDir(appDir).filePath(QLatin1String(kScriptName))
               << QDir::cleanPath(appDir + QStringLiteral("/../lib/dfm/") + QLatin1String(kScriptName));
    for (const QString &c : candidates) {
        if (QFileInfo(c).isFile())
            return c;
    }
    *searched = candidates.join(QStringLiteral(", "));
    return QString();
}

PythonHost::PythonHost(const QString &python, const QString &script, QObject *parent)
    : QObject(parent), m_python(python), m_script(script)
{
}

PythonHost::~PythonHost()
{
    if (m_proc) {
        m_proc->disconnect(this);
        if (m_pid > 0)
            GroupGuard::signalGroup(m_pid, SIGKILL);
        m_guard.release();
        m_proc->waitForFinished(2000);
    }
}

bool PythonHost::startHost(QString *err)
{
    if (!m_guard.prepare(err))
        return false;
    m_reader = LineReader();
    m_stopping = false;
    m_proc = new QProcess(this);
    m_proc->setProgram(m_python);
    m_proc->setArguments({QStringLiteral("-u"), m_script});
    m_proc->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_proc->setChildProcessModifier([this] { m_guard.childSetup(); });
    connect(m_proc, &QProcess::readyReadStandardOutput, this, &PythonHost::onReadyRead);
    connect(m_proc, &QProcess::finished, this, &PythonHost::onFinished);
    connect(m_proc, &QProcess::errorOccurred, this, &PythonHost::onError);
    m_proc->start();
    m_pid = m_proc->processId();
    if (m_pid > 0) {
        ::setpgid(pid_t(m_pid), pid_t(m_pid));
        m_guard.arm(m_pid);
        emit logLine(QStringLiteral("started the Python task host (%1 %2, pid %3)")
                         .arg(m_python, m_script).arg(m_pid));
    }
    return true;
}

void PythonHost::run(const proto::TaskSpec &spec, const QString &logPath)
{
    m_pendingId = m_nextId++;
    m_pendingName = spec.name;
    m_pendingLog = logPath;
    if (!m_proc) {
        QString err;
        if (!startHost(&err)) {
            const qint64 id = m_pendingId;
            QTimer::singleShot(0, this, [this, id, err] {
                if (m_pendingId == id)
                    completePending(proto::failedResult(
                        QStringLiteral("cannot start the Python task host: %1").arg(err)));
            });
            return;
        }
    }
    const QJsonObject req{{QStringLiteral("id"), m_pendingId},
                          {QStringLiteral("task"), spec.raw},
                          {QStringLiteral("log"), logPath}};
    m_proc->write(proto::encode(req));
}

void PythonHost::stop(int graceMs)
{
    if (!m_proc || m_stopping)
        return;
    m_stopping = true;
    if (m_pid > 0)
        GroupGuard::signalGroup(m_pid, SIGTERM);
    QPointer<QProcess> proc = m_proc;
    const qint64 pid = m_pid;
    QTimer::singleShot(qMax(0, graceMs), this, [this, proc, pid] {
        if (proc && proc == m_proc && pid > 0)
            GroupGuard::signalGroup(pid, SIGKILL);
    });
}

void PythonHost::killNow()
{
    if (m_proc && m_pid > 0)
        GroupGuard::signalGroup(m_pid, SIGKILL);
}

void PythonHost::onReadyRead()
{
    if (!m_proc)
        return;
    if (!m_reader.append(m_proc->readAllStandardOutput())) {
        emit logLine(QStringLiteral("the Python task host sent a line longer than %1 bytes; "
                                    "killing it").arg(kMaxLineBytes));
        killNow();
        return;
    }
    QByteArray line;
    while (m_reader.next(&line))
        handleLine(line);
}

void PythonHost::handleLine(const QByteArray &line)
{
    const QJsonObject o = QJsonDocument::fromJson(line).object();
    if (o.contains(QLatin1String("hello"))) {
        const QJsonObject h = o.value(QLatin1String("hello")).toObject();
        emit logLine(QStringLiteral("Python task host ready (Python %1, %2)")
                         .arg(h.value(QLatin1String("python")).toString(),
                              h.value(QLatin1String("executable")).toString()));
        return;
    }
    if (o.value(QLatin1String("id")).toInteger() != m_pendingId || m_pendingId == 0) {
        emit logLine(QStringLiteral("ignoring a line from the Python task host: %1")
                         .arg(QString::fromUtf8(line.left(200))));
        return;
    }
    proto::TaskResult r;
    QString err;
    if (!proto::parseTaskResult(o.value(QLatin1String("result")).toObject(), &r, &err))
        r = proto::failedResult(QStringLiteral("the Python task host answered task '%1' with "
                                               "a bad result (%2)").arg(m_pendingName, err));
    completePending(r);
}

void PythonHost::completePending(const proto::TaskResult &result)
{
    if (m_pendingId == 0)
        return;
    m_pendingId = 0;
    emit taskDone(result);
}

void PythonHost::onFinished(int exitCode, QProcess::ExitStatus status)
{
    onReadyRead(); // an answer written just before the end still counts
    const QString how = status == QProcess::NormalExit
                            ? QStringLiteral("exited with code %1").arg(exitCode)
                            : QStringLiteral("was killed by signal %1").arg(exitCode);
    const qint64 pid = m_pid;
    emit logLine(QStringLiteral("the Python task host (pid %1) %2").arg(pid).arg(how));
    GroupGuard::signalGroup(pid, SIGKILL); // what the task started goes too
    m_guard.release();
    m_proc->deleteLater();
    m_proc = nullptr;
    m_pid = 0;
    if (m_pendingId != 0)
        completePending(proto::failedResult(
            QStringLiteral("the Python task host (%1, pid %2) %3 while running task '%4'; "
                           "it is restarted for the next task (log: %5)")
                .arg(m_python).arg(pid).arg(how, m_pendingName, m_pendingLog)));
}

void PythonHost::onError(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart || !m_proc)
        return;
    const QString why = m_proc->errorString();
    m_guard.release();
    m_proc->deleteLater();
    m_proc = nullptr;
    m_pid = 0;
    completePending(proto::failedResult(
        QStringLiteral("cannot start the Python task host for task '%1': '%2' could not be run "
                       "(%3); set runner.python (dfm worker --python) to a Python 3 interpreter "
                       "that can import your Python dfm")
            .arg(m_pendingName, m_python, why)));
}

} // namespace dfm::cli
