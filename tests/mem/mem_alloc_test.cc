// The allocator's API: modes, sizes, bad input, where frees land.
#include <gtest/gtest.h>

#include <barrier>
#include <cstring>
#include <thread>

#include "mem/test_util.h"
#include "mem/tracking_backing.h"
#include "ringb/cpu.h"

namespace ringb::mem {
namespace {

using ringb::testing::alloc_or_refill;
using ringb::testing::cache_stats;
using ringb::testing::make_alloc;

TEST(MemAlloc, GeneralModeServesEverySizeWithUsableAlignedMemory) {
  auto ma = make_alloc({});
  cpu::CpuGuard g;
  for (size_t size = 1; size <= kMaxAllocSize; size += (size < 256 ? 1 : 61)) {
    void* p = alloc_or_refill(*ma, size);
    ASSERT_NE(p, nullptr) << size;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 8, 0u) << size;
    std::memset(p, 0xab, size);
    ma->free(p);
  }
  void* largest = alloc_or_refill(*ma, kMaxAllocSize);
  ASSERT_NE(largest, nullptr);
  std::memset(largest, 1, kMaxAllocSize);
  ma->free(largest);
}

TEST(MemAlloc, FreeReturnsTheObjectToItsClassWithoutASizeLookup) {
  testing::WorkerPaused paused;
  auto ma = make_alloc({});
  cpu::CpuGuard g;
  const size_t cls = static_cast<size_t>(size_class_index(100 + kHeaderSize));
  ASSERT_EQ(kClassSizes[cls], 128u);
  const int before = cache_stats(*ma, g.cpu(), cls).free_count;
  void* p = ma->alloc(100);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(cache_stats(*ma, g.cpu(), cls).free_count, before - 1);
  ma->free(p);
  EXPECT_EQ(cache_stats(*ma, g.cpu(), cls).free_count, before);
  // LIFO: the object just freed is the next one handed out.
  EXPECT_EQ(ma->alloc(100), p);
  ma->free(p);
}

TEST(MemAlloc, OutOfRangeSizesFailWithAClearError) {
  auto ma = make_alloc({});
  EXPECT_EQ(ma->alloc(0), nullptr);
  EXPECT_EQ(ma->alloc(kMaxAllocSize + 1), nullptr);
  EXPECT_EQ(ma->alloc(SIZE_MAX), nullptr);
  EXPECT_EQ(ma->cache_alloc(), nullptr) << "cache_alloc on a general allocator";

  auto big = ma->try_alloc(4089);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, E2BIG);
  EXPECT_NE(big.error().message.find("4088"), std::string::npos) << big.error().message;
  auto zero = ma->try_alloc(0);
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code, EINVAL);

  auto ok = ma->try_alloc(4088);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  ma->free(ok.value());
}

TEST(MemAlloc, RejectsBadElementSizesAtCreation) {
  Options o;
  o.unit_size = kMaxElemSize + 1;
  auto r = MemAlloc::create(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, E2BIG);
  EXPECT_NE(r.error().message.find("element size"), std::string::npos);
  o.percpu = true;
  o.unit_size = kMaxPercpuElemSize + 1;
  EXPECT_EQ(MemAlloc::create(o).error().code, E2BIG);
}

TEST(MemAlloc, FixedSizeModeHandsOutElementsOfItsSize) {
  Options o;
  o.name = "htab-elems";
  o.unit_size = 52;
  auto ma = make_alloc(o);
  EXPECT_EQ(ma->stats().caches.size(), cpu::nr_cpus());
  EXPECT_EQ(ma->stats().caches[0].unit_size, 56u + kHeaderSize);
  EXPECT_EQ(ma->alloc(8), nullptr) << "alloc(size) on a fixed-size allocator";
  auto wrong = ma->try_alloc(8);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, EINVAL);
  std::vector<void*> objs;
  for (int i = 0; i < 100; ++i) {
    void* p = alloc_or_refill(*ma, 0);
    ASSERT_NE(p, nullptr);
    std::memset(p, i, 52);
    objs.push_back(p);
  }
  for (size_t i = 0; i < objs.size(); ++i)
    EXPECT_EQ(static_cast<unsigned char*>(objs[i])[51], static_cast<unsigned char>(i));
  for (void* p : objs) ma->cache_free(p);
}


// The constructor runs once per object taken from malloc; a freed object that
// is handed out again keeps its bytes (hash elements rely on it).
std::atomic<int> g_constructed{0};

TEST(MemAlloc, TheConstructorRunsOnceAndReuseKeepsTheBytes) {
  Options o;
  o.unit_size = 24;
  o.constructor = [](void* p) {
    std::memset(p, 0xab, 24);
    g_constructed.fetch_add(1);
  };
  g_constructed = 0;
  auto ma = make_alloc(o);
  const int prefilled = g_constructed.load();
  EXPECT_GT(prefilled, 0) << "the prefill constructs what it takes from malloc";
  EXPECT_EQ(static_cast<uint64_t>(prefilled), ma->stats().backing_allocs);
  cpu::CpuGuard slot;
  void* p = alloc_or_refill(*ma, 0);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(static_cast<unsigned char*>(p)[23], 0xab);
  std::memset(p, 0x11, 24);
  ma->cache_free(p);
  void* again = ma->cache_alloc();
  ASSERT_EQ(again, p) << "LIFO: the same object comes back";
  EXPECT_EQ(static_cast<unsigned char*>(again)[0], 0x11) << "reuse does not construct again";
  EXPECT_EQ(static_cast<unsigned char*>(again)[23], 0x11);
  ma->cache_free(again);
  EXPECT_EQ(static_cast<uint64_t>(g_constructed.load()), ma->stats().backing_allocs);
}

