#pragma once
// A client connection to a daemon's socket: used by `dfm daemon
// status|stop`, `dfm run` and both monitors. Messages arrive as signals;
// call() is a blocking request/response for short commands.

#include "linetransport.h"
#include "protocol.h"

#include <QLocalSocket>
#include <QObject>

namespace dfm {

class DaemonClient : public QObject {
    Q_OBJECT
public:
    explicit DaemonClient(QObject *parent = nullptr);

    /// Connects to the daemon's socket, waiting up to timeoutMs. Returns
    /// false with *err ("cannot connect to /p/.dfm/daemon.sock: ...").
    bool connectTo(const QString &socketPath, int timeoutMs, QString *err);

    /// Sends a request with a fresh numeric id; returns that id.
    qint64 send(QLatin1String method, const QJsonObject &params = {});
    /// Sends a raw message line (for tests and clients that pick their ids).
    void sendRaw(const QJsonObject &obj);

    /// Sends a request and waits for its reply. Messages with other ids that
    /// arrive meanwhile are emitted as usual. Returns false with *err on an
    /// error reply ("daemon: <error>"), a timeout or a closed connection.
    bool call(QLatin1String method, const QJsonObject &params, QJsonValue *result, QString *err,
              int timeoutMs = 10000);

    bool isConnected() const;
    void close();

Q_SIGNALS:
    /// Every parsed message (responses, events).
    void messageReceived(const dfm::proto::Message &msg);
    /// The daemon closed the connection, or it broke.
    void disconnected();
    /// The daemon sent a line that is not a valid message (also logged to
    /// stderr); it is skipped, and an over-long one closes the connection.
    void badLine(const QString &error);

private:
    QLocalSocket m_socket;
    LineTransport m_transport;
    qint64 m_nextId = 1;
};

} // namespace dfm
