#pragma once
// Accepting on a listening socket, which is never lost: the daemon's Unix
// socket (UnixListener) and the worker port (TcpWorkerTransport).
//
// Pending connections are accepted from the event loop, a batch at a time.
// When accept() fails for want of resources (EMFILE, ENFILE, ENOBUFS,
// ENOMEM) accepting pauses for a moment, the pending peers waiting in the
// kernel's backlog, and the episode is logged once when it begins and once
// when it ends; other errors are logged and accepting goes on after the
// same pause. The socket stays open throughout.

#include <QObject>
#include <QString>
#include <QTimer>

class QSocketNotifier;

namespace dfm {

class AcceptLoop : public QObject {
    Q_OBJECT
public:
    explicit AcceptLoop(QObject *parent = nullptr);
    ~AcceptLoop() override;

    /// Accepts on `fd`, a non-blocking listening socket, which it now owns
    /// (closing the one it had). `where` names it in log lines ("on <where>").
    void start(int fd, const QString &where);
    /// Stops accepting and closes the socket; safe inside accepted().
    void close();
    bool isOpen() const { return m_fd >= 0; }
    int fd() const { return m_fd; }

    /// How long accepting pauses after an error.
    void setPauseMs(int ms) { m_pauseMs = ms; }

Q_SIGNALS:
    /// A connection was accepted: `fd` is non-blocking, close-on-exec, and
    /// now belongs to the receiver.
    void accepted(int fd);
    /// Something worth a line in the daemon's log.
    void logMessage(const QString &line);

private:
    void onReadable();
    void pause();

    int m_fd = -1;
    QString m_where;
    QSocketNotifier *m_notifier = nullptr;
    QTimer m_resume; /* accepting again after an error */
    int m_pauseMs = 100;
    bool m_starved = false; /* in an out-of-descriptors episode (logged once) */
    qint64 m_refused = 0;   /* accept errors in the current episode */
};

} // namespace dfm