TEST(MemAlloc, AConstructorNeedsFixedSizeMode) {
  Options o;
  o.constructor = [](void*) {};
  auto general = MemAlloc::create(o);
  ASSERT_FALSE(general.ok());
  EXPECT_EQ(general.error().code, EINVAL);
  o.unit_size = 16;
  o.percpu = true;
  auto percpu = MemAlloc::create(o);
  ASSERT_FALSE(percpu.ok());
  EXPECT_EQ(percpu.error().code, EINVAL);
}
TEST(MemAlloc, PerCpuObjectsHaveAZeroedAreaForEveryCpu) {
  Options o;
  o.percpu = true;
  o.unit_size = 24;
  auto ma = make_alloc(o);
  void* obj = alloc_or_refill(*ma, 0);
  ASSERT_NE(obj, nullptr);
  std::vector<char*> areas;
  for (unsigned cpu = 0; cpu < cpu::nr_cpus(); ++cpu) {
    char* area = static_cast<char*>(MemAlloc::percpu_ptr(obj, cpu));
    for (int i = 0; i < 24; ++i) ASSERT_EQ(area[i], 0) << "cpu " << cpu;
    std::memset(area, static_cast<int>(cpu + 1), 24);
    areas.push_back(area);
  }
  for (unsigned cpu = 0; cpu < cpu::nr_cpus(); ++cpu) EXPECT_EQ(areas[cpu][23], char(cpu + 1));
  ma->cache_free(obj);
}

TEST(MemAlloc, GeneralPerCpuModeUsesTheAreaSizeAsTheClass) {
  Options o;
  o.percpu = true;
  auto ma = make_alloc(o);
  void* obj = alloc_or_refill(*ma, 100);
  ASSERT_NE(obj, nullptr);
  if (cpu::nr_cpus() > 1) {
    auto* a0 = static_cast<char*>(MemAlloc::percpu_ptr(obj, 0));
    auto* a1 = static_cast<char*>(MemAlloc::percpu_ptr(obj, 1));
    EXPECT_EQ(a1 - a0, 128);  // 100 bytes → the 128-byte class, no header
  }
  std::memset(MemAlloc::percpu_ptr(obj, cpu::nr_cpus() - 1), 7, 100);
  ma->free(obj);
  void* largest = alloc_or_refill(*ma, kMaxUnitSize);
  EXPECT_NE(largest, nullptr) << "per-cpu areas go up to 4096";
  ma->free(largest);
}

TEST(MemAlloc, AFreeLandsInTheFreeingCpusCache) {
  if (cpu::nr_cpus() < 2) GTEST_SKIP() << "needs two cpu slots";
  testing::WorkerPaused paused;
  Options o;
  o.unit_size = 64;
  auto ma = make_alloc(o);
  std::barrier sync(2);
  void* obj = nullptr;
  int alloc_cpu = -1, free_cpu = -1;
  int alloc_before = 0, free_before = 0, alloc_after = 0, free_after = 0;
  std::thread a([&] {
    cpu::CpuGuard g;
    alloc_cpu = g.cpu();
    sync.arrive_and_wait();  // both threads hold distinct slots now
    obj = ma->cache_alloc();
    sync.arrive_and_wait();
    sync.arrive_and_wait();
  });
  std::thread b([&] {
    cpu::CpuGuard g;
    free_cpu = g.cpu();
    sync.arrive_and_wait();
    sync.arrive_and_wait();
    alloc_before = cache_stats(*ma, alloc_cpu, 0).free_count;
    free_before = cache_stats(*ma, free_cpu, 0).free_count;
    ma->cache_free(obj);
    // Read before thread a gives its slot back (which tops its cache up).
    alloc_after = cache_stats(*ma, alloc_cpu, 0).free_count;
    free_after = cache_stats(*ma, free_cpu, 0).free_count;
    sync.arrive_and_wait();
  });
  a.join();
  b.join();
  ASSERT_NE(obj, nullptr);
  ASSERT_NE(alloc_cpu, free_cpu);
  EXPECT_EQ(free_after, free_before + 1);
  EXPECT_EQ(alloc_after, alloc_before);
}

TEST(MemAlloc, CallsFromThreadsWithoutASlotTakeOneForTheCall) {
  auto ma = make_alloc({});
  ASSERT_EQ(cpu::current(), -1);
  void* p = alloc_or_refill(*ma, 32);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(cpu::current(), -1);
  ma->free(p);
}

#if RINGB_DEBUG_CHECKS
TEST(MemAllocDeathTest, DoubleFreeIsCaughtWithAClearMessage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto ma = make_alloc({});
  void* p = alloc_or_refill(*ma, 40);
  ma->free(p);
  EXPECT_DEATH(ma->free(p), "invalid free of .* in allocator 'mem': double free");
}

TEST(MemAllocDeathTest, ForeignPointersAreCaught) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Options o;
  o.name = "other";
  auto mine = make_alloc({});
  auto other = make_alloc(o);
  void* p = alloc_or_refill(*other, 40);
  EXPECT_DEATH(mine->free(p), "invalid free .* in allocator 'mem'");
  other->free(p);
  alignas(16) static char not_from_any_allocator[64] = {};
  EXPECT_DEATH(mine->free(not_from_any_allocator + 8), "did not return");
}
#endif

}  // namespace
}  // namespace ringb::mem
