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

TEST(Watermarks, BelowLowTheWorkerDeliversABatchThatTheNextAllocSplicesIn) {
  WorkerPaused paused;
  Options o;
  o.unit_size = 64;  // low 32, high 96, batch 48, prefill 4
  auto ma = make_alloc(o);
  cpu::CpuGuard g;
  std::vector<void*> objs;
  for (int i = 0; i < 4; ++i) objs.push_back(ma->cache_alloc());
  EXPECT_EQ(ma->cache_alloc(), nullptr) << "empty cache, worker paused: NULL, not malloc";
  EXPECT_EQ(cache_stats(*ma, g.cpu(), 0).alloc_fails, 1u);
  MemAlloc::flush_work();  // the refill the allocs asked for
  void* p = ma->cache_alloc();
  ASSERT_NE(p, nullptr);
  objs.push_back(p);
  const CacheStats c = cache_stats(*ma, g.cpu(), 0);
  EXPECT_EQ(c.refills, 1u);
  EXPECT_EQ(c.free_count, 48 - 1);
  for (void* q : objs) ma->cache_free(q);
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

TEST(Watermarks, TheHotPathNeverCallsTheBackingAllocator) {
  TrackingBacking tb;
  Options o;
  o.backing = tb.backing();
  auto ma = make_alloc(o);
  {
    // Warm this cpu's cache to a steady state first.
    cpu::CpuGuard g;
    std::vector<void*> warm;
    for (int i = 0; i < 64; ++i) warm.push_back(ringb::testing::alloc_or_refill(*ma, 64));
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
  // Bursts that cross both watermarks: refills are requested and trims cut,
  // but nothing reaches malloc while the worker is paused.
  std::vector<void*> burst;
  for (int round = 0; round < 100; ++round) {
    burst.clear();
    for (int i = 0; i < 40; ++i)
      if (void* p = ma->alloc(64)) burst.push_back(p);
    for (void* p : burst) ma->free(p);
  }
  burst.clear();  // drain the cache: NULL at the end, not malloc
  for (void* p = ma->alloc(64); p; p = ma->alloc(64)) burst.push_back(p);
  for (void* p : burst) ma->free(p);
  EXPECT_EQ(tb.allocs(), allocs);
  EXPECT_EQ(tb.frees(), frees);
  const size_t cls = static_cast<size_t>(size_class_index(64 + kHeaderSize));
  EXPECT_GT(ringb::testing::cache_stats(*ma, g.cpu(), cls).trims, 0u);
}

}  // namespace
}  // namespace ringb::mem
