// The loader's huge-page heap (core/flow/hugeheap.h): while a scope for a
// large load lives, big blocks come from one heap reservation the kernel
// was asked to back with transparent huge pages; small loads and
// DFM_HUGE_HEAP=0 leave malloc alone. Read off /proc/self/smaps ("hg" in
// VmFlags is MADV_HUGEPAGE).

#include "flow/hugeheap.h"

#include <QFile>
#include <QtTest>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <sys/mman.h>

#include <unistd.h>

using namespace dfm::flow;

namespace {

/// The VmFlags of the mapping holding P; "" when none does.
QByteArray vmFlagsOf(const void *p)
{
    QFile f(QStringLiteral("/proc/self/smaps"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const auto a = reinterpret_cast<uintptr_t>(p);
    bool inside = false;
    for (const QByteArray &line : f.readAll().split('\n')) {
        const int dash = line.indexOf('-');
        const int space = line.indexOf(' ');
        if (dash > 0 && space > dash && !line.startsWith("VmFlags")) {
            bool ok1 = false, ok2 = false;
            const auto lo = line.left(dash).toULongLong(&ok1, 16);
            const auto hi = line.mid(dash + 1, space - dash - 1).toULongLong(&ok2, 16);
            if (ok1 && ok2) {
                inside = a >= lo && a < hi;
                continue;
            }
        }
        if (inside && line.startsWith("VmFlags:"))
            return line.mid(8).trimmed();
    }
    return {};
}

bool advised(const void *p)
{
    return vmFlagsOf(p).split(' ').contains("hg");
}

/// How many bytes of [P, P + LEN) are resident (0 where nothing is mapped).
size_t residentBytes(uintptr_t p, size_t len)
{
    const auto page = size_t(sysconf(_SC_PAGESIZE));
    const auto lo = p & ~(page - 1);
    std::vector<unsigned char> in((p + len - lo + page - 1) / page);
    if (mincore(reinterpret_cast<void *>(lo), in.size() * page, in.data()) != 0)
        return 0; // unmapped: the heap shrank below it
    size_t n = 0;
    for (unsigned char c : in)
        n += c & 1;
    return n * page;
}

bool thpPossible()
{
    QFile f(QStringLiteral("/sys/kernel/mm/transparent_hugepage/enabled"));
    return f.open(QIODevice::ReadOnly) && !f.readAll().contains("[never]");
}

} // namespace

class TestHugeHeap : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (!thpPossible())
            QSKIP("this kernel has transparent huge pages off ([never])");
    }

    // Runs first: later scopes find a heap this one already advised.
    void offInTheEnvironmentLeavesMallocAlone()
    {
        qputenv("DFM_HUGE_HEAP", "0");
        {
            HugeHeapScope scope(size_t(256) << 20);
            void *p = std::malloc(size_t(16) << 20);
            QVERIFY(p);
            QVERIFY(!advised(static_cast<char *>(p) + (size_t(8) << 20)));
            std::free(p);
        }
        qunsetenv("DFM_HUGE_HEAP");
    }

    void smallLoadsLeaveMallocAlone()
    {
        HugeHeapScope scope(size_t(1) << 20);
        void *p = std::malloc(size_t(16) << 20);
        QVERIFY(p);
        QVERIFY(!advised(static_cast<char *>(p) + (size_t(8) << 20)));
        std::free(p);
    }

    void aLargeLoadGetsOneAdvisedReservationGivenBackOnRelease()
    {
        constexpr size_t kBlock = size_t(16) << 20;
        uintptr_t inner = 0; // 8 MiB of whole pages inside the block, clear of its header
        constexpr size_t kInner = size_t(8) << 20;
        {
            HugeHeapScope scope(size_t(256) << 20);
            char *big = static_cast<char *>(std::malloc(kBlock)); // would be its own mmap without the scope
            QVERIFY(big);
            QVERIFY(big < sbrk(0)); // in the heap
            // (the reservation is advised from its first 2 MiB boundary on)
            QVERIFY2(advised(big + kBlock / 2), vmFlagsOf(big + kBlock / 2).constData());
            std::memset(big, 1, kBlock);
            inner = reinterpret_cast<uintptr_t>(big) + (size_t(4) << 20);
            QVERIFY(residentBytes(inner, kInner) >= kInner);
            std::free(big);
        }
        // The scope keeps what the load freed for what follows (glibc may still
        // give some back on its own); releaseLoadHeap() gives it all back.
        releaseLoadHeap();
        QVERIFY(residentBytes(inner, kInner) < kInner / 8);
    }
};

QTEST_APPLESS_MAIN(TestHugeHeap)
#include "tst_hugeheap.moc"
