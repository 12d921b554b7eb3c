// Hardening: what a hostile or broken peer, a stalled daemon or a starved
// process does to the daemon, each probe from issue 10 against a real daemon.

#include "daemonclient.h"
#include "projectpaths.h"
#include "protocol.h"
#include "statefile.h"
#include "testutil.h"

#include <QDir>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QLocalSocket>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QtTest>

#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace dfm;
using namespace dfm::test;

namespace {


// A plain blocking Unix socket connected to `path`, or -1.
int rawConnect(const QString &path)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const QByteArray p = QFile::encodeName(path);
    std::memcpy(addr.sun_path, p.constData(), size_t(p.size()));
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Reads from fd until EOF or timeoutMs; what was read.
QByteArray readToEnd(int fd, int timeoutMs)
{
    QByteArray all;
    QElapsedTimer t;
    t.start();
    char buf[65536];
    while (t.elapsed() < timeoutMs) {
        pollfd pfd{fd, POLLIN, 0};
        if (::poll(&pfd, 1, 100) <= 0)
            continue;
        const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        if (n <= 0)
            break;
        all.append(buf, qsizetype(n));
    }
    return all;
}

bool isSocketFile(const QString &path)
{
    struct stat sb;
    return ::lstat(QFile::encodeName(path).constData(), &sb) == 0 && S_ISSOCK(sb.st_mode);
}

} // namespace

class TestHardening : public QObject {
    Q_OBJECT

    QTemporaryDir m_home; /* HOME of every dfm process the tests start */

