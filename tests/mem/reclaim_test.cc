// The way back to malloc: grace periods, free_rcu, destroy with callbacks in
// flight.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "mem/test_util.h"
#include "mem/tracking_backing.h"
#include "ringb/cpu.h"
#include "rcu/reader.h"
#include "ringb/rcu.h"

namespace ringb::mem {
namespace {

using namespace std::chrono_literals;
using ringb::testing::alloc_or_refill;
using ringb::testing::make_alloc;
using ringb::testing::TrackingBacking;

using ringb::testing::Reader;

// Allocates n objects and frees them all: the cache trims above high.
void churn(MemAlloc& ma, int n) {
  cpu::CpuGuard g;
  std::vector<void*> objs;
  for (int i = 0; i < n; ++i) objs.push_back(alloc_or_refill(ma, 0));
  for (void* p : objs) ma.cache_free(p);
}

class Reclaim : public ::testing::TestWithParam<rcu::Domain> {};

TEST_P(Reclaim, AReaderInsideASectionNeverSeesTrimmedMemoryGoBackToMalloc) {
  TrackingBacking tb;
  Options o;
  o.unit_size = 40;
  o.backing = tb.backing();
  auto ma = make_alloc(o);
  Reader reader(GetParam());  // e.g. a program still holding a deleted element
  churn(*ma, 500);
  for (int i = 0; i < 20; ++i) {
    MemAlloc::flush_work();
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_GT(ma->stats().in_flight, 0u) << "trimmed objects wait for the grace period";
  EXPECT_EQ(tb.frees(), 0u) << "memory went back to malloc under a reader";
  reader.leave();
  MemAlloc::rcu_barrier();
  EXPECT_GT(tb.frees(), 0u);
  EXPECT_EQ(ma->stats().in_flight, 0u);
  EXPECT_EQ(tb.bad_frees(), 0u);
}

INSTANTIATE_TEST_SUITE_P(BothDomains, Reclaim,
                         ::testing::Values(rcu::Domain::Rcu, rcu::Domain::TasksTrace),
                         [](const auto& info) {
                           return info.param == rcu::Domain::Rcu ? "Rcu" : "TasksTrace";
                         });

TEST(Reclaim, FreeRcuObjectsAreNotReusedBeforeAGracePeriod) {
  Options o;
  o.unit_size = 32;
  auto ma = make_alloc(o);
  Reader reader(rcu::Domain::Rcu);
  std::set<void*> dropped;
  {
    cpu::CpuGuard g;
    for (int i = 0; i < 20; ++i) {
      void* p = alloc_or_refill(*ma, 0);
      dropped.insert(p);
      ma->cache_free_rcu(p);  // bpf_obj_drop of an RCU-visible object
    }
    for (int round = 0; round < 50; ++round) {
      std::vector<void*> objs;
      for (int i = 0; i < 100; ++i) {
        void* p = alloc_or_refill(*ma, 0);
        ASSERT_EQ(dropped.count(p), 0u) << "free_rcu object reused under a reader";
        objs.push_back(p);
      }
      for (void* p : objs) ma->cache_free(p);
    }
  }
  MemAlloc::flush_work();  // the worker moves free_rcu'd objects into their batch
  EXPECT_GE(ma->stats().in_flight, dropped.size());
  reader.leave();
  MemAlloc::rcu_barrier();
  EXPECT_EQ(ma->stats().in_flight, 0u);
}

TEST(Reclaim, DestroyWaitsForCallbacksInFlightAndLeaksNothing) {
  TrackingBacking tb;
  for (int round = 0; round < 5; ++round) {
    Options o;
    o.unit_size = 100;
    o.backing = tb.backing();
    auto ma = make_alloc(o);
    churn(*ma, 400);
    {
      cpu::CpuGuard g;
      for (int i = 0; i < 50; ++i) ma->cache_free_rcu(alloc_or_refill(*ma, 0));
    }
    MemAlloc::flush_work();  // batches are now waiting for grace periods
    ma.reset();              // destroy with callbacks pending
    EXPECT_EQ(tb.live(), 0u);
    EXPECT_EQ(tb.bad_frees(), 0u);
  }
  EXPECT_EQ(tb.allocs(), tb.frees());
}

TEST(Reclaim, PerCpuObjectsReturnBothHolderAndArea) {
  TrackingBacking tb;
  {
    Options o;
    o.percpu = true;
    o.backing = tb.backing();
    auto ma = make_alloc(o);
    cpu::CpuGuard g;
    std::vector<void*> objs;
    for (int i = 0; i < 300; ++i) objs.push_back(alloc_or_refill(*ma, 48));
    for (void* p : objs) ma->free(p);
  }
  EXPECT_EQ(tb.live(), 0u);
  EXPECT_EQ(tb.bad_frees(), 0u);
}

}  // namespace
}  // namespace ringb::mem
