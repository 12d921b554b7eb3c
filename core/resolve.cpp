#include "resolve.h"

#include "format.h"

#include <cerrno>
#include <cstring>
#include <netdb.h>

namespace dfm {

bool resolveHost(const QString &host, quint16 port, bool onlyConfigured, std::vector<ResolvedAddress> *out,
                 QString *err)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (onlyConfigured ? AI_ADDRCONFIG : 0);
    addrinfo *found = nullptr;
    const int rc = ::getaddrinfo(host.toUtf8().constData(), port ? QByteArray::number(port).constData() : nullptr,
                                 &hints, &found);
    if (rc != 0) {
        *err = rc == EAI_SYSTEM ? fmt::errnoText(errno) : QString::fromLocal8Bit(::gai_strerror(rc));
        return false;
    }
    out->clear();
    for (const addrinfo *a = found; a; a = a->ai_next) {
        if (a->ai_addrlen > sizeof(sockaddr_storage))
            continue;
        ResolvedAddress r;
        std::memcpy(&r.addr, a->ai_addr, a->ai_addrlen);
        r.len = a->ai_addrlen;
        out->push_back(r);
    }
    ::freeaddrinfo(found);
    return true;
}

} // namespace dfm
