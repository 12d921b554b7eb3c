#pragma once
// One peer on either daemon socket (client or worker): the shared
// LineTransport in its Server role (bad lines are answered with
// {"error": ...}, over-long ones close the connection), owning its socket.

#include "linetransport.h"

namespace dfm {

class LineConnection : public LineTransport {
    Q_OBJECT
public:
    /// Takes ownership of `socket` (an FdSocket).
    explicit LineConnection(FdSocket *socket, QObject *parent = nullptr);
};

} // namespace dfm
