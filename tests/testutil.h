#pragma once
// Helpers for integration tests: a temporary project, running the real `dfm`
// binary, and finding processes left behind. Header-only, shared by the
// tst_*.cpp that start real daemons and workers.

#include "daemonclient.h"
#include "statefile.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QProcess>
#include <QSet>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace dfm::test {

/// Output of one finished `dfm` command.
struct Run {
    int code = -1;
    QString out;
    QString err;
};

/// Runs `dfm ARGS` in `dir` and waits up to `timeoutMs`.
inline Run runDfm(const QStringList &args, const QString &dir, int timeoutMs = 60000,
                  const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProgram(QStringLiteral(DFM_BIN));
    p.setArguments(args);
    p.setWorkingDirectory(dir);
    p.setProcessEnvironment(env);
    p.start();
    Run r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = QStringLiteral("timed out");
        return r;
    }
    r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

/// PIDs of processes whose command line contains `needle` (not this one).
inline QList<qint64> processesMatching(const QString &needle)
{
    QList<qint64> pids;
    const QByteArray n = needle.toUtf8();
    const qint64 self = QCoreApplication::applicationPid();
    for (const QString &e : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool ok = false;
        const qint64 pid = e.toLongLong(&ok);
        if (!ok || pid == self)
            continue;
        QFile f(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        QByteArray cmd = f.readAll();
        cmd.replace('\0', ' ');
        // A zombie has an empty command line and is already gone for our purposes.
        if (cmd.contains(n))
            pids.append(pid);
    }
    return pids;
}

/// How many process groups the processes whose command line contains
/// `needle` belong to: one per task, however often its shell forks (a
/// forked bash briefly shows its command line twice).
inline int processGroupsMatching(const QString &needle)
{
    QSet<qint64> groups;
    for (qint64 pid : processesMatching(needle)) {
        QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        // "pid (comm) state ppid pgrp ...": comm may hold spaces, so read after its ')'.
        const QByteArray stat = f.readAll();
        const QList<QByteArray> rest = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        if (rest.size() > 2)
            groups.insert(rest.at(2).toLongLong());
    }
    return int(groups.size());
}

/// PIDs of the daemons of project `root`: `dfm daemon start` processes
/// working in `root` (a daemon is the child `daemon start` forked, or a
/// spawned `daemon start --foreground --detached`; a starter still running
/// is counted too).
inline QList<qint64> daemonsOf(const QString &root)
{
    QList<qint64> pids;
    const QString want = QFileInfo(root).canonicalFilePath();
    for (qint64 pid : processesMatching(QStringLiteral(" daemon start"))) {
        const QString cwd = QFileInfo(QStringLiteral("/proc/%1/cwd").arg(pid)).canonicalFilePath();
        if (!cwd.isEmpty() && cwd == want)
            pids.append(pid);
    }
    return pids;
}

/// Keeps the user's own dfm configuration out of the `dfm` processes a test
/// starts: HOME moves to `home` (no ~/.config/dfm/site.yaml), and DFM_RUNNER
/// and DFM_INSTALL_CONFIG are dropped. Call once, before starting any.
inline void isolateFromUserConfig(const QString &home)
{
    qputenv("HOME", QFile::encodeName(home));
    qunsetenv("DFM_RUNNER");
    qunsetenv("DFM_INSTALL_CONFIG");
}

/// Reads one JSON line from a raw socket, waiting up to timeoutMs; {} if none.
inline QJsonObject readLine(QIODevice &sock, int timeoutMs = 10000)
{
    QElapsedTimer t;
    t.start();
    while (!sock.canReadLine() && t.elapsed() < timeoutMs) {
        if (auto *ls = qobject_cast<QLocalSocket *>(&sock))
            ls->waitForReadyRead(100);
        else if (auto *ts = qobject_cast<QTcpSocket *>(&sock))
            ts->waitForReadyRead(100);
    }
    return QJsonDocument::fromJson(sock.readLine()).object();
}

/// Collects the results a client receives, by the id of the submit.
struct Results : QObject {
    QHash<qint64, QJsonObject> byId;
    explicit Results(DaemonClient &c)
    {
        connect(&c, &DaemonClient::messageReceived, this, [this](const proto::Message &m) {
            if (m.isResponse() && m.result.isObject())
                byId.insert(m.id.toInteger(), m.result.toObject());
        });
    }
};

/// A project in a fresh temporary directory; stops any daemon it started.
struct TempProject {
    QTemporaryDir dir;
    QString root() const { return dir.path(); }
    QString path(const QString &rel) const { return dir.path() + QLatin1Char('/') + rel; }

    void write(const QString &rel, const QByteArray &content) const
    {
        QDir().mkpath(QFileInfo(path(rel)).absolutePath());
        QFile f(path(rel));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }

    ~TempProject()
    {
        // Whatever a failed test left running goes with the project.
        if (QFile::exists(path(QStringLiteral(".dfm/daemon.json"))))
            runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, root(), 30000);
        for (qint64 pid : processesMatching(root()))
            ::kill(pid_t(pid), SIGKILL);
    }
};

} // namespace dfm::test
