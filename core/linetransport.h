#pragma once
// The one line transport of every socket in dfm: the daemon's client and
// worker connections, DaemonClient and the worker's connection back. It
// frames with LineReader, parses with the protocol and applies one set of
// rules everywhere:
//
// - A line that is not a valid message is reported (badLine) with the
//   parser's error; the Server side also answers it with
//   {"error": "Invalid JSON: ..."} as the reference requires. The connection
//   stays usable.
// - A line over the cap is reported, answered (Server) and the connection is
//   closed: a peer cannot make us buffer without bound.
// - Output is capped too: a send that would queue more than the output cap
//   for a peer that does not read aborts the connection (outputOverflow is
//   emitted once, then closed()).
// - Input that arrived before the peer closed is still delivered, before
//   closed().
// - What is sent while a read pass is handling input (processInput() on any
//   transport of this thread) is written once that pass ends: one write per
//   connection per pass, however many lines it answered with, and always
//   before the pass returns to the event loop (and before inputEnded()).
//   A send outside a read pass is written at once.
//
// closed() is always emitted from the event loop, never from inside send()
// or close(), so a receiver may delete the transport or edit its tables.

#include "fdsocket.h"
#include "framing.h"
#include "protocol.h"

#include <QObject>
#include <QPointer>

#include <functional>

namespace dfm {

class LineTransport : public QObject {
    Q_OBJECT
public:
    enum class Role {
        Server, /* answers bad lines with an error response (the daemon) */
        Client, /* only reports them (DaemonClient, the worker) */
    };

    /// Works on `device`, which it does not own.
    LineTransport(FdSocket *device, Role role, QObject *parent = nullptr);
    ~LineTransport() override;

    /// Cap on one incoming line (kMaxLineBytes by default). Lowering it
    /// applies to what is already buffered.
    void setMaxLineBytes(qsizetype bytes);
    qsizetype maxLineBytes() const { return m_maxLine; }
    /// Cap on bytes queued for a peer that does not read; 0 = no cap.
    void setMaxOutputBytes(qint64 bytes) { m_maxOutput = bytes; }

    /// Called with each complete line before it is parsed; true when it
    /// took the line, which is then not parsed nor reported: how the daemon
    /// reads its per-task messages without building a document
    /// (core/wirescan.h). It may send, close or abort, as a receiver of
    /// messageReceived() may.
    using LineFilter = std::function<bool(const QByteArray &line)>;
    /// May be called from inside the filter: the running one is destroyed
    /// once it returns.
    void setLineFilter(LineFilter filter);

    /// Queues one message and writes what the socket takes now. False when
    /// the transport is closed or the output cap was passed (the connection
    /// is then aborted).
    bool send(const QJsonObject &obj);
    /// As send(), for a message already encoded with proto::encode() (one
    /// line, newline included): a message sent as it was stored.
    bool sendLine(const QByteArray &line);
    /// Writes what is queued, then disconnects. closed() follows.
    void close();
    /// Drops the connection at once, discarding what is queued. closed() follows.
    void abort();

    bool isOpen() const { return m_open; }
    /// Bytes queued but not yet written (a slow reader's backlog).
    qint64 backlog() const { return m_device->bytesToWrite(); }
    FdSocket *device() const { return m_device; }

    /// Reads and handles whatever the device has buffered (also called on
    /// readyRead). Useful before a blocking wait.
    void processInput();
    /// Writes what is queued now, even inside a read pass (before a
    /// blocking wait for the peer's answer).
    void flush();

    /// Short description for logs ("client 3", "worker w2").
    QString label;

Q_SIGNALS:
    void messageReceived(const dfm::proto::Message &msg);
    /// A line was rejected; `error` is the reason (for a Server, what was
    /// sent). After an over-long line the transport is already closing
    /// (isOpen() is false).
    void badLine(const QString &error);
    /// The output cap was passed; the connection is being aborted.
    void outputOverflow(qint64 queuedBytes);
    /// The peer half-closed: it sent all it will, and every line of it was
    /// delivered, but it may still read.
    void inputEnded();
    void closed();

private:
    void onDisconnected();
    void finish();
    void rejectOverlong();
    void flushDevice();
    void flushLater();
    friend class ReadPass;
    bool deviceUnconnected() const;
    void disconnectDevice(bool graceful);

    QPointer<FdSocket> m_device; /* not ours; may be destroyed before us */
    Role m_role;
    LineReader m_reader;
    LineFilter m_filter;
    LineFilter m_retiredFilter; /* replaced while it ran; dropped after */
    bool m_inFilter = false;
    qsizetype m_maxLine = kMaxLineBytes;
    qint64 m_maxOutput = 0;
    bool m_open = true;
    bool m_closeQueued = false;
    bool m_flushQueued = false; /* written at the end of the current read pass */
};

} // namespace dfm
