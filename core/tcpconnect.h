#pragma once
// One non-blocking TCP connection attempt to host:port, driven by the event
// loop: each address the name resolves to is tried in turn, with
// TCP_NODELAY set. It ends with connected(fd) or failed(reason), always
// from the event loop, within the timeout given to start().
//
// The name is resolved with a blocking getaddrinfo(): quick for the
// numeric addresses and /etc/hosts names that workers are given.

#include "resolve.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <sys/socket.h>
#include <vector>

class QSocketNotifier;

namespace dfm {

class TcpConnect : public QObject {
    Q_OBJECT
public:
    explicit TcpConnect(QObject *parent = nullptr);
    ~TcpConnect() override; /* closes a descriptor not yet handed over */

    /// Starts connecting (abandoning an attempt in progress).
    void start(const QString &host, quint16 port, int timeoutMs);
    /// Abandons the attempt in progress; no signal follows.
    void cancel();

Q_SIGNALS:
    /// Connected: the receiver owns `fd` (non-blocking, close-on-exec).
    void connected(int fd);
    /// Every address failed, or the time ran out: "Connection refused",
    /// "Host not found (Name or service not known)", "no answer within 100 ms".
    void failed(const QString &reason);

private:
    void tryNext();
    void onWritable();
    void fail(const QString &reason);
    void closeFd();

    std::vector<ResolvedAddress> m_addresses; /* still to try */
    QString m_lastError;
    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr; /* m_fd's connect finished */
    QTimer m_timeout;
    int m_timeoutMs = 0;
};

} // namespace dfm
