#pragma once
// One IPv4 or IPv6 address (no port) to bind a socket to: what the worker
// port listens on. Parsed from its numeric text or resolved from a host
// name with the system resolver; shown as numeric text.

#include <QString>

#include <sys/socket.h>

namespace dfm {

class NetAddress {
public:
    /// No address (isNull()); binding to it fails.
    NetAddress() = default;
    /// 127.0.0.1.
    static NetAddress localHost();
    /// A numeric IPv4 or IPv6 address ("127.0.0.1", "::1"); false if
    /// `text` is not one.
    static bool parse(const QString &text, NetAddress *out);
    /// `host` as a numeric address, or else the first address the resolver
    /// gives for it (this blocks). False with *err, the resolver's reason.
    static bool resolve(const QString &host, NetAddress *out, QString *err);
    /// The address of a socket address (its port is dropped).
    static NetAddress fromSockaddr(const sockaddr *addr, socklen_t len);

    bool isNull() const { return m_len == 0; }
    int family() const { return m_addr.ss_family; }
    /// "127.0.0.1", "::1"; empty when null.
    QString toString() const;
    /// The socket address to bind to, with port 0 (any free port).
    const sockaddr *sockAddr() const { return reinterpret_cast<const sockaddr *>(&m_addr); }
    socklen_t sockAddrLen() const { return m_len; }

private:
    sockaddr_storage m_addr{}; /* port 0 */
    socklen_t m_len = 0;       /* 0: null */
};

} // namespace dfm
