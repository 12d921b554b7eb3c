#pragma once
// A connected stream socket given as a descriptor (every socket of dfm: the
// daemon's clients and workers, DaemonClient, the worker's connection), as
// a QIODevice that keeps the two directions apart:
// when the peer half-closes (shutdown(SHUT_WR)), inputFinished() is
// emitted and replies can still be written. Qt's local socket instead closes
// both directions at the end of input, so a client that half-closed after
// sending lost every reply that came later.

#include <QByteArray>
#include <QIODevice>
#include <QTimer>

class QSocketNotifier;

namespace dfm {

/// Stops `notifier` and deletes it from the event loop (the caller may be
/// inside its activated() signal), then sets it to null. Null is left alone.
void retireNotifier(QSocketNotifier *&notifier);

class FdSocket : public QIODevice {
    Q_OBJECT
public:
    /// Takes ownership of `fd` (made non-blocking and close-on-exec).
    explicit FdSocket(int fd, QObject *parent = nullptr);
    ~FdSocket() override;

    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override { return m_in.size() + QIODevice::bytesAvailable(); }
    qint64 bytesToWrite() const override { return m_out.size(); }
    bool canReadLine() const override { return m_in.contains('\n') || QIODevice::canReadLine(); }

    /// Writes what the kernel takes now, without blocking. False once closed.
    bool flush();
    /// Writes what is queued, then closes; disconnected() follows.
    void disconnectFromPeer();
    /// Closes at once, dropping what is queued; disconnected() follows.
    void abort();

    bool isConnected() const { return m_fd >= 0; }
    /// The peer has ended its input (half-closed or closed).
    bool inputEnded() const { return m_eof; }

Q_SIGNALS:
    /// The peer ended its input; everything it sent was signalled with
    /// readyRead() first. Writing still works if it only half-closed.
    void inputFinished();
    /// The socket is closed in both directions (by us, or the peer is gone).
    void disconnected();

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 size) override;

private:
    void onReadable();
    void onWritable();
    void closeFd();
    bool peerGone() const;

    int m_fd;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QByteArray m_in;  /* received, not yet read */
    QByteArray m_out; /* queued, not yet written */
    bool m_eof = false;
    bool m_closing = false; /* disconnectFromPeer(): close once m_out is written */
    QTimer m_hupCheck;      /* after a half-close: has the peer gone for good? */
};

} // namespace dfm
