// The memcg analogue: charging, limits, and running out of backing memory.
#include <gtest/gtest.h>

#include <vector>

#include "mem/test_util.h"
#include "mem/tracking_backing.h"
#include "ringb/cpu.h"

namespace ringb::mem {
namespace {

using ringb::testing::make_alloc;
using ringb::testing::TrackingBacking;

// Allocates until alloc fails even after the worker had its chance.
std::vector<void*> fill(MemAlloc& ma, size_t size) {
  std::vector<void*> objs;
  for (;;) {
    void* p = ringb::testing::alloc_or_refill(ma, size);
    if (!p) return objs;
    objs.push_back(p);
  }
}

TEST(Limit, AllocationStopsCleanlyAtTheCgroupLimit) {
  MemCgroup cg(256 * 1024);
  Options o;
  o.unit_size = 1000;
  o.cgroup = &cg;
  auto ma = make_alloc(o);
  cpu::CpuGuard g;
  std::vector<void*> objs = fill(*ma, 0);
  EXPECT_GT(objs.size(), 100u);
  EXPECT_LE(cg.charged(), cg.limit());
  EXPECT_LE(objs.size() * 1008, cg.limit());
  EXPECT_GT(cg.failed_charges(), 0u);
  for (void* p : objs) ma->cache_free(p);
  ma.reset();
  EXPECT_EQ(cg.charged(), 0u) << "destroy uncharges everything";
}

TEST(Limit, TryAllocNamesTheLimit) {
  MemCgroup cg(64 * 1024);
  Options o;
  o.cgroup = &cg;
  o.name = "tiny";
  auto ma = make_alloc(o);
  cpu::CpuGuard g;
  std::vector<void*> objs = fill(*ma, 2000);
  auto r = ma->try_alloc(2000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ENOMEM);
  EXPECT_NE(r.error().message.find("memory limit"), std::string::npos) << r.error().message;
  for (void* p : objs) ma->free(p);
}

TEST(Limit, AllocatorsSharingACgroupShareItsLimit) {
  MemCgroup cg;
  Options o;
  o.cgroup = &cg;
  auto a = make_alloc(o);
  const size_t one = cg.charged();
  auto b = make_alloc(o);
  EXPECT_EQ(cg.charged(), 2 * one);
  EXPECT_EQ(a->bytes_held() + b->bytes_held(), cg.charged());
  a.reset();
  EXPECT_EQ(cg.charged(), one);
}

TEST(Limit, CreationFailsWhenThePrefillDoesNotFit) {
  MemCgroup cg(1000);
  Options o;
  o.cgroup = &cg;
  auto r = MemAlloc::create(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ENOMEM);
  EXPECT_NE(r.error().message.find("prefill"), std::string::npos);
  EXPECT_EQ(cg.charged(), 0u) << "a failed creation gives back what it charged";
}

TEST(Limit, AnExhaustedBackingAllocatorMeansNullNotACrash) {
  TrackingBacking tb;
  Options o;
  o.unit_size = 128;
  o.backing = tb.backing();
  auto ma = make_alloc(o);
  tb.set_allow(false);
  cpu::CpuGuard g;
  std::vector<void*> objs = fill(*ma, 0);
  EXPECT_EQ(objs.size(), 4u) << "only the prefill";
  tb.set_allow(true);
  void* more = ringb::testing::alloc_or_refill(*ma, 0);
  EXPECT_NE(more, nullptr) << "recovers once memory is back";
  objs.push_back(more);
  for (void* p : objs) ma->cache_free(p);
}

}  // namespace
}  // namespace ringb::mem
