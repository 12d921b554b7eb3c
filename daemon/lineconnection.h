#pragma once
// One peer on either daemon socket (client or worker): reads lines through
// LineReader, parses them with the protocol, and answers protocol-level
// faults itself as the reference requires: a line that is not JSON gets
// {"error": "Invalid JSON: ..."} and the connection stays usable; a line over
// the cap gets an error and the connection is closed.

#include "framing.h"
#include "protocol.h"

#include <QIODevice>
#include <QObject>

namespace dfm {

class LineConnection : public QObject {
    Q_OBJECT
public:
    /// Takes ownership of `socket` (a QLocalSocket or QTcpSocket).
    explicit LineConnection(QIODevice *socket, QObject *parent = nullptr);
    ~LineConnection() override;

    void send(const QJsonObject &obj);
    /// Flushes what is queued, then closes. closed() follows.
    void close();
    /// Bytes queued but not yet written (a slow reader's backlog).
    qint64 backlog() const { return m_socket->bytesToWrite(); }
    /// Short description for logs ("client 3", "worker w2").
    QString label;

Q_SIGNALS:
    void messageReceived(const dfm::proto::Message &msg);
    /// A line was rejected (already answered); `error` is what was sent.
    void badLine(const QString &error);
    void closed();

private:
    void onReadyRead();
    void onDisconnected();

    QIODevice *m_socket;
    LineReader m_reader;
    bool m_open = true;
};

} // namespace dfm
