// LineTransport: the one framing/parsing connection of daemon, client and
// worker, over a real Unix socket pair in this process.

#include "daemonclient.h"
#include "fdsocket.h"
#include "linetransport.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <memory>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace dfm;

class TestLineTransport : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    // A connected pair: *peer (the test's end, to write raw bytes) and the
    // end the transport works on.
    static void pair(std::unique_ptr<FdSocket> *peer, std::unique_ptr<FdSocket> *end)
    {
        int sv[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        peer->reset(new FdSocket(sv[0]));
        end->reset(new FdSocket(sv[1]));
    }

    static QList<QByteArray> methods(const QSignalSpy &spy)
    {
        QList<QByteArray> out;
        for (const QList<QVariant> &args : spy)
            out << args.at(0).value<proto::Message>().method.toUtf8();
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<proto::Message>("dfm::proto::Message");
    }

    void badLineIsReportedAndTheNextLineStillArrives_data()
    {
        QTest::addColumn<int>("role");
        QTest::newRow("server") << int(LineTransport::Role::Server);
        QTest::newRow("client") << int(LineTransport::Role::Client);
    }

    void badLineIsReportedAndTheNextLineStillArrives()
    {
        QFETCH(int, role);
        std::unique_ptr<FdSocket> peer, end;
        pair(&peer, &end);
        LineTransport t(end.get(), LineTransport::Role(role));
        QSignalSpy msgs(&t, &LineTransport::messageReceived);
        QSignalSpy bad(&t, &LineTransport::badLine);
        peer->write("not json\n{\"method\": \"a\", \"params\": {}}\n");
        peer->flush();
        QTRY_COMPARE_WITH_TIMEOUT(msgs.size(), 1, 5000);
        QCOMPARE(bad.size(), 1);
        QVERIFY(bad.at(0).at(0).toString().startsWith(QStringLiteral("Invalid JSON: ")));
        QCOMPARE(methods(msgs), QList<QByteArray>{"a"});
        QVERIFY(t.isOpen());
        // Only the server answers a bad line.
        if (LineTransport::Role(role) == LineTransport::Role::Server) {
            QTRY_VERIFY_WITH_TIMEOUT(peer->canReadLine(), 5000);
            QVERIFY(peer->readLine().startsWith("{\"error\":\"Invalid JSON: "));
        } else {
            QTest::qWait(100);
            QCOMPARE(peer->bytesAvailable(), 0);
        }
    }

    // The daemon's way to its per-task messages: a filter sees each line
    // first; what it takes is neither parsed nor reported, the rest is.
    // A filter that removes itself while it runs is safe, and the lines
    // after it go to the parser.
    void aLineFilterTakesItsLinesFirstAndMayRemoveItself()
    {
        std::unique_ptr<FdSocket> peer, end;
        pair(&peer, &end);
        LineTransport t(end.get(), LineTransport::Role::Server);
        QSignalSpy msgs(&t, &LineTransport::messageReceived);
        QSignalSpy bad(&t, &LineTransport::badLine);
        QList<QByteArray> taken;
        t.setLineFilter([&](const QByteArray &line) {
            if (line.startsWith("take"))
                taken << line;
            if (line == "take and stop")
                t.setLineFilter({}); // destroys this filter once it returns
            return line.startsWith("take");
        });
        peer->write("{\"method\": \"a\"}\ntake 1\n{\"method\": \"b\"}\ntake and stop\ntake 2\n{\"method\": \"c\"}\n");
        peer->flush();
        QTRY_COMPARE_WITH_TIMEOUT(msgs.size() + bad.size(), 4, 5000);
        QCOMPARE(taken, (QList<QByteArray>{"take 1", "take and stop"}));
        QCOMPARE(methods(msgs), (QList<QByteArray>{"a", "b", "c"}));
        QCOMPARE(bad.size(), 1); // "take 2" reached the parser: not JSON
        QVERIFY(t.isOpen());
    }

    void overlongLineIsAnsweredAndCloses()
    {
        std::unique_ptr<FdSocket> peer, end;
        pair(&peer, &end);
        LineTransport t(end.get(), LineTransport::Role::Server);
        t.setMaxLineBytes(64);
        QSignalSpy bad(&t, &LineTransport::badLine);
        QSignalSpy closed(&t, &LineTransport::closed);
        peer->write(QByteArray(100, 'x'));
        peer->flush();
        QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, 5000);
        QCOMPARE(bad.size(), 1);
        QCOMPARE(bad.at(0).at(0).toString(),
                 QStringLiteral("Line too long: a message exceeds 64 bytes; closing the connection"));
        QTRY_VERIFY_WITH_TIMEOUT(peer->canReadLine(), 5000);
        QCOMPARE(peer->readLine(), QByteArray("{\"error\":\"Line too long: a message exceeds 64 bytes; closing the connection\"}\n"));
    }

    void loweringTheCapAppliesToWhatIsBuffered()
    {
        std::unique_ptr<FdSocket> peer, end;
        pair(&peer, &end);
        LineTransport t(end.get(), LineTransport::Role::Client);
        QSignalSpy bad(&t, &LineTransport::badLine);
        QSignalSpy arrived(end.get(), &QIODevice::readyRead);
        peer->write(QByteArray(200, 'x'));
        peer->flush();
        QTRY_VERIFY_WITH_TIMEOUT(arrived.size() > 0, 5000);
        t.processInput();
        QCOMPARE(bad.size(), 0);
        t.setMaxLineBytes(100);
        QCOMPARE(bad.size(), 1);
        QVERIFY(!t.isOpen());
    }

    void outputCapAbortsOnceAndClosedComesFromTheEventLoop()
    {
        int sv[2]; // sv[0]: the peer, which never reads
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        FdSocket end(sv[1]);
        LineTransport t(&end, LineTransport::Role::Server);
        t.setMaxOutputBytes(256 * 1024);
        QSignalSpy over(&t, &LineTransport::outputOverflow);
        QSignalSpy closed(&t, &LineTransport::closed);
        const QJsonObject big{{QStringLiteral("method"), QStringLiteral("e")},
                              {QStringLiteral("params"), QJsonObject{{QStringLiteral("x"), QString(4096, u'y')}}}};
        int sent = 0;
        while (t.send(big) && sent < 100000)
            ++sent;
        QVERIFY(sent < 100000);
        QCOMPARE(over.size(), 1);
        QVERIFY(over.at(0).at(0).toLongLong() > 256 * 1024);
        QCOMPARE(closed.size(), 0); // not from inside send()
        QVERIFY(!t.send(big));
        QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, 5000);
        QTest::qWait(50);
        QCOMPARE(closed.size(), 1);
        QCOMPARE(over.size(), 1);
        ::close(sv[0]);
    }

    void inputBeforeThePeerClosedIsDelivered()
    {
        std::unique_ptr<FdSocket> peer, end;
        pair(&peer, &end);
        LineTransport t(end.get(), LineTransport::Role::Server);
        QSignalSpy msgs(&t, &LineTransport::messageReceived);
        QSignalSpy closed(&t, &LineTransport::closed);
        peer->write("{\"method\": \"a\"}\n{\"method\": \"b\"}\n");
        peer->flush();
        peer->disconnectFromPeer();
        QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, 5000);
        QCOMPARE(methods(msgs), (QList<QByteArray>{"a", "b"}));
    }

    void fdSocketTellsAHalfCloseFromAClose_data()
    {
        QTest::addColumn<bool>("halfClose");
        QTest::newRow("half-close") << true;
        QTest::newRow("close") << false;
    }

    void fdSocketTellsAHalfCloseFromAClose()
    {
        QFETCH(bool, halfClose);
        int sv[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        auto *sock = new FdSocket(sv[0]);
        LineTransport t(sock, LineTransport::Role::Server);
        sock->setParent(&t);
        QSignalSpy msgs(&t, &LineTransport::messageReceived);
        QSignalSpy ended(&t, &LineTransport::inputEnded);
        QSignalSpy closed(&t, &LineTransport::closed);
        const QByteArray two = "{\"method\": \"a\"}\n{\"method\": \"b\"}\n";
        QCOMPARE(::write(sv[1], two.constData(), size_t(two.size())), ssize_t(two.size()));
        if (halfClose) {
            ::shutdown(sv[1], SHUT_WR);
            QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 5000);
            QCOMPARE(methods(msgs), (QList<QByteArray>{"a", "b"}));
            QCOMPARE(closed.size(), 0);
            // Still writable: the peer reads the reply, then EOF once we close.
            QVERIFY(t.send(QJsonObject{{QStringLiteral("id"), 1}, {QStringLiteral("result"), QStringLiteral("ok")}}));
            t.close();
            QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, 5000);
            char buf[256];
            const ssize_t n = ::read(sv[1], buf, sizeof(buf));
            QCOMPARE(QByteArray(buf, int(qMax<ssize_t>(n, 0))), QByteArray("{\"id\":1,\"result\":\"ok\"}\n"));
            QCOMPARE(::read(sv[1], buf, sizeof(buf)), ssize_t(0));
        } else {
            ::close(sv[1]);
            sv[1] = -1;
            QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, 5000);
            QCOMPARE(methods(msgs), (QList<QByteArray>{"a", "b"}));
            QCOMPARE(ended.size(), 0);
        }
        if (sv[1] >= 0)
            ::close(sv[1]);
    }

    void whatAReadPassSendsIsWrittenWhenThePassEnds()
    {
        int a[2], b[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a), 0);
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, b), 0);
        auto *sa = new FdSocket(a[0]);
        auto *sb = new FdSocket(b[0]);
        LineTransport ta(sa, LineTransport::Role::Server);
        LineTransport tb(sb, LineTransport::Role::Server);
        sa->setParent(&ta);
        sb->setParent(&tb);
        auto pending = [](int fd) {
            char c;
            return ::recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
        };
        int handled = 0;
        bool heldBack = true;
        connect(&ta, &LineTransport::messageReceived, this, [&](const proto::Message &m) {
            // An answer to this peer and a line to another, as the daemon
            // sends a RESULT to a client when a worker reports it.
            ta.send(QJsonObject{{QStringLiteral("id"), m.method}, {QStringLiteral("result"), 1}});
            tb.send(proto::event(QLatin1String("e"), {}));
            heldBack = heldBack && pending(a[1]) < 0 && pending(b[1]) < 0;
            ++handled;
        });
        const QByteArray two = "{\"method\": \"a\"}\n{\"method\": \"b\"}\n";
        QCOMPARE(::write(a[1], two.constData(), size_t(two.size())), ssize_t(two.size()));
        QTRY_COMPARE_WITH_TIMEOUT(handled, 2, 5000);
        QVERIFY(heldBack);
        char buf[256];
        ssize_t n = ::recv(a[1], buf, sizeof buf, MSG_DONTWAIT);
        QCOMPARE(QByteArray(buf, int(qMax<ssize_t>(n, 0))),
                 QByteArray("{\"id\":\"a\",\"result\":1}\n{\"id\":\"b\",\"result\":1}\n"));
        n = ::recv(b[1], buf, sizeof buf, MSG_DONTWAIT);
        QCOMPARE(QByteArray(buf, int(qMax<ssize_t>(n, 0))),
                 QByteArray("{\"method\":\"e\",\"params\":{}}\n{\"method\":\"e\",\"params\":{}}\n"));
        // Outside a read pass a line is written at once.
        QVERIFY(tb.send(proto::event(QLatin1String("now"), {})));
        QVERIFY(pending(b[1]) > 0);
        ::close(a[1]);
        ::close(b[1]);
    }

    void daemonClientReportsALineItCannotParse()
    {
        // The daemon's end: a listening Unix socket of our own.
        const QByteArray path = QFile::encodeName(m_dir.filePath(QStringLiteral("t.sock")));
        const int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        QVERIFY(listener >= 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, path.constData(), size_t(path.size()));
        QCOMPARE(::bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
        QCOMPARE(::listen(listener, 4), 0);
        DaemonClient c;
        QString err;
        QVERIFY2(c.connectTo(QFile::decodeName(path), 5000, &err), qPrintable(err));
        const int end = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        QVERIFY(end >= 0);
        QSignalSpy bad(&c, &DaemonClient::badLine);
        QSignalSpy msgs(&c, &DaemonClient::messageReceived);
        QSignalSpy gone(&c, &DaemonClient::disconnected);
        const QByteArray lines = "{\"id\": 1, \"result\": \n{\"id\": 2, \"result\": \"ok\"}\n";
        QCOMPARE(::write(end, lines.constData(), size_t(lines.size())), ssize_t(lines.size()));
        QTRY_COMPARE_WITH_TIMEOUT(msgs.size(), 1, 5000);
        QCOMPARE(bad.size(), 1);
        QVERIFY(bad.at(0).at(0).toString().startsWith(QStringLiteral("Invalid JSON: ")));
        QVERIFY(c.isConnected());
        // The daemon going away is told, and what it sent before is not lost.
        const QByteArray last = "{\"id\": 3, \"result\": \"bye\"}\n";
        QCOMPARE(::write(end, last.constData(), size_t(last.size())), ssize_t(last.size()));
        ::close(end);
        QTRY_COMPARE_WITH_TIMEOUT(gone.size(), 1, 5000);
        QCOMPARE(msgs.size(), 2);
        QVERIFY(!c.isConnected());
        ::close(listener);
    }
};

QTEST_GUILESS_MAIN(TestLineTransport)
#include "tst_linetransport.moc"
