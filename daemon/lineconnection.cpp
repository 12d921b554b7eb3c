#include "lineconnection.h"

namespace dfm {

LineConnection::LineConnection(FdSocket *socket, QObject *parent)
    : LineTransport(socket, Role::Server, parent)
{
    socket->setParent(this);
}

} // namespace dfm
