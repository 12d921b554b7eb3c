#pragma once
// Host names to socket addresses: the one getaddrinfo() of dfm, for the
// worker's connect (core/tcpconnect) and the daemon's worker port
// (daemon/netaddress), so both read a failure the same way.

#include <QString>

#include <sys/socket.h>
#include <vector>

namespace dfm {

struct ResolvedAddress {
    sockaddr_storage addr{};
    socklen_t len = 0;
};

/// The stream-socket addresses of `host` with `port` (0: none), in
/// getaddrinfo()'s order. `onlyConfigured` keeps the families this machine
/// has an address of (AI_ADDRCONFIG). False with *err (the resolver's
/// words: "Name or service not known") when the name does not resolve.
bool resolveHost(const QString &host, quint16 port, bool onlyConfigured, std::vector<ResolvedAddress> *out,
                 QString *err);

} // namespace dfm
