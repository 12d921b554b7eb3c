// The clients' own connects: DaemonClient to the daemon's Unix socket and
// TcpConnect (the worker's connection back), with the errors they give.

#include "daemonclient.h"
#include "tcpconnect.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace dfm;

namespace {

/// A Unix socket bound to `path`; listening with `backlog` unless it is < 0.
int unixListener(const QString &path, int backlog)
{
    const QByteArray name = QFile::encodeName(path);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, name.constData(), size_t(name.size()));
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0
        || (backlog >= 0 && ::listen(fd, backlog) != 0))
        return -1;
    return fd;
}

/// A TCP socket on 127.0.0.1 with a free port; listening with `backlog`
/// unless it is < 0.
int tcpListener(int backlog, quint16 *port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0
        || ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0
        || (backlog >= 0 && ::listen(fd, backlog) != 0))
        return -1;
    *port = ntohs(addr.sin_port);
    return fd;
}

} // namespace

class TestConnect : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private Q_SLOTS:
    void daemonSocketMissing()
    {
        const QString path = m_dir.filePath(QStringLiteral("none.sock"));
        DaemonClient c;
        QString err;
        QVERIFY(!c.connectTo(path, 5000, &err));
        QCOMPARE(err, QStringLiteral("cannot connect to %1: No such file or directory").arg(path));
        QVERIFY(!c.isConnected());
        QVERIFY(!c.call(QLatin1String("ping"), {}, nullptr, &err, 100));
        QCOMPARE(err, QStringLiteral("not connected"));
    }

    void daemonSocketRefused()
    {
        // Bound but not listening: what a daemon that died leaves behind.
        const QString path = m_dir.filePath(QStringLiteral("dead.sock"));
        const int fd = unixListener(path, -1);
        QVERIFY(fd >= 0);
        DaemonClient c;
        QString err;
        QElapsedTimer t;
        t.start();
        QVERIFY(!c.connectTo(path, 5000, &err));
        QVERIFY(t.elapsed() < 2000); // at once, not after the timeout
        QCOMPARE(err, QStringLiteral("cannot connect to %1: Connection refused").arg(path));
        ::close(fd);
    }

    void daemonSocketPathTooLong()
    {
        const QString path = m_dir.filePath(QString(120, u'p'));
        DaemonClient c;
        QString err;
        QVERIFY(!c.connectTo(path, 5000, &err));
        QCOMPARE(err, QStringLiteral("cannot connect to %1: the path is %2 bytes long; a socket path "
                                     "has at most 107")
                          .arg(path)
                          .arg(QFile::encodeName(path).size()));
    }

    void daemonBacklogFullTimesOut()
    {
        const QString path = m_dir.filePath(QStringLiteral("busy.sock"));
        const int listener = unixListener(path, 0);
        QVERIFY(listener >= 0);
        // Fill the backlog: connects that are never accepted.
        QList<int> waiting;
        QString err;
        for (int i = 0; i < 64; ++i) {
            const int fd = connectUnixSocket(path, 0, &err);
            if (fd < 0)
                break;
            waiting << fd;
        }
        QVERIFY2(err.endsWith(QStringLiteral("the listener's backlog stayed full for 0 ms")), qPrintable(err));
        DaemonClient c;
        QElapsedTimer t;
        t.start();
        QVERIFY(!c.connectTo(path, 200, &err));
        QVERIFY(t.elapsed() >= 190);
        QCOMPARE(err, QStringLiteral("cannot connect to %1: the listener's backlog stayed full for 200 ms").arg(path));
        // Room made while it waits: it gets in.
        QThread *worker = QThread::create([&] {
            QThread::msleep(100);
            ::close(::accept(listener, nullptr, nullptr));
        });
        worker->start();
        const int fd = connectUnixSocket(path, 5000, &err);
        worker->wait();
        delete worker;
        QVERIFY2(fd >= 0, qPrintable(err));
        ::close(fd);
        for (int w : waiting)
            ::close(w);
        ::close(listener);
    }

    void tcpConnects()
    {
        quint16 port = 0;
        const int listener = tcpListener(4, &port);
        QVERIFY(listener >= 0);
        TcpConnect tc;
        QSignalSpy ok(&tc, &TcpConnect::connected);
        QSignalSpy failed(&tc, &TcpConnect::failed);
        tc.start(QStringLiteral("localhost"), port, 5000);
        QCOMPARE(ok.size(), 0); // told from the event loop
        QTRY_COMPARE_WITH_TIMEOUT(ok.size(), 1, 5000);
        QCOMPARE(failed.size(), 0);
        const int fd = ok.at(0).at(0).toInt();
        QVERIFY(fd >= 0);
        const int peer = ::accept(listener, nullptr, nullptr);
        QVERIFY(peer >= 0);
        QCOMPARE(::write(fd, "hi", 2), ssize_t(2));
        char buf[2];
        QCOMPARE(::read(peer, buf, 2), ssize_t(2));
        ::close(peer);
        ::close(fd);
        ::close(listener);
    }

    void tcpRefused()
    {
        quint16 port = 0;
        const int bound = tcpListener(-1, &port); // bound, not listening: refused
        QVERIFY(bound >= 0);
        TcpConnect tc;
        QSignalSpy ok(&tc, &TcpConnect::connected);
        QSignalSpy failed(&tc, &TcpConnect::failed);
        tc.start(QStringLiteral("127.0.0.1"), port, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
        QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("Connection refused"));
        QCOMPARE(ok.size(), 0);
        ::close(bound);
    }

    // A name that cannot resolve fails at once, in the resolver's words,
    // from the event loop. (One with spaces: the resolver refuses it
    // without asking a name server.)
    void tcpHostNotFound()
    {
        TcpConnect tc;
        QSignalSpy ok(&tc, &TcpConnect::connected);
        QSignalSpy failed(&tc, &TcpConnect::failed);
        tc.start(QStringLiteral("no such host"), 1, 5000);
        QCOMPARE(failed.size(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 5000);
        const QString why = failed.at(0).at(0).toString();
        QVERIFY2(why.startsWith(QStringLiteral("Host not found (")) && why.size() > 17, qPrintable(why));
        QCOMPARE(ok.size(), 0);
    }

    void tcpTimesOut()
    {
        // A listener whose accept queue is full drops further SYNs: the
        // connect neither succeeds nor fails.
        quint16 port = 0;
        const int listener = tcpListener(0, &port);
        QVERIFY(listener >= 0);
        QList<TcpConnect *> fillers;
        TcpConnect tc;
        QSignalSpy ok(&tc, &TcpConnect::connected);
        QSignalSpy failed(&tc, &TcpConnect::failed);
        for (int i = 0; i < 4; ++i) {
            fillers << new TcpConnect(this);
            fillers.last()->start(QStringLiteral("127.0.0.1"), port, 5000);
        }
        QTest::qWait(200);
        tc.start(QStringLiteral("127.0.0.1"), port, 300);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size() + ok.size(), 1, 5000);
        QCOMPARE(ok.size(), 0);
        QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("no answer within 300 ms"));
        qDeleteAll(fillers);
        ::close(listener);
    }

    void tcpCancelTellsNothing()
    {
        quint16 port = 0;
        const int bound = tcpListener(-1, &port);
        QVERIFY(bound >= 0);
        TcpConnect tc;
        QSignalSpy ok(&tc, &TcpConnect::connected);
        QSignalSpy failed(&tc, &TcpConnect::failed);
        tc.start(QStringLiteral("127.0.0.1"), port, 5000);
        tc.cancel();
        QTest::qWait(100);
        QCOMPARE(failed.size() + ok.size(), 0);
        ::close(bound);
    }
};

QTEST_GUILESS_MAIN(TestConnect)
#include "tst_connect.moc"
