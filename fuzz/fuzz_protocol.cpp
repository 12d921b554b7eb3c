// Fuzzes the framing and the protocol parser: the bytes arrive in chunks
// (sizes taken from the input itself), lines are parsed as messages, and
// every payload parser a message can reach is run on its params.

#include "framing.h"
#include "protocol.h"
#include "wirelines.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace dfm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    // The first byte picks the chunk size and a small line cap now and then,
    // so the overflow paths are reached without megabytes of input.
    const size_t chunk = 1 + data[0] % 64;
    LineReader reader(data[0] & 0x80 ? 256 : kMaxLineBytes);
    const char *bytes = reinterpret_cast<const char *>(data + 1);
    size_t left = size - 1;
    while (left > 0) {
        const size_t n = left < chunk ? left : chunk;
        if (!reader.append(QByteArray(bytes, qsizetype(n))))
            break;
        bytes += n;
        left -= n;
        QByteArray line;
        while (reader.next(&line)) {
            proto::Message msg;
            QString err;
            if (!proto::parse(line, &msg, &err))
                continue;
            proto::TaskSpec spec;
            proto::parseTaskSpec(msg.params, &spec, &err);
            // The daemon passes a submit's params on as written: the worker,
            // parsing the execute line, must see the params the daemon saw
            // (a request's: only a message with a method has params).
            QByteArray spliced;
            if (!msg.method.isEmpty() && proto::spliceTaskExecuteParams(msg.line, &spliced)) {
                const QByteArray line = proto::composeTaskExecute(spliced, "r", "n");
                QJsonObject sent = QJsonDocument::fromJson(line).object().value(QLatin1String("params")).toObject();
                QJsonObject seen = msg.params;
                for (const char *k : {"request_id", "name", "notify_started"}) {
                    sent.remove(QLatin1String(k));
                    seen.remove(QLatin1String(k));
                }
                if (sent != seen)
                    abort();
            }
            proto::WorkerRegistration reg;
            proto::parseRegistration(msg.params, &reg, &err);
            proto::TaskResult result;
            if (proto::parseTaskResult(msg.params, &result, &err))
                (void)proto::encode(result.toJson());
        }
    }
    return 0;
}
