// The worker port on its own: TcpWorkerTransport's listening socket (the
// address it binds, accepting, running out of descriptors, stopping) with
// workers played by the test over real TCP, and where setWorkerAddress
// tells it to listen.

#include "launcherfactory.h"
#include "netaddress.h"
#include "workerpeer.h"
#include "workertransport.h"

#include <QFile>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <memory>
#include <vector>

using namespace dfm;

namespace {

// A worker's connection, played by the test while the transport runs in
// this thread's event loop.
using Peer = dfm::test::WorkerPeer;

// Uses up every free descriptor of this process until destroyed (the soft
// limit lowered to at most 1024 first, so that does not take long).
class DescriptorFlood {
public:
    DescriptorFlood()
    {
        ::getrlimit(RLIMIT_NOFILE, &m_old);
        rlimit low = m_old;
        low.rlim_cur = qMin<rlim_t>(m_old.rlim_cur, 1024);
        ::setrlimit(RLIMIT_NOFILE, &low);
        for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;)
            m_fds.push_back(fd);
    }
    ~DescriptorFlood()
    {
        for (int fd : m_fds)
            ::close(fd);
        ::setrlimit(RLIMIT_NOFILE, &m_old);
    }
    DescriptorFlood(const DescriptorFlood &) = delete;
    DescriptorFlood &operator=(const DescriptorFlood &) = delete;

private:
    rlimit m_old{};
    std::vector<int> m_fds;
};

} // namespace

class TestWorkerPort : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QStringList m_log;

    // A transport on `address` admitting every worker; opened.
    std::unique_ptr<TcpWorkerTransport> open(const NetAddress &address, int registerTimeoutMs = 5000)
    {
        auto t = std::make_unique<TcpWorkerTransport>(address, m_dir.filePath(QStringLiteral("worker.token")),
                                                      registerTimeoutMs);
        t->setAdmission([](const proto::WorkerRegistration &) { return QString(); });
        connect(t.get(), &WorkerTransport::logMessage, this, [this](const QString &l) { m_log << l; });
        QString err;
        if (!t->open(&err))
            qWarning("open: %s", qPrintable(err));
        return t;
    }
    QString token() const
    {
        QFile f(m_dir.filePath(QStringLiteral("worker.token")));
        return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readAll()) : QString();
    }
    bool logged(const QString &text) const
    {
        return std::any_of(m_log.begin(), m_log.end(), [&](const QString &l) { return l.contains(text); });
    }

