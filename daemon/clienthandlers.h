#pragma once
// Client requests on daemon.sock, one handler per method. A handler takes
// the engine, the daemon's facts and the request, and returns what to send;
// it never touches a socket, so each is testable on its own.

#include "engine.h"
#include "protocol.h"
#include "wirescan.h"

namespace dfm {

/// Facts about the daemon that status.get reports beside the engine's.
struct DaemonFacts {
    qint64 pid = 0;
    QString started;      /* UTC stamp */
    QString socket;
    int clients = 0;
    int monitors = 0;
    QList<proto::ClientInfo> clientList;
};

struct ClientReply {
    enum Action {
        Send,             /* send `message` */
        Deferred,         /* nothing now (task.submit: the result comes later) */
        SendAndSubscribe, /* send `message`, then a snapshot; this client gets events */
        SendAndShutdown,  /* send `message`, then shut the daemon down */
    };
    Action action = Send;
    QJsonObject message;
};

/// Handles one request from client `clientId`. Unknown methods, bad params
/// and duplicate request ids become error replies.
ClientReply handleClientRequest(Engine &engine, const DaemonFacts &facts, quint64 clientId,
                                const proto::Message &request);

/// Handles a task.submit read without a document (core/wirescan.h), as
/// handleClientRequest() handles one that was parsed.
ClientReply handleScannedSubmit(Engine &engine, quint64 clientId, const proto::ScannedSubmit &submit);

/// The full status.get result: the engine's status plus the daemon's facts.
/// The monitor.snapshot event's params are the same.
proto::DaemonStatus daemonStatus(const Engine &engine, const DaemonFacts &facts);

} // namespace dfm
