// daemon.json: atomic writes, old versions, stale detection, the start lock.

#include "daemonlock.h"
#include "projectpaths.h"
#include "statefile.h"

#include <QDir>
#include <QLocalServer>
#include <QProcess>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <cerrno>
#include <chrono>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

using namespace dfm;

class TestStateFile : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void writeThenReadRoundTrips()
    {
        QTemporaryDir d;
        const QString path = d.filePath(QStringLiteral("daemon.json"));
        DaemonState s;
        s.pid = 123;
        s.socket = QStringLiteral("/p/.dfm/daemon.sock");
        s.workerPort = 4000;
        s.started = QStringLiteral("2026-01-02T03:04:05Z");
        s.runner = QStringLiteral("local");
        s.host = QStringLiteral("127.0.0.1");
        QString err;
        QVERIFY(writeState(path, s, &err));
        DaemonState r;
        QCOMPARE(readState(path, &r, &err), StateRead::Ok);
        QCOMPARE(r.pid, 123);
        QCOMPARE(r.socket, s.socket);
        QCOMPARE(r.workerPort, 4000);
        QCOMPARE(r.started, s.started);
        QCOMPARE(r.runner, s.runner);
        QCOMPARE(r.version, kStateVersion);
        // Nothing but the file itself is left: the write went through a rename.
        QCOMPARE(QDir(d.path()).entryList(QDir::Files), QStringList{QStringLiteral("daemon.json")});
    }

    void rewriteNeverShowsHalfAFile()
    {
        QTemporaryDir d;
        const QString path = d.filePath(QStringLiteral("daemon.json"));
        DaemonState s;
        s.socket = QString(100000, QLatin1Char('s')); // a large file, written many times
        QString err;
        for (int i = 1; i <= 30; ++i) {
            s.pid = i;
            QVERIFY(writeState(path, s, &err));
            DaemonState r;
            QCOMPARE(readState(path, &r, &err), StateRead::Ok);
            QCOMPARE(r.pid, qint64(i));
        }
    }

    void stateOfThePythonDaemonStillLoads()
    {
        DaemonState r;
        QString err;
        QCOMPARE(readState(QStringLiteral(DFM_TESTDATA "/state/daemon-python-v0.json"), &r, &err), StateRead::Ok);
        QCOMPARE(r.pid, 4242);
        QCOMPARE(r.socket, QStringLiteral("/home/user/proj/.dfm/daemon.sock"));
        QCOMPARE(r.workerPort, 45123);
        QCOMPARE(r.runner, QStringLiteral("lsf"));
        QCOMPARE(r.version, 0);
        QVERIFY(r.tokenFile.isEmpty());
    }

    void missingAndCorruptFilesAreTold()
    {
        QTemporaryDir d;
        DaemonState r;
        QString err;
        QCOMPARE(readState(d.filePath(QStringLiteral("none.json")), &r, &err), StateRead::Missing);
        const QString bad = d.filePath(QStringLiteral("bad.json"));
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"pid\": ");
        f.close();
        QCOMPARE(readState(bad, &r, &err), StateRead::Corrupt);
        QVERIFY(err.startsWith(bad + QStringLiteral(" is not a JSON object")));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("{\"socket\": \"/x\"}");
        f.close();
        QCOMPARE(readState(bad, &r, &err), StateRead::Corrupt);
        QCOMPARE(err, bad + QStringLiteral(" has no valid 'pid'"));
    }

    void deadPidIsStale()
    {
        QTemporaryDir d;
        const ProjectPaths p = ProjectPaths::forRoot(d.path());
        QString err, why;
        QVERIFY(ensureDfmDir(p, &err));
        DaemonState s;
        s.pid = 2147483000; // above pid_max: never alive
        s.socket = p.socket;
        QVERIFY(writeState(p.stateFile, s, &err));
        DaemonState r;
        QCOMPARE(probeDaemon(p, &r, &why, 500), Liveness::Stale);
        QCOMPARE(why, QStringLiteral("pid 2147483000 is not running"));
        QVERIFY(removeStaleState(p, &err));
        QCOMPARE(probeDaemon(p, &r, &why, 500), Liveness::NotRunning);
    }

    void livePidWithASilentSocketIsStale()
    {
        QTemporaryDir d;
        const ProjectPaths p = ProjectPaths::forRoot(d.path());
        QString err, why;
        QVERIFY(ensureDfmDir(p, &err));
        // A socket that accepts but never answers, owned by a live PID (ours).
        QLocalServer mute;
        QVERIFY(mute.listen(p.socket));
        DaemonState s;
        s.pid = QCoreApplication::applicationPid();
        s.socket = p.socket;
        QVERIFY(writeState(p.stateFile, s, &err));
        DaemonState r;
        QCOMPARE(probeDaemon(p, &r, &why, 300), Liveness::Stale);
        QVERIFY2(why.contains(QStringLiteral("is alive but %1 does not answer ping").arg(p.socket)), qPrintable(why));
    }

    void heldLockMeansNeverStaleAndNothingIsRemoved()
    {
        QTemporaryDir d;
        const ProjectPaths p = ProjectPaths::forRoot(d.path());
        QString err, why;
        QVERIFY(ensureDfmDir(p, &err));
        const int fd = ::open(QFile::encodeName(p.lockFile).constData(), O_RDWR | O_CREAT, 0600);
        QVERIFY(fd >= 0);
        QCOMPARE(::flock(fd, LOCK_EX | LOCK_NB), 0);
        DaemonState r;
        // Locked, nothing written yet: a daemon starting (or stalled early).
        QCOMPARE(probeDaemon(p, &r, &why, 300), Liveness::NotAnswering);
        QVERIFY2(why.endsWith(QStringLiteral("but a daemon holds %1").arg(p.lockFile)), qPrintable(why));
        // Locked, and its socket accepts but never answers (a stopped daemon).
        QLocalServer mute;
        QVERIFY(mute.listen(p.socket));
        DaemonState s;
        s.pid = QCoreApplication::applicationPid();
        s.socket = p.socket;
        QVERIFY(writeState(p.stateFile, s, &err));
        QCOMPARE(probeDaemon(p, &r, &why, 300), Liveness::NotAnswering);
        QVERIFY2(why.startsWith(QStringLiteral("pid %1 holds %2 but %3 does not answer ping (")
                                    .arg(s.pid).arg(p.lockFile, p.socket)),
                 qPrintable(why));
        QVERIFY(!removeStaleState(p, &err));
        QCOMPARE(err, QStringLiteral("not removing %1: a daemon holds %2").arg(p.stateFile, p.lockFile));
        QVERIFY(QFile::exists(p.stateFile));
        // Even a dead PID in the file is not stale while the lock is held.
        s.pid = 2147483000;
        QVERIFY(writeState(p.stateFile, s, &err));
        QCOMPARE(probeDaemon(p, &r, &why, 300), Liveness::NotAnswering);
        ::close(fd);
        QCOMPARE(probeDaemon(p, &r, &why, 300), Liveness::Stale);
    }

    void lockIsSeenHeldOnlyWhileSomeoneHoldsIt()
    {
        QTemporaryDir d;
        const ProjectPaths p = ProjectPaths::forRoot(d.path());
        QString err;
        QVERIFY(ensureDfmDir(p, &err));
        QVERIFY(!daemonLockHeld(p)); // no lock file yet
        const int fd = ::open(QFile::encodeName(p.lockFile).constData(), O_RDWR | O_CREAT, 0600);
        QVERIFY(fd >= 0);
        QVERIFY(!daemonLockHeld(p));
        QCOMPARE(::flock(fd, LOCK_EX | LOCK_NB), 0);
        QVERIFY(daemonLockHeld(p));
        ::close(fd);
        QVERIFY(!daemonLockHeld(p));
    }

    // Asking takes a shared lock for an instant: another asker's shared
    // hold is not a daemon, and a daemon taking the lock waits such a hold
    // out instead of taking it for a rival daemon.
    void askingNeverMakesAStartingDaemonFail()
    {
        QTemporaryDir d;
        const ProjectPaths p = ProjectPaths::forRoot(d.path());
        QString err;
        QVERIFY(ensureDfmDir(p, &err));
        const QByteArray file = QFile::encodeName(p.lockFile);
        const int asker = ::open(file.constData(), O_RDWR | O_CREAT, 0600);
        QVERIFY(asker >= 0);
        QCOMPARE(::flock(asker, LOCK_SH | LOCK_NB), 0);
        QVERIFY(!daemonLockHeld(p));

        const int daemon = ::open(file.constData(), O_RDWR);
        QVERIFY(daemon >= 0);
        std::thread letGo([asker] {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            ::flock(asker, LOCK_UN);
        });
        QVERIFY(takeDaemonLock(p, daemon, 10000)); // waited for the asker
        letGo.join();
        QVERIFY(daemonLockHeld(p));

        // A second daemon is refused at once, with EWOULDBLOCK.
        const int rival = ::open(file.constData(), O_RDWR);
        QVERIFY(rival >= 0);
        QElapsedTimer t;
        t.start();
        QVERIFY(!takeDaemonLock(p, rival, 10000));
        QCOMPARE(errno, EWOULDBLOCK);
        QVERIFY2(t.elapsed() < 5000, "a rival daemon's lock is not waited for");
        ::close(daemon);
        QVERIFY(!daemonLockHeld(p));
        QVERIFY(takeDaemonLock(p, rival, 0));
        ::close(rival);
        ::close(asker);
    }

    void waitForPidExitReturnsWhenTheProcessEnds()
    {
        QProcess p;
        p.start(QStringLiteral("sleep"), {QStringLiteral("0.5")});
        QVERIFY(p.waitForStarted());
        const qint64 pid = p.processId();
        QVERIFY(!waitForPidExit(pid, 50)); // it sleeps on: the wait times out
        QVERIFY(pidAlive(pid));
        QVERIFY(waitForPidExit(pid, 20000));
        QVERIFY(!pidAlive(pid));
        p.waitForFinished();
        QVERIFY(waitForPidExit(pid, 0)); // gone already
    }

    void projectRootIsFoundUpwards()
    {
        QTemporaryDir d;
        QVERIFY(QDir(d.path()).mkpath(QStringLiteral("a/b")));
        QFile f(d.filePath(QStringLiteral("flow.dv")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        QCOMPARE(findProjectRoot(QString(), d.filePath(QStringLiteral("a/b"))), QDir::cleanPath(d.path()));
        QCOMPARE(findProjectRoot(QStringLiteral("a"), d.path()), d.filePath(QStringLiteral("a")));
    }
};

QTEST_GUILESS_MAIN(TestStateFile)
#include "tst_statefile.moc"
