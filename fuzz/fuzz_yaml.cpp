// Differential fuzzing of the flow YAML reader: whenever the fast path
// (fastyaml.cpp) takes an input, libyaml's path must take it too and make
// the same tree, node for node (kind, style, line, text). A difference
// aborts, leaving the input as a crash file.

#include "flow/ynode.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace dfm::flow;

namespace {

void check(bool same, const YNode &fast, const YNode &events)
{
    if (same)
        return;
    std::fprintf(stderr, "fast and libyaml trees differ: kind %d/%d, plain %d/%d, line %d/%d, text '%s'/'%s', items %zu/%zu\n",
                 fast.kind, events.kind, fast.plain, events.plain, fast.line, events.line, qPrintable(fast.text),
                 qPrintable(events.text), fast.items.size(), events.items.size());
    std::abort();
}

void compare(const YNode &a, const YNode &b)
{
    check(a.kind == b.kind && a.plain == b.plain && a.line == b.line && a.text == b.text
              && a.items.size() == b.items.size(),
          a, b);
    for (size_t i = 0; i < a.items.size(); ++i)
        compare(a.items[i], b.items[i]);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    YNode fast;
    if (!parseYamlFast(text, &fast))
        return 0;
    YNode events;
    int line = 0;
    QString err;
    if (!parseYamlEvents(text, &events, &line, &err)) {
        std::fprintf(stderr, "the fast path took a text libyaml refuses (line %d: %s)\n", line, qPrintable(err));
        std::abort();
    }
    compare(fast, events);
    return 0;
}
