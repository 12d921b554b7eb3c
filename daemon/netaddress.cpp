#include "netaddress.h"

#include "resolve.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

namespace dfm {

NetAddress NetAddress::localHost()
{
    NetAddress a;
    parse(QStringLiteral("127.0.0.1"), &a);
    return a;
}

bool NetAddress::parse(const QString &text, NetAddress *out)
{
    const QByteArray t = text.toLatin1();
    NetAddress a;
    auto *v4 = reinterpret_cast<sockaddr_in *>(&a.m_addr);
    auto *v6 = reinterpret_cast<sockaddr_in6 *>(&a.m_addr);
    if (::inet_pton(AF_INET, t.constData(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        a.m_len = sizeof(sockaddr_in);
    } else if (::inet_pton(AF_INET6, t.constData(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        a.m_len = sizeof(sockaddr_in6);
    } else {
        return false;
    }
    *out = a;
    return true;
}

bool NetAddress::resolve(const QString &host, NetAddress *out, QString *err)
{
    if (parse(host, out))
        return true;
    std::vector<ResolvedAddress> list;
    if (!resolveHost(host, 0, true, &list, err))
        return false;
    NetAddress a;
    for (const ResolvedAddress &r : list) {
        if (!(a = fromSockaddr(reinterpret_cast<const sockaddr *>(&r.addr), r.len)).isNull())
            break;
    }
    if (a.isNull()) {
        *err = QStringLiteral("no IPv4 or IPv6 address");
        return false;
    }
    *out = a;
    return true;
}

NetAddress NetAddress::fromSockaddr(const sockaddr *addr, socklen_t len)
{
    NetAddress a;
    if (addr->sa_family == AF_INET && len >= socklen_t(sizeof(sockaddr_in)))
        a.m_len = sizeof(sockaddr_in);
    else if (addr->sa_family == AF_INET6 && len >= socklen_t(sizeof(sockaddr_in6)))
        a.m_len = sizeof(sockaddr_in6);
    else
        return a;
    std::memcpy(&a.m_addr, addr, a.m_len);
    if (a.family() == AF_INET)
        reinterpret_cast<sockaddr_in *>(&a.m_addr)->sin_port = 0;
    else
        reinterpret_cast<sockaddr_in6 *>(&a.m_addr)->sin6_port = 0;
    return a;
}

QString NetAddress::toString() const
{
    char buf[INET6_ADDRSTRLEN] = {};
    if (family() == AF_INET)
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in *>(&m_addr)->sin_addr, buf, sizeof buf);
    else if (family() == AF_INET6)
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6 *>(&m_addr)->sin6_addr, buf, sizeof buf);
    return QString::fromLatin1(buf);
}

} // namespace dfm
