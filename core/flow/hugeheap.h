#pragma once
// Loading a large flow touches a few hundred megabytes of fresh heap in
// small steps; on a virtual machine each 4 KiB page fault is costly (on the
// 2-core development VM it was a third of a 100,000-task load). While a
// HugeHeapScope lives, the heap grows in one large reservation backed by
// transparent huge pages (madvise), so the load takes one fault per 2 MiB.
// Linux with glibc only; elsewhere, when the kernel refuses, and when the
// environment says DFM_HUGE_HEAP=0, it does nothing. The pages the load
// freed stay with the process, for what follows, until releaseLoadHeap().

#include <cstddef>

namespace dfm::flow {

class HugeHeapScope {
public:
    /// Reserves about BYTES of heap for what follows (nothing when 0).
    explicit HugeHeapScope(size_t bytes);
    ~HugeHeapScope();
    HugeHeapScope(const HugeHeapScope &) = delete;
    HugeHeapScope &operator=(const HugeHeapScope &) = delete;

private:
    bool m_active = false;
};

/// Gives the pages a large load freed back to the system (malloc_trim): a
/// walk of the whole heap, so `dfm run` calls it once its first tasks are
/// sent rather than on their path. Nothing when no scope was active.
void releaseLoadHeap();

} // namespace dfm::flow
