// LineTransport: the one framing/parsing connection of daemon, client and
// worker, over a real local socket pair in this process.

#include "daemonclient.h"
#include "fdsocket.h"
#include "linetransport.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/socket.h>
#include <unistd.h>

using namespace dfm;

class TestLineTransport : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QLocalServer m_server;
    QString m_path;

    // A connected pair: *client (ours to write raw bytes) and the server's end.
    void pair(QLocalSocket *client, QLocalSocket **server)
    {
        client->connectToServer(m_path);
        QVERIFY(client->waitForConnected(5000));
        QVERIFY(m_server.waitForNewConnection(5000));
        *server = m_server.nextPendingConnection();
        QVERIFY(*server);
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
        m_path = m_dir.filePath(QStringLiteral("t.sock"));
        QVERIFY(m_server.listen(m_path));
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
        QLocalSocket peer;
        QLocalSocket *end = nullptr;
        pair(&peer, &end);
        LineTransport t(end, LineTransport::Role(role));
        QSignalSpy msgs(&t, &LineTransport::messageReceived);
        QSignalSpy bad(&t, &LineTransport::badLine);
        peer.write("not json\n{\"method\": \"a\", \"params\": {}}\n");
        peer.flush();
        QTRY_COMPARE_WITH_TIMEOUT(msgs.size(), 1, 5000);
        QCOMPARE(bad.size(), 1);
        QVERIFY(bad.at(0).at(0).toString().startsWith(QStringLiteral("Invalid JSON: ")));
        QCOMPARE(methods(msgs), QList<QByteArray>{"a"});
        QVERIFY(t.isOpen());
        // Only the server answers a bad line.
        if (LineTransport::Role(role) == LineTransport::Role::Server) {
            QTRY_VERIFY_WITH_TIMEOUT(peer.canReadLine(), 5000);
            QVERIFY(peer.readLine().startsWith("{\"error\":\"Invalid JSON: "));
        } else {
            QTest::qWait(100);
            QCOMPARE(peer.bytesAvailable(), 0);
        }
    }

    void overlongLineIsAnsweredAndCloses()
    {
        QLocalSocket peer;
        QLocalSocket *end = nullptr;
        pair(&peer, &end);
        LineTransport t(end, LineTransport::Role::Server);
        t.setMaxLineBytes(64);
        QSignalSpy bad(&t, &LineTransport::badLine);
        QSignalSpy closed(&t, &LineTransport::closed);
        peer.write(QByteArray(100, 'x'));
        peer.flush();
        QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, 5000);
        QCOMPARE(bad.size(), 1);
        QCOMPARE(bad.at(0).at(0).toString(),
                 QStringLiteral("Line too long: a message exceeds 64 bytes; closing the connection"));
        QTRY_VERIFY_WITH_TIMEOUT(peer.canReadLine(), 5000);
        QCOMPARE(peer.readLine(), QByteArray("{\"error\":\"Line too long: a message exceeds 64 bytes; closing the connection\"}\n"));
    }

    void loweringTheCapAppliesToWhatIsBuffered()
    {
        QLocalSocket peer;
        QLocalSocket *end = nullptr;
        pair(&peer, &end);
        LineTransport t(end, LineTransport::Role::Client);
        QSignalSpy bad(&t, &LineTransport::badLine);
        QSignalSpy arrived(end, &QIODevice::readyRead);
        peer.write(QByteArray(200, 'x'));
        peer.flush();
        QTRY_VERIFY_WITH_TIMEOUT(arrived.size() > 0, 5000);
        t.processInput();
        QCOMPARE(bad.size(), 0);
        t.setMaxLineBytes(100);
        QCOMPARE(bad.size(), 1);
        QVERIFY(!t.isOpen());
    }

    void outputCapAbortsOnceAndClosedComesFromTheEventLoop()
    {
        QLocalSocket peer; // never reads
        peer.setReadBufferSize(1);
        QLocalSocket *end = nullptr;
        pair(&peer, &end);
        LineTransport t(end, LineTransport::Role::Server);
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
    }

    void inputBeforeThePeerClosedIsDelivered()
    {
        QLocalSocket peer;
        QLocalSocket *end = nullptr;
        pair(&peer, &end);
        LineTransport t(end, LineTransport::Role::Server);
        QSignalSpy msgs(&t, &LineTransport::messageReceived);
        QSignalSpy closed(&t, &LineTransport::closed);
        peer.write("{\"method\": \"a\"}\n{\"method\": \"b\"}\n");
        peer.flush();
        peer.disconnectFromServer();
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
        DaemonClient c;
        QString err;
        QVERIFY(c.connectTo(m_path, 5000, &err));
        QVERIFY(m_server.waitForNewConnection(5000));
        QLocalSocket *end = m_server.nextPendingConnection();
        QSignalSpy bad(&c, &DaemonClient::badLine);
        QSignalSpy msgs(&c, &DaemonClient::messageReceived);
        end->write("{\"id\": 1, \"result\": \n{\"id\": 2, \"result\": \"ok\"}\n");
        end->flush();
        QTRY_COMPARE_WITH_TIMEOUT(msgs.size(), 1, 5000);
        QCOMPARE(bad.size(), 1);
        QVERIFY(bad.at(0).at(0).toString().startsWith(QStringLiteral("Invalid JSON: ")));
    }
};

QTEST_GUILESS_MAIN(TestLineTransport)
#include "tst_linetransport.moc"
