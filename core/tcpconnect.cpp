#include "tcpconnect.h"

#include "fdsocket.h"
#include "format.h"

#include <QSocketNotifier>

#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

namespace dfm {

TcpConnect::TcpConnect(QObject *parent) : QObject(parent)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this,
            [this] { fail(QStringLiteral("no answer within %1 ms").arg(m_timeoutMs)); });
}

TcpConnect::~TcpConnect()
{
    closeFd();
}

void TcpConnect::start(const QString &host, quint16 port, int timeoutMs)
{
    cancel();
    m_timeoutMs = timeoutMs;
    m_timeout.start(timeoutMs);
    QString why;
    if (!resolveHost(host, port, false, &m_addresses, &why))
        m_lastError = QStringLiteral("Host not found (%1)").arg(why);
    // Even a result known now is told from the event loop.
    QTimer::singleShot(0, this, [this] {
        if (m_timeout.isActive() && m_fd < 0) // not cancelled, not already trying
            tryNext();
    });
}

void TcpConnect::tryNext()
{
    while (!m_addresses.empty()) {
        const ResolvedAddress a = m_addresses.front();
        m_addresses.erase(m_addresses.begin());
        m_fd = ::socket(a.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (m_fd < 0) {
            m_lastError = fmt::errnoText(errno);
            continue;
        }
        const int one = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        int rc;
        do
            rc = ::connect(m_fd, reinterpret_cast<const sockaddr *>(&a.addr), a.len);
        while (rc != 0 && errno == EINTR);
        if (rc != 0 && errno != EINPROGRESS) {
            m_lastError = fmt::errnoText(errno);
            closeFd();
            continue;
        }
        // Connected or in progress: writable once it is settled either way.
        m_notifier = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Write, this);
        connect(m_notifier, &QSocketNotifier::activated, this, &TcpConnect::onWritable);
        return;
    }
    fail(m_lastError.isEmpty() ? QStringLiteral("no address to connect to") : m_lastError);
}

void TcpConnect::onWritable()
{
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err != 0) {
        m_lastError = fmt::errnoText(err);
        closeFd();
        tryNext();
        return;
    }
    const int fd = m_fd;
    m_fd = -1; // handed over
    closeFd(); // drops the notifier
    m_addresses.clear();
    m_timeout.stop();
    Q_EMIT connected(fd);
}

void TcpConnect::fail(const QString &reason)
{
    cancel();
    Q_EMIT failed(reason);
}

void TcpConnect::cancel()
{
    m_timeout.stop();
    m_addresses.clear();
    m_lastError.clear();
    closeFd();
}

void TcpConnect::closeFd()
{
    retireNotifier(m_notifier);
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

} // namespace dfm