private Q_SLOTS:
    void init() { m_log.clear(); }

    void numericAddressesParseAndPrintBack()
    {
        NetAddress a;
        QVERIFY(NetAddress::parse(QStringLiteral("10.1.2.3"), &a));
        QCOMPARE(a.toString(), QStringLiteral("10.1.2.3"));
        QVERIFY(NetAddress::parse(QStringLiteral("::1"), &a));
        QCOMPARE(a.toString(), QStringLiteral("::1"));
        QVERIFY(!NetAddress::parse(QStringLiteral("localhost"), &a));
        QVERIFY(!NetAddress::parse(QString(), &a));
        QCOMPARE(NetAddress::localHost().toString(), QStringLiteral("127.0.0.1"));
        QVERIFY(NetAddress().isNull());
    }

    void registeredWorkerIsHeardAndItsClosingReported()
    {
        auto t = open(NetAddress::localHost());
        QVERIFY(t->port() > 0);
        QSignalSpy registered(t.get(), &WorkerTransport::workerRegistered);
        QSignalSpy heard(t.get(), &WorkerTransport::messageReceived);
        QSignalSpy gone(t.get(), &WorkerTransport::workerDisconnected);
        auto w = std::make_unique<Peer>();
        QVERIFY(w->connectTo(QStringLiteral("127.0.0.1"), t->port()));
        QVERIFY(w->registerAs(QStringLiteral("w1"), token()));
        QCOMPARE(registered.size(), 1);
        w->send(proto::event(proto::kWorkerHeartbeat, {{QStringLiteral("worker_id"), QStringLiteral("w1")}}));
        QTRY_COMPARE(heard.size(), 1);
        QVERIFY(t->send(QStringLiteral("w1"), proto::event(proto::kWorkerShutdown, {})));
        QCOMPARE(w->next().value(QLatin1String("method")).toString(), QString(proto::kWorkerShutdown));

        // The worker closing its end is the end of it, reported once.
        w.reset();
        QTRY_COMPARE(gone.size(), 1);
        QCOMPARE(gone.first().at(0).toString(), QStringLiteral("w1"));
        QCOMPARE(gone.first().at(1).toString(), QStringLiteral("connection closed"));
        QVERIFY(!t->send(QStringLiteral("w1"), proto::event(proto::kWorkerShutdown, {})));
    }

    void connectionsClosedBeforeRegisteringLeaveNoTrace()
    {
        // More than the 64 unregistered connections allowed at once come
        // and go; none of them counts afterwards (the timeout is far off).
        auto t = open(NetAddress::localHost(), 60000);
        for (int i = 0; i < 70; ++i) {
            Peer p;
            QVERIFY(p.connectTo(QStringLiteral("127.0.0.1"), t->port()));
            QTest::qWait(1);
        }
        // Their closing is handled from the event loop, so a worker that
        // comes at once may still find the port full; it is not for long.
        auto registers = [&] {
            Peer w;
            return w.connectTo(QStringLiteral("127.0.0.1"), t->port()) && w.registerAs(QStringLiteral("w1"), token());
        };
        QTRY_VERIFY_WITH_TIMEOUT(registers(), 5000);
    }

    void listensOnlyOnTheRequestedAddress()
    {
        NetAddress second;
        QVERIFY(NetAddress::parse(QStringLiteral("127.0.0.2"), &second));
        auto t = open(second);
        QVERIFY(t->port() > 0);
        Peer elsewhere;
        elsewhere.sock.connectToHost(QStringLiteral("127.0.0.1"), t->port());
        QVERIFY(!elsewhere.sock.waitForConnected(5000));
        QCOMPARE(elsewhere.sock.error(), QAbstractSocket::ConnectionRefusedError);
        Peer w;
        QVERIFY(w.connectTo(QStringLiteral("127.0.0.2"), t->port()));
        QVERIFY(w.registerAs(QStringLiteral("w1"), token()));
    }

    void listensOnIpv6()
    {
        if (!QFile::exists(QStringLiteral("/proc/net/if_inet6")))
            QSKIP("no IPv6 on this host");
        NetAddress v6;
        QVERIFY(NetAddress::parse(QStringLiteral("::1"), &v6));
        auto t = open(v6);
        QVERIFY2(t->port() > 0, qPrintable(m_log.join(u'\n')));
        Peer w;
        QVERIFY(w.connectTo(QStringLiteral("::1"), t->port()));
        QVERIFY(w.registerAs(QStringLiteral("w1"), token()));
    }

    void unusableAddressIsRefusedWithTheReason()
    {
        NetAddress foreign;
        QVERIFY(NetAddress::parse(QStringLiteral("192.0.2.1"), &foreign)); // TEST-NET-1, never ours
        TcpWorkerTransport t(foreign, m_dir.filePath(QStringLiteral("worker.token")), 5000);
        QString err;
        QVERIFY(!t.open(&err));
        QCOMPARE(err, QStringLiteral("cannot listen for workers on 192.0.2.1: Cannot assign requested address"));
        QCOMPARE(t.port(), quint16(0));
    }

    void runningOutOfDescriptorsPausesAcceptingUntilTheyAreFree()
    {
        auto t = open(NetAddress::localHost());
        const QString where = QStringLiteral("the worker port 127.0.0.1:%1").arg(t->port());
        // Connected in the kernel's backlog, not accepted yet: the event
        // loop has not run.
        Peer w;
        QVERIFY(w.connectTo(QStringLiteral("127.0.0.1"), t->port()));
        {
            DescriptorFlood flood;
            QTRY_VERIFY(logged(QStringLiteral("cannot accept on %1: Too many open files; pausing accepts for "
                                              "100 ms at a time until descriptors are free (the socket stays open)")
                                   .arg(where)));
            QTest::qWait(250); // a few pauses, each failing again
        }
        QTRY_VERIFY(logged(QStringLiteral("accepting on %1 again (").arg(where)));
        QVERIFY(w.registerAs(QStringLiteral("w1"), token()));
    }

    void stoppedPortTakesNoMoreConnections()
    {
        auto t = open(NetAddress::localHost());
        const quint16 port = t->port();
        Peer w;
        QVERIFY(w.connectTo(QStringLiteral("127.0.0.1"), port));
        QVERIFY(w.registerAs(QStringLiteral("w1"), token()));
        t->stopAccepting();
        QCOMPARE(t->port(), quint16(0));
        Peer late;
        late.sock.connectToHost(QStringLiteral("127.0.0.1"), port);
        QVERIFY(!late.sock.waitForConnected(5000));
        // The registered one stays.
        QVERIFY(t->send(QStringLiteral("w1"), proto::event(proto::kWorkerShutdown, {})));
        QCOMPARE(w.next().value(QLatin1String("method")).toString(), QString(proto::kWorkerShutdown));
    }

    void clusterWorkerAddressIsResolvedOnceOrRefusedWithTheFix()
    {
        RunnerConfig config;
        config.runner = QStringLiteral("slurm");
        EngineOptions options;
        QString err;

        config.workerHost = QStringLiteral("127.0.0.1");
        QVERIFY(setWorkerAddress(config, &options, &err));
        QCOMPARE(options.listenAddress.toString(), QStringLiteral("127.0.0.1"));
        QCOMPARE(options.connectHost, QStringLiteral("127.0.0.1"));

        config.workerHost = QStringLiteral("localhost");
        QVERIFY2(setWorkerAddress(config, &options, &err), qPrintable(err));
        QVERIFY2(options.listenAddress.toString() == QLatin1String("127.0.0.1")
                     || options.listenAddress.toString() == QLatin1String("::1"),
                 qPrintable(options.listenAddress.toString()));
        QCOMPARE(options.connectHost, QStringLiteral("localhost"));

        config.workerHost = QStringLiteral("no such host"); // refused without asking a name server
        QVERIFY(!setWorkerAddress(config, &options, &err));
        QVERIFY2(err.startsWith(QStringLiteral("runner.worker_host: cannot resolve 'no such host' (")),
                 qPrintable(err));
        QVERIFY2(err.endsWith(QStringLiteral("); set runner.worker_host to a name or address compute nodes can reach")),
                 qPrintable(err));

        // The local runner keeps the loopback.
        EngineOptions local;
        config.runner = QStringLiteral("local");
        QVERIFY(setWorkerAddress(config, &local, &err));
        QCOMPARE(local.listenAddress.toString(), QStringLiteral("127.0.0.1"));
    }
};

QTEST_GUILESS_MAIN(TestWorkerPort)
#include "tst_workerport.moc"
