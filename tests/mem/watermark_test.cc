// Prefill, refill below the low watermark, trim above the high one, and the
// hot path's independence from the backing allocator.
#include <gtest/gtest.h>

#include <vector>

#include "mem/test_util.h"
#include "mem/tracking_backing.h"
#include "ringb/cpu.h"

namespace ringb::mem {
namespace {

using ringb::testing::cache_stats;
using ringb::testing::make_alloc;
using ringb::testing::TrackingBacking;
using ringb::testing::WorkerPaused;

TEST(Watermarks, CachesArePrefilledAndIdleMemoryIsSmall) {
  TrackingBacking tb;
  Options o;
  o.backing = tb.backing();
  auto ma = make_alloc(o);
  const Stats s = ma->stats();
  for (const CacheStats& c : s.caches)
    EXPECT_EQ(c.free_count, c.unit_size <= 256 ? 4 : 1) << c.unit_size;
  // 4 × (16+32+64+96+128+192+256) + 512+1024+2048+4096 = 10,816 bytes per cpu.
  EXPECT_EQ(ma->bytes_held(), 10816u * cpu::nr_cpus());
  EXPECT_LE(ma->bytes_held() / cpu::nr_cpus(), 11u * 1024);
  EXPECT_EQ(tb.live(), 32u * cpu::nr_cpus());  // 7 small classes × 4 + 4 large × 1
}

TEST(Watermarks, AnEmptyCacheRefillsInPlaceAndTheSlotsReleaseTopsItUp) {
  WorkerPaused paused;  // neither needs the worker
  Options o;
  o.unit_size = 64;  // low 32, high 96, batch 48, prefill 4
  auto ma = make_alloc(o);
  std::vector<void*> objs;
  int cpu = -1;
  {
    cpu::CpuGuard g;
    cpu = g.cpu();
    for (int i = 0; i < 4; ++i) objs.push_back(ma->cache_alloc());
    EXPECT_EQ(cache_stats(*ma, cpu, 0).free_count, 0);
    void* p = ma->cache_alloc();  // empty: one batch, in place
    ASSERT_NE(p, nullptr);
    objs.push_back(p);
    CacheStats c = cache_stats(*ma, cpu, 0);
    EXPECT_EQ(c.refills, 1u);
    EXPECT_EQ(c.free_count, 48 - 1);
    EXPECT_EQ(c.alloc_fails, 0u);
    // Down to below low: asked for, but not done while the slot is held.
    while (cache_stats(*ma, cpu, 0).free_count >= 32) objs.push_back(ma->cache_alloc());
    EXPECT_EQ(cache_stats(*ma, cpu, 0).refills, 1u);
  }
  // Given back in task context: the top-up ran before the slot was free.
  const CacheStats c = cache_stats(*ma, cpu, 0);
  EXPECT_EQ(c.refills, 2u);
  EXPECT_EQ(c.free_count, 31 + 48);
  cpu::CpuGuard g;
  for (void* q : objs) ma->cache_free(q);
}

TEST(Watermarks, AProgramAllocatingTenThousandObjectsFromColdNeverGetsNull) {
  for (size_t size : {size_t{16}, size_t{64}, size_t{256}, size_t{4000}}) {
    auto ma = make_alloc({});
    std::vector<void*> objs;
    cpu::CpuGuard g;  // one "program run"
    for (int i = 0; i < 10000; ++i) {
      void* p = ma->alloc(size);
      ASSERT_NE(p, nullptr) << "allocation " << i << " of " << size << " bytes";
      static_cast<char*>(p)[size - 1] = 1;
      objs.push_back(p);
    }
    for (void* p : objs) ma->free(p);
    uint64_t fails = 0;
    for (const CacheStats& c : ma->stats().caches) fails += c.alloc_fails;
    EXPECT_EQ(fails, 0u);
  }
}

TEST(Watermarks, AboveHighTheOwnerTrimsToTheMiddleAndTheWorkerReclaims) {
  TrackingBacking tb;
  Options o;
  o.unit_size = 64;
  o.backing = tb.backing();
  auto ma = make_alloc(o);
  std::vector<void*> objs;
  {
    cpu::CpuGuard g;
    for (int i = 0; i < 300; ++i) objs.push_back(ringb::testing::alloc_or_refill(*ma, 0));
    for (void* p : objs) ASSERT_NE(p, nullptr);
    for (void* p : objs) ma->cache_free(p);
    const CacheStats c = cache_stats(*ma, g.cpu(), 0);
    EXPECT_GE(c.trims, 1u);
    EXPECT_GE(c.free_count, c.low);
    EXPECT_LE(c.free_count, c.high);
  }
  MemAlloc::rcu_barrier();  // trimmed objects go back after their grace periods
  const Stats s = ma->stats();
  EXPECT_GT(s.backing_frees, 0u);
  EXPECT_EQ(s.in_flight, 0u);
  EXPECT_EQ(tb.bad_frees(), 0u);
  int cached = 0;
  for (const CacheStats& c : s.caches) cached += c.free_count;
  // Held objects sit on free lists, or in a refill batch not yet spliced in.
  EXPECT_GE(tb.live(), static_cast<size_t>(cached));
  EXPECT_EQ(ma->bytes_held(), tb.live() * 72);
}

TEST(Watermarks, TheHotPathCallsTheBackingAllocatorOnlyToRefillAnEmptyCache) {
  TrackingBacking tb;
  Options o;
  o.backing = tb.backing();
  auto ma = make_alloc(o);
  {
    // Warm this cpu's cache to a steady state first.
    cpu::CpuGuard g;
    std::vector<void*> warm;
    for (int i = 0; i < 64; ++i) warm.push_back(ma->alloc(64));
    for (void* p : warm) ma->free(p);
  }
  MemAlloc::rcu_barrier();
  WorkerPaused paused;
  const uint64_t allocs = tb.allocs(), frees = tb.frees();
  cpu::CpuGuard g;
  for (int i = 0; i < 200000; ++i) {
    void* p = ma->alloc(64);
    ASSERT_NE(p, nullptr);
    ma->free(p);
  }
  // Bursts that cross both watermarks: refills are asked for and trims cut,
  // but nothing reaches malloc while the list never runs empty.
  std::vector<void*> burst;
  for (int round = 0; round < 100; ++round) {
    burst.clear();
    for (int i = 0; i < 20; ++i) burst.push_back(ma->alloc(64));
    for (void* p : burst) ma->free(p);
  }
  EXPECT_EQ(tb.allocs(), allocs);
  EXPECT_EQ(tb.frees(), frees);
  const size_t cls = static_cast<size_t>(size_class_index(64 + kHeaderSize));
  EXPECT_GT(ringb::testing::cache_stats(*ma, g.cpu(), cls).trims, 0u);
  // Past what the cache holds, refills come a batch at a time.
  burst.clear();
  for (int i = 0; i < 1000; ++i) burst.push_back(ma->alloc(64));
  const CacheStats c = ringb::testing::cache_stats(*ma, g.cpu(), cls);
  EXPECT_LE(tb.allocs() - allocs, 1000u + static_cast<uint64_t>(c.batch));
  for (void* p : burst) ASSERT_NE(p, nullptr);
  for (void* p : burst) ma->free(p);
}

}  // namespace
}  // namespace ringb::mem
