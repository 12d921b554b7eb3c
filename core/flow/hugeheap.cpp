#include "flow/hugeheap.h"

#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace dfm::flow {

namespace {
constexpr size_t kHuge = size_t(2) << 20;
constexpr size_t kMax = size_t(1) << 30;    // what one reservation may be
constexpr int kDefaultPad = 128 * 1024;     // glibc's M_TOP_PAD
constexpr int kDefaultMmap = 128 * 1024;    // glibc's M_MMAP_THRESHOLD
}

HugeHeapScope::HugeHeapScope(size_t bytes)
{
    if (bytes < 4 * kHuge)
        return;
    if (const char *off = std::getenv("DFM_HUGE_HEAP"); off && off[0] == '0')
        return;
    const int reserve = int(bytes < kMax ? bytes : kMax);
    // Large blocks come from the heap too while loading, so that they share the reservation.
    if (!mallopt(M_MMAP_THRESHOLD, reserve) || !mallopt(M_TOP_PAD, reserve))
        return;
    m_active = true;
    // Grow the heap now: a block larger than what is free at its top makes
    // malloc extend it by that block plus the pad, in one step.
    const size_t grow = mallinfo2().keepcost + 64 * 1024;
    void *p = std::malloc(grow);
    if (!p)
        return;
    const auto lo = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
    const auto hi = reinterpret_cast<uintptr_t>(sbrk(0)) & ~(kHuge - 1);
    if (hi > lo)
        madvise(reinterpret_cast<void *>(lo), hi - lo, MADV_HUGEPAGE);
    std::free(p);
}

namespace {
bool g_releasePending = false; // a scope ended and its freed pages are still held
}

HugeHeapScope::~HugeHeapScope()
{
    if (!m_active)
        return;
    // The freed pages are kept for now: what follows (the run's own tables)
    // reuses them without a fault each. releaseLoadHeap() gives them back.
    mallopt(M_TOP_PAD, kDefaultPad);
    mallopt(M_MMAP_THRESHOLD, kDefaultMmap);
    g_releasePending = true;
}

void releaseLoadHeap()
{
    if (!g_releasePending)
        return;
    g_releasePending = false;
    malloc_trim(0);
}

} // namespace dfm::flow

#else

namespace dfm::flow {
HugeHeapScope::HugeHeapScope(size_t) {}
HugeHeapScope::~HugeHeapScope() = default;
void releaseLoadHeap() {}
} // namespace dfm::flow

#endif