    QProcessEnvironment env(const QStringList &extra = {}) const
    {
        auto e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("DFM_REGISTER_TIMEOUT_MS"), QStringLiteral("1000"));
        e.insert(QStringLiteral("DFM_CLIENT_IDLE_TIMEOUT_MS"), QStringLiteral("1000"));
        for (const QString &kv : extra)
            e.insert(kv.section(u'=', 0, 0), kv.section(u'=', 1));
        return e;
    }

    // `dfm daemon start`, through `bash -c "<prefix>; exec dfm ..."` when a
    // prefix (such as a ulimit) is given.
    void start(const TempProject &p, const QProcessEnvironment &e, const QString &prefix = {})
    {
        QProcess proc;
        proc.setProcessEnvironment(e);
        proc.setWorkingDirectory(p.root());
        if (prefix.isEmpty())
            proc.start(QStringLiteral(DFM_BIN), {QStringLiteral("daemon"), QStringLiteral("start")});
        else
            proc.start(QStringLiteral("bash"), {QStringLiteral("-c"),
                                                 QStringLiteral("%1; exec '%2' daemon start").arg(prefix, QStringLiteral(DFM_BIN))});
        QVERIFY(proc.waitForFinished(30000));
        const QString out = QString::fromUtf8(proc.readAllStandardOutput() + proc.readAllStandardError());
        QVERIFY2(proc.exitCode() == 0 && out.contains(QStringLiteral("started for")), qPrintable(out));
    }

    DaemonState state(const TempProject &p)
    {
        DaemonState st;
        QString err;
        readState(p.path(QStringLiteral(".dfm/daemon.json")), &st, &err);
        return st;
    }

    QString logText(const TempProject &p)
    {
        QFile f(p.path(QStringLiteral(".dfm/daemon.log")));
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

    bool pings(const TempProject &p)
    {
        DaemonClient c;
        QJsonValue pong;
        QString err;
        return c.connectTo(p.path(QStringLiteral(".dfm/daemon.sock")), 2000, &err)
               && c.call(proto::kPing, {}, &pong, &err, 5000) && pong.toString() == QLatin1String("pong");
    }

    // Runs one task through the daemon; its exit status, or -1.
    int runTask(const TempProject &p, const QString &body)
    {
        DaemonClient c;
        QString err;
        if (!c.connectTo(p.path(QStringLiteral(".dfm/daemon.sock")), 5000, &err))
            return -1;
        QJsonValue result;
        const QJsonObject params{{QStringLiteral("request_id"), QStringLiteral("t")},
                                 {QStringLiteral("name"), QStringLiteral("t")},
                                 {QStringLiteral("shell"), QStringLiteral("bash")},
                                 {QStringLiteral("body"), body},
                                 {QStringLiteral("rundir"), p.path(QStringLiteral("r"))}};
        if (!c.call(proto::kTaskSubmit, params, &result, &err, 60000))
            return -1;
        return result.toObject().value(QLatin1String("status")).toInt(-1);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        isolateFromUserConfig(m_home.path());
    }

    void stoppedDaemonIsNotAnsweringAndKeepsItsFiles()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n  name: p\n  tasks:\n  - name: a\n    run: \"true\"\n");
        start(p, env());
        const DaemonState st = state(p);
        QCOMPARE(::kill(pid_t(st.pid), SIGSTOP), 0);
        auto cont = qScopeGuard([&] { ::kill(pid_t(st.pid), SIGCONT); });
        const QString sock = p.path(QStringLiteral(".dfm/daemon.sock"));
        auto filesKept = [&] {
            return QFile::exists(p.path(QStringLiteral(".dfm/daemon.json"))) && QFile::exists(sock);
        };
        Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("status")}, p.root(), 30000, env());
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.startsWith(QStringLiteral("dfm daemon: running for %1 but not answering: pid %2 holds ")
                                      .arg(p.root()).arg(st.pid)),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("it is stopped: `kill -CONT %1` resumes it").arg(st.pid)), qPrintable(r.out));
        QVERIFY(filesKept());
        r = runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root(), 30000, env());
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("it is not answering")), qPrintable(r.err));
        QVERIFY(filesKept());
        r = runDfm({QStringLiteral("daemon"), QStringLiteral("start")}, p.root(), 30000, env());
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("already runs for %1 but is not answering").arg(p.root())), qPrintable(r.err));
        QVERIFY(filesKept());
        r = runDfm({QStringLiteral("run"), QStringLiteral("--all")}, p.root(), 30000, env());
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.startsWith(QStringLiteral("dfm run: the daemon for %1 is not answering: ").arg(p.root())), qPrintable(r.err));
        QVERIFY(filesKept());
        QCOMPARE(daemonsOf(p.root()).size(), 1);

        // Resumed, it answers and stops as usual.
        ::kill(pid_t(st.pid), SIGCONT);
        r = runDfm({QStringLiteral("daemon"), QStringLiteral("status")}, p.root(), 30000, env());
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        r = runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root(), 30000, env());
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    }

    void softDescriptorLimitIsRaisedToTheHardOne()
    {
        TempProject p;
        start(p, env(), QStringLiteral("ulimit -S -n 200"));
        QFile limits(QStringLiteral("/proc/%1/limits").arg(state(p).pid));
        QVERIFY(limits.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(limits.readAll());
        const QStringList f = text.section(QStringLiteral("Max open files"), 1, 1).section(u'\n', 0, 0).simplified().split(u' ');
        QVERIFY2(f.size() >= 2 && f.at(0) == f.at(1) && f.at(0) != QLatin1String("200"), qPrintable(text));
        QVERIFY2(logText(p).contains(QStringLiteral("descriptor limit raised from 200 to %1").arg(f.at(1))), qPrintable(logText(p)));
    }

    void runningOutOfDescriptorsNeverLosesTheSocket()
    {
        TempProject p;
        // Soft and hard limit both small, so the daemon cannot raise it.
        start(p, env({QStringLiteral("DFM_CLIENT_IDLE_TIMEOUT_MS=60000")}), QStringLiteral("ulimit -n 64"));
        const QString sock = p.path(QStringLiteral(".dfm/daemon.sock"));
        std::vector<int> flood;
        auto closeFlood = qScopeGuard([&] {
            for (int fd : flood)
                ::close(fd);
        });
        for (int i = 0; i < 100; ++i) {
            const int fd = rawConnect(sock);
            if (fd >= 0)
                flood.push_back(fd);
        }
        QTRY_VERIFY_WITH_TIMEOUT(logText(p).contains(QStringLiteral("cannot accept on %1: Too many open files; "
                                                                    "pausing accepts").arg(sock)),
                                 20000);
        QVERIFY(isSocketFile(sock));
        QVERIFY(pidAlive(state(p).pid));
        // The silent ones go; the daemon answers again on the same socket.
        for (int fd : flood)
            ::close(fd);
        flood.clear();
        QTRY_VERIFY_WITH_TIMEOUT(pings(p), 30000);
        QVERIFY(logText(p).contains(QStringLiteral("accepting on %1 again").arg(sock)));
        QCOMPARE(runTask(p, QStringLiteral("exit 3")), 3);
    }

    void removedSocketFileIsRecreated()
    {
        TempProject p;
        start(p, env());
        const QString sock = p.path(QStringLiteral(".dfm/daemon.sock"));
        QVERIFY(QFile::remove(sock));
        QTRY_VERIFY_WITH_TIMEOUT(isSocketFile(sock), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(pings(p), 10000);
        QVERIFY(logText(p).contains(QStringLiteral("the socket %1 was removed or replaced; listening on it again").arg(sock)));
    }

    void unregisteredWorkerConnectionsAreSmallAndFew()
    {
        TempProject p;
        start(p, env({QStringLiteral("DFM_REGISTER_TIMEOUT_MS=60000")}));
        const quint16 port = quint16(state(p).workerPort);
        // Before registering, a line may be only a few KiB.
        QTcpSocket big;
        big.connectToHost(QStringLiteral("127.0.0.1"), port);
        QVERIFY(big.waitForConnected(5000));
        big.write(QByteArray(5000, 'x'));
        QCOMPARE(readLine(big).value(QLatin1String("error")).toString(),
                 QStringLiteral("Line too long: a message exceeds 4096 bytes; closing the connection"));
        QTRY_COMPARE_WITH_TIMEOUT(big.state(), QAbstractSocket::UnconnectedState, 10000);

        // At most 64 connections may wait to register; the rest are closed at once.
        std::vector<std::unique_ptr<QTcpSocket>> silent;
        for (int i = 0; i < 80; ++i) {
            silent.push_back(std::make_unique<QTcpSocket>());
            silent.back()->connectToHost(QStringLiteral("127.0.0.1"), port);
            QVERIFY(silent.back()->waitForConnected(5000));
        }
        auto closedCount = [&] {
            return std::count_if(silent.begin(), silent.end(), [](const auto &s) {
                return s->state() == QAbstractSocket::UnconnectedState;
            });
        };
        QTRY_COMPARE_WITH_TIMEOUT(closedCount(), 16, 20000);
        QVERIFY(logText(p).contains(QStringLiteral("64 worker connections have not registered yet; refusing more")));
        silent.clear();
        // Real workers register once the squatters are gone.
        QCOMPARE(runTask(p, QStringLiteral("exit 4")), 4);
    }

    void silentClientsAreCapped()
    {
        TempProject p;
        start(p, env({QStringLiteral("DFM_CLIENT_IDLE_TIMEOUT_MS=60000"), QStringLiteral("DFM_MAX_SILENT_CLIENTS=4")}));
        const QString sock = p.path(QStringLiteral(".dfm/daemon.sock"));
        std::vector<std::unique_ptr<QLocalSocket>> silent;
        for (int i = 0; i < 8; ++i) {
            silent.push_back(std::make_unique<QLocalSocket>());
            silent.back()->connectToServer(sock);
            QVERIFY(silent.back()->waitForConnected(5000));
        }
        auto closedCount = [&] {
            return std::count_if(silent.begin(), silent.end(), [](const auto &s) {
                return s->state() == QLocalSocket::UnconnectedState;
            });
        };
        QTRY_COMPARE_WITH_TIMEOUT(closedCount(), 4, 20000);
        QVERIFY(logText(p).contains(QStringLiteral("4 clients are connected without having sent anything; refusing more")));
        // One that speaks is no longer silent, and makes room.
        silent.front()->write(proto::encode(proto::request(proto::kPing, 1)));
        QCOMPARE(readLine(*silent.front()).value(QLatin1String("result")).toString(), QStringLiteral("pong"));
        QVERIFY(pings(p));
    }

    void clientStillSendingItsFirstLineIsNotDroppedAsSilent()
    {
        // The idle timeout is 1 s here; this client takes 2.5 s to send its
        // first line, a few bytes at a time (a large submit on a loaded
        // machine). It is answered; before, it was dropped as "sent nothing".
        TempProject p;
        start(p, env());
        const int fd = rawConnect(p.path(QStringLiteral(".dfm/daemon.sock")));
        QVERIFY(fd >= 0);
        auto closeFd = qScopeGuard([fd] { ::close(fd); });
        auto put = [fd](const QByteArray &b) {
            return ::send(fd, b.constData(), size_t(b.size()), MSG_NOSIGNAL) == ssize_t(b.size());
        };
        QVERIFY(put("{\"method\": \"ping\", \"id\": 1"));
        for (int i = 0; i < 6; ++i) {
            QTest::qWait(400); // pacing the input is what is tested
            QVERIFY(put("    "));
        }
        QVERIFY(put("}\n"));
        QVERIFY(::shutdown(fd, SHUT_WR) == 0);
        QVERIFY(readToEnd(fd, 10000).contains("\"result\":\"pong\""));

        // One that stops in the middle of its first line is dropped, and the
        // log says so.
        const int quiet = rawConnect(p.path(QStringLiteral(".dfm/daemon.sock")));
        QVERIFY(quiet >= 0);
        auto closeQuiet = qScopeGuard([quiet] { ::close(quiet); });
        QVERIFY(::send(quiet, "{\"method\"", 9, MSG_NOSIGNAL) == 9);
        QElapsedTimer t;
        t.start();
        readToEnd(quiet, 20000);
        QVERIFY(t.elapsed() < 20000);
        QTRY_VERIFY_WITH_TIMEOUT(logText(p).contains(QRegularExpression(QStringLiteral("client \\d+ sent no complete line in 2000 ms; dropped"))),
                                 10000);
        QVERIFY(pings(p));
    }

    void clientThatNeverReadsIsDroppedAndLoggedOnce()
    {
        TempProject p;
        start(p, env({QStringLiteral("DFM_CLIENT_OUTPUT_CAP=262144")}));
        const int fd = rawConnect(p.path(QStringLiteral(".dfm/daemon.sock")));
        QVERIFY(fd >= 0);
        auto closeFd = qScopeGuard([fd] { ::close(fd); });
        const QByteArray req = proto::encode(proto::request(proto::kStatusGet, 1));
        QByteArray many;
        for (int i = 0; i < 20000; ++i)
            many += req;
        qsizetype sent = 0;
        while (sent < many.size()) {
            const ssize_t n = ::send(fd, many.constData() + sent, size_t(many.size() - sent), MSG_NOSIGNAL);
            if (n <= 0)
                break; // dropped while we were still writing
            sent += n;
        }
        QTRY_VERIFY_WITH_TIMEOUT(logText(p).contains(QStringLiteral("is not reading")), 30000);
        const QString log = logText(p);
        QCOMPARE(log.count(QStringLiteral("is not reading")), 1);
        QVERIFY2(log.contains(QRegularExpression(QStringLiteral("client \\d+: client is not reading \\(\\d+ bytes queued, over the 262144 cap\\); dropped"))),
                 qPrintable(log));
        // It was really closed: what it has not read ends with EOF.
        QElapsedTimer t;
        t.start();
        readToEnd(fd, 20000);
        QVERIFY(t.elapsed() < 20000);
        QVERIFY(pings(p));
    }

    void halfClosedClientStillGetsItsAnswers()
    {
        TempProject p;
        start(p, env());
        for (int i = 0; i < 30; ++i) {
            const int fd = rawConnect(p.path(QStringLiteral(".dfm/daemon.sock")));
            QVERIFY(fd >= 0);
            const QByteArray two = proto::encode(proto::request(proto::kPing, 1)) + proto::encode(proto::request(proto::kPing, 2));
            QCOMPARE(::send(fd, two.constData(), size_t(two.size()), MSG_NOSIGNAL), ssize_t(two.size()));
            ::shutdown(fd, SHUT_WR);
            const QByteArray got = readToEnd(fd, 10000);
            ::close(fd);
            QCOMPARE(got.count("\"result\":\"pong\""), 2);
        }
        // A submit is answered when its task ends, after the end of input;
        // the daemon then closes the connection.
        const int fd = rawConnect(p.path(QStringLiteral(".dfm/daemon.sock")));
        QVERIFY(fd >= 0);
        const QJsonObject params{{QStringLiteral("request_id"), QStringLiteral("late")},
                                 {QStringLiteral("name"), QStringLiteral("late")},
                                 {QStringLiteral("shell"), QStringLiteral("bash")},
                                 {QStringLiteral("body"), QStringLiteral("sleep 1; exit 5")},
                                 {QStringLiteral("rundir"), p.path(QStringLiteral("late"))}};
        const QByteArray submit = proto::encode(proto::request(proto::kTaskSubmit, 7, params));
        QCOMPARE(::send(fd, submit.constData(), size_t(submit.size()), MSG_NOSIGNAL), ssize_t(submit.size()));
        ::shutdown(fd, SHUT_WR);
        const QByteArray got = readToEnd(fd, 60000);
        ::close(fd);
        const QJsonObject reply = QJsonDocument::fromJson(got).object();
        QCOMPARE(reply.value(QLatin1String("id")).toInt(), 7);
        QCOMPARE(reply.value(QLatin1String("result")).toObject().value(QLatin1String("status")).toInt(), 5);
    }

    void plantedSymlinksInDfmAreNotFollowed()
    {
        TempProject p;
        p.write(QStringLiteral("victim"), "keep");
        QVERIFY(QDir().mkpath(p.path(QStringLiteral(".dfm/workers"))));
        const QString victim = p.path(QStringLiteral("victim"));
        QVERIFY(QFile::link(victim, p.path(QStringLiteral(".dfm/worker.token"))));
        QVERIFY(QFile::link(victim, p.path(QStringLiteral(".dfm/workers/w1.log"))));
        QVERIFY(QFile::link(victim, p.path(QStringLiteral(".dfm/daemon.json"))));
        QVERIFY(QFile::link(victim, p.path(QStringLiteral(".dfm/daemon.lock.x"))));
        start(p, env());
        QCOMPARE(runTask(p, QStringLiteral("echo hello")), 0);
        QFile v(victim);
        QVERIFY(v.open(QIODevice::ReadOnly));
        QCOMPARE(v.readAll(), QByteArray("keep"));
        for (const char *f : {".dfm/worker.token", ".dfm/workers/w1.log", ".dfm/daemon.json"})
            QVERIFY2(!QFileInfo(p.path(QLatin1String(f))).isSymLink(), f);
    }

    void symlinkedDaemonLogIsRefusedWithTheFix()
    {
        TempProject p;
        p.write(QStringLiteral("victim"), "keep");
        QVERIFY(QDir().mkpath(p.path(QStringLiteral(".dfm"))));
        QVERIFY(QFile::link(p.path(QStringLiteral("victim")), p.path(QStringLiteral(".dfm/daemon.log"))));
        const Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("start")}, p.root(), 30000, env());
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err, QStringLiteral("dfm daemon: refusing to write %1: it is a symbolic link; remove it\n")
                            .arg(p.path(QStringLiteral(".dfm/daemon.log"))));
    }

    void clientRefusesAStateFileThatIsNotItsOwn()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n  name: p\n  tasks:\n  - name: a\n    run: \"true\"\n");
        // Someone else's daemon.json, reached through a link.
        p.write(QStringLiteral("elsewhere.json"),
                QStringLiteral(R"({"pid": %1, "socket": "/tmp/theirs.sock"})").arg(QCoreApplication::applicationPid()).toUtf8());
        QVERIFY(QDir().mkpath(p.path(QStringLiteral(".dfm"))));
        QVERIFY(QFile::link(p.path(QStringLiteral("elsewhere.json")), p.path(QStringLiteral(".dfm/daemon.json"))));
        Run r = runDfm({QStringLiteral("run"), QStringLiteral("--all")}, p.root(), 30000, env());
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err, QStringLiteral("dfm run: refusing to use %1: it is a symbolic link\n")
                            .arg(p.path(QStringLiteral(".dfm/daemon.json"))));
        r = runDfm({QStringLiteral("daemon"), QStringLiteral("status"), QStringLiteral("--json")}, p.root(), 30000, env());
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QLatin1String("state")).toString(),
                 QStringLiteral("unsafe"));
        QVERIFY(QFileInfo(p.path(QStringLiteral(".dfm/daemon.json"))).isSymLink()); // left for the user to look at
    }

    void dfmDirOfAnotherUserIsRefused()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to give a directory to another user");
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n  name: p\n  tasks:\n  - name: a\n    run: \"true\"\n");
        QVERIFY(QDir().mkpath(p.path(QStringLiteral(".dfm"))));
        QCOMPARE(::chown(QFile::encodeName(p.path(QStringLiteral(".dfm"))).constData(), 65534, 65534), 0);
        const QString why = QStringLiteral("refusing to use %1: it belongs to uid 65534, not to you (uid 0), so its "
                                           "owner could plant files in it; remove it (`rm -rf %1`) or ask its owner to")
                                .arg(p.path(QStringLiteral(".dfm")));
        Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("start")}, p.root(), 30000, env());
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err, QStringLiteral("dfm daemon: %1\n").arg(why));
        r = runDfm({QStringLiteral("run"), QStringLiteral("--all")}, p.root(), 30000, env());
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err, QStringLiteral("dfm run: %1\n").arg(why));
    }

    void fullDiskStartPrintsTheReasonAndLeavesNoDaemon()
    {
        if (::geteuid() != 0)
            QSKIP("needs root to mount a tiny tmpfs");
        QTemporaryDir outer;
        const QString root = outer.filePath(QStringLiteral("proj"));
        QVERIFY(QDir().mkdir(root));
        if (::mount("tmpfs", QFile::encodeName(root).constData(), "tmpfs", 0, "size=64k,mode=0700") != 0)
            QSKIP("cannot mount a tmpfs here");
        auto unmount = qScopeGuard([&] {
            for (qint64 pid : processesMatching(root))
                ::kill(pid_t(pid), SIGKILL);
            ::umount2(QFile::encodeName(root).constData(), MNT_DETACH);
        });
        QVERIFY(QDir().mkpath(root + QStringLiteral("/.dfm/workers")));
        QFile filler(root + QStringLiteral("/filler"));
        QVERIFY(filler.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
        const QByteArray block(4096, 'f');
        while (filler.write(block) == block.size()) {
        }
        filler.close();
        const Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("start")}, root, 30000, env());
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.startsWith(QStringLiteral("dfm daemon: the daemon could not start: cannot write %1/.dfm/")
                                      .arg(root)),
                 qPrintable(r.err));
        QVERIFY2(r.err.endsWith(QStringLiteral(": No space left on device\n")), qPrintable(r.err));
        QVERIFY(!QFile::exists(root + QStringLiteral("/.dfm/daemon.json")));
        QVERIFY(!QFile::exists(root + QStringLiteral("/.dfm/worker.token")));
        QTRY_VERIFY_WITH_TIMEOUT(processesMatching(QStringLiteral("--root %1").arg(root)).isEmpty(), 10000);
    }
};

QTEST_GUILESS_MAIN(TestHardening)
#include "tst_hardening.moc"
