// spawnChild(): a child started without copying this process, set up (group,
// death signal, descriptors, directory) before its execve().

#include "childspawn.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

using dfm::Child;
using dfm::ChildSetup;

namespace {

void noteSignal(int) {}

/// Runs `/bin/sh -c script` with `setup`; the wait status, or -1.
int runShell(const char *script, const ChildSetup &setup, Child *child = nullptr)
{
    const char *argv[] = {"/bin/sh", "-c", script, nullptr};
    const char *envp[] = {"FOO=bar baz", "PATH=/usr/bin:/bin", nullptr};
    Child c;
    QString err;
    if (!dfm::spawnChild("/bin/sh", const_cast<char *const *>(argv), const_cast<char *const *>(envp),
                         setup, &c, &err)) {
        qWarning("%s", qPrintable(err));
        return -1;
    }
    if (child)
        *child = c;
    int status = 0;
    return dfm::reapChildWithin(&c, 30000, &status) ? status : -1;
}

QString readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QStringLiteral("<missing>");
}

} // namespace

class TstSpawn : public QObject {
    Q_OBJECT
private slots:
    void childRunsInItsDirectoryWithItsOutputEnvironmentAndGroup()
    {
        QTemporaryDir tmp;
        const QString outPath = tmp.filePath(QStringLiteral("out"));
        const int out = ::open(QFile::encodeName(outPath).constData(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        QVERIFY(out >= 0 && null >= 0);
        const QByteArray dir = QFile::encodeName(tmp.path());
        ChildSetup s;
        s.dir = dir.constData();
        s.stdinFd = null;
        s.stdoutFd = out;
        s.stderrFd = out;
        s.newProcessGroup = true;
        s.dieWithParent = ::getpid();
        Child c;
        const int status = runShell("pwd; echo \"$FOO\"; cut -d' ' -f5 /proc/$$/stat; echo $$; "
                                    "cat; echo err >&2",
                                    s, &c);
        ::close(out);
        ::close(null);
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 0);
        QVERIFY(c.pid > 0);
        const QString pid = QString::number(c.pid);
        QCOMPARE(readAll(outPath),
                 QStringLiteral("%1\nbar baz\n%2\n%2\nerr\n").arg(tmp.path(), pid));
    }

    void ignoredSignalStaysIgnoredAndCaughtOneIsDefaultInTheChild()
    {
        struct sigaction sa {};
        sa.sa_handler = noteSignal;
        struct sigaction oldUsr1 {}, oldUsr2 {};
        QCOMPARE(::sigaction(SIGUSR1, &sa, &oldUsr1), 0);
        sa.sa_handler = SIG_IGN;
        QCOMPARE(::sigaction(SIGUSR2, &sa, &oldUsr2), 0);
        ChildSetup s;
        const int ignored = runShell("kill -USR2 $$; exit 7", s);
        const int caught = runShell("kill -USR1 $$; exit 7", s);
        ::sigaction(SIGUSR1, &oldUsr1, nullptr);
        ::sigaction(SIGUSR2, &oldUsr2, nullptr);
        QVERIFY(WIFEXITED(ignored));
        QCOMPARE(WEXITSTATUS(ignored), 7);
        QVERIFY(WIFSIGNALED(caught));
        QCOMPARE(WTERMSIG(caught), SIGUSR1);
    }

    void missingProgramFailsNamingExecve()
    {
        const char *argv[] = {"/nonexistent/prog", nullptr};
        const char *envp[] = {nullptr};
        Child c;
        QString err;
        QVERIFY(!dfm::spawnChild("/nonexistent/prog", const_cast<char *const *>(argv),
                                 const_cast<char *const *>(envp), ChildSetup(), &c, &err));
        QCOMPARE(err, QStringLiteral("cannot start '/nonexistent/prog': execve: No such file or directory"));
        QCOMPARE(c.pid, -1);
    }

    void missingDirectoryFailsNamingIt()
    {
        ChildSetup s;
        s.dir = "/nonexistent/dir";
        const char *argv[] = {"/bin/sh", "-c", "true", nullptr};
        const char *envp[] = {nullptr};
        Child c;
        QString err;
        QVERIFY(!dfm::spawnChild("/bin/sh", const_cast<char *const *>(argv),
                                 const_cast<char *const *>(envp), s, &c, &err));
        QCOMPARE(err, QStringLiteral("cannot start '/bin/sh': chdir to '/nonexistent/dir': "
                                     "No such file or directory"));
    }

    void childIsReapedOnlyOnceItHasEnded()
    {
        const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        ChildSetup s;
        s.stdinFd = null;
        const char *argv[] = {"/bin/sh", "-c", "read x; sleep 0.3", nullptr};
        const char *envp[] = {nullptr};
        Child c;
        QString err;
        QVERIFY2(dfm::spawnChild("/bin/sh", const_cast<char *const *>(argv),
                                 const_cast<char *const *>(envp), s, &c, &err), qPrintable(err));
        ::close(null);
        int status = -1;
        QVERIFY(!dfm::reapChild(&c, &status)); // still sleeping
        if (c.pidfd >= 0) {
            struct pollfd p{c.pidfd, POLLIN, 0};
            QCOMPARE(::poll(&p, 1, 30000), 1); // readable once it has ended
        }
        QVERIFY(dfm::reapChildWithin(&c, 30000, &status));
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 0);
        QCOMPARE(c.pid, -1);
        QCOMPARE(c.pidfd, -1);
    }
};

QTEST_GUILESS_MAIN(TstSpawn)
#include "tst_spawn.moc"
