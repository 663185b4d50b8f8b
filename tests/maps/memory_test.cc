// Memory: everything a map takes is charged to its MemCgroup and comes back
// when it is destroyed (with or without elements in it); a limit turns into
// -ENOMEM at creation or, for a map on the allocator, at insert time.
#include "ringb/mem.h"
#include "test_util.h"

namespace ringb::maps::test {
namespace {

struct TypeMode {
  const char* name;
  MapType type;
  uint32_t key_size, flags;
};

class MapMemory : public ::testing::TestWithParam<TypeMode> {};

TEST_P(MapMemory, DestroyingAMapWithElementsGivesEverythingBack) {
  const TypeMode t = GetParam();
  mem::MemCgroup cg;
  {
    Options o;
    o.cgroup = &cg;
    auto m = make(def_of(t.type, t.key_size, 24, 512, t.flags), o);
    ASSERT_NE(m, nullptr);
    EXPECT_GT(cg.charged(), 0u);
    EXPECT_GT(m->stats().memory_bytes, 0u);
    std::vector<uint8_t> v(m->value_size_for_host(), 7);
    ProgramScope p;
    for (uint32_t k = 0; k < 300; ++k) {
      if (t.key_size)
        ASSERT_EQ(m->update_elem(&k, v.data(), kAny), 0);
      else
        ASSERT_EQ(m->push_elem(v.data(), kAny), 0);
    }
  }
  EXPECT_EQ(cg.charged(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Types, MapMemory,
    ::testing::Values(TypeMode{"array", MapType::Array, 4, 0},
                      TypeMode{"percpu_array", MapType::PercpuArray, 4, 0},
                      TypeMode{"hash", MapType::Hash, 4, 0},
                      TypeMode{"hash_no_prealloc", MapType::Hash, 4, kFNoPrealloc},
                      TypeMode{"percpu_hash", MapType::PercpuHash, 4, 0},
                      TypeMode{"percpu_hash_no_prealloc", MapType::PercpuHash, 4, kFNoPrealloc},
                      TypeMode{"queue", MapType::Queue, 0, 0}, TypeMode{"stack", MapType::Stack, 0, 0}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(MapMemoryNoPrealloc, DeletedElementsGoBackToTheAllocator) {
  for (MapType type : {MapType::Hash, MapType::PercpuHash}) {
    mem::MemCgroup cg;
    {
      Options o;
      o.cgroup = &cg;
      auto m = make(def_of(type, 8, 64, 20000, kFNoPrealloc), o);
      const size_t empty = cg.charged();
      std::vector<uint8_t> v(m->value_size_for_host(), 1);
      for (uint64_t k = 0; k < 5000; ++k) ASSERT_EQ(m->host_update(&k, sizeof k, v.data(), v.size() * sizeof v[0], kAny), 0);
      EXPECT_GT(cg.charged(), empty + 5000 * 64) << "elements are allocated as they are inserted";
      for (uint64_t k = 0; k < 5000; ++k) ASSERT_EQ(m->host_delete(&k, sizeof k), 0);
      EXPECT_EQ(m->stats().elements, 0u);
      // Deleted elements pass a grace period, then the allocator trims what
      // its caches do not need.
      mem::MemAlloc::rcu_barrier();
      mem::MemAlloc::rcu_barrier();
      EXPECT_LT(cg.charged(), empty + 5000 * 64 / 2);
    }
    EXPECT_EQ(cg.charged(), 0u);
  }
}

TEST(MapMemoryNoPrealloc, PreallocatedMapsChargeEverythingUpFront) {
  mem::MemCgroup cg;
  Options o;
  o.cgroup = &cg;
  auto m = make(def_of(MapType::Hash, 4, 64, 1000), o);
  const size_t at_create = cg.charged();
  EXPECT_GT(at_create, 1000u * 64);
  for (uint32_t k = 0; k < 1000; ++k) {
    uint8_t v[64] = {};
    ASSERT_EQ(m->host_update(&k, sizeof k, v, sizeof v, kAny), 0);
  }
  EXPECT_EQ(cg.charged(), at_create);
}

TEST(MapMemoryLimit, CreationFailsWithEnomem) {
  mem::MemCgroup cg(64 * 1024);
  Options o;
  o.cgroup = &cg;
  for (MapType type : {MapType::Array, MapType::PercpuArray, MapType::Hash, MapType::PercpuHash,
                        MapType::Queue, MapType::Stack}) {
    const bool keyless = type == MapType::Queue || type == MapType::Stack;
    for (uint32_t flags : {0u, kFNoPrealloc}) {
      if (flags && type != MapType::Hash && type != MapType::PercpuHash) continue;
      SCOPED_TRACE(std::string(map_type_name(static_cast<uint32_t>(type))) + (flags ? " dynamic" : ""));
      auto m = Map::create(def_of(type, keyless ? 0 : 4, 1024, flags ? 100000 : 1000, flags), o);
      ASSERT_FALSE(m.ok());  // a dynamic hash: its 2^17 buckets alone are 2 MiB
      EXPECT_EQ(m.error().code, ENOMEM) << m.error().message;
      EXPECT_NE(m.error().message.find("memory limit"), std::string::npos) << m.error().message;
      EXPECT_EQ(cg.charged(), 0u) << "a failed creation gives back what it took";
    }
  }
  auto p = Map::create(def_of(MapType::ProgArray, 4, 4, 100000), o);  // 800 KB of slots
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ENOMEM) << p.error().message;
  EXPECT_EQ(cg.charged(), 0u);
}

// Sizes beyond the machine's memory fail at once, whatever the limit, and
// take nothing (the creation table has the kernel's cases; this is the cgroup).
TEST(MapMemoryLimit, HugeDefinitionsTakeNothing) {
  mem::MemCgroup cg;
  Options o;
  o.cgroup = &cg;
  const MapDef defs[] = {def_of(MapType::Queue, 0, 1u << 20, UINT32_MAX), def_of(MapType::Stack, 0, 4u << 20, UINT32_MAX),
                         def_of(MapType::Array, 4, INT32_MAX, UINT32_MAX),
                         def_of(MapType::PercpuArray, 4, 32768, 1u << 26),
                         def_of(MapType::PercpuHash, 4, 32768, 1u << 24),
                         def_of(MapType::Hash, 4, 2u << 20, 1u << 20)};
  for (const MapDef& d : defs) {
    auto m = Map::create(d, o);
    ASSERT_FALSE(m.ok()) << map_type_name(d.type);
    EXPECT_EQ(m.error().code, ENOMEM) << m.error().message;
    EXPECT_NE(m.error().message.find("memory"), std::string::npos) << m.error().message;
    EXPECT_EQ(cg.charged(), 0u) << map_type_name(d.type);
  }
}

TEST(MapMemoryLimit, DynamicInsertsFailWithEnomemAtTheLimit) {
  mem::MemCgroup cg;
  Options o;
  o.cgroup = &cg;
  auto m = make(def_of(MapType::Hash, 4, 256, 100000, kFNoPrealloc), o);
  cg.set_limit(cg.charged() + 64 * 1024);
  uint8_t v[256] = {};
  uint32_t k = 0;
  long rc = 0;
  for (; k < 100000 && (rc = m->host_update(&k, sizeof k, v, sizeof v, kAny)) == 0; ++k) {
  }
  EXPECT_EQ(rc, -ENOMEM) << "after " << k << " inserts";
  EXPECT_GT(k, 50u);
  EXPECT_LT(k, 1000u);
  EXPECT_EQ(m->stats().elements, k);
  // Room again after deletes: the freed elements are reused.
  for (uint32_t d = 0; d < k; ++d) ASSERT_EQ(m->host_delete(&d, sizeof d), 0);
  mem::MemAlloc::rcu_barrier();
  uint32_t again = 0;
  for (; again < k / 2; ++again) {
    // The last grace periods may still be running on liburcu's threads (and
    // the worker may not have run yet): give them a moment, as a caller
    // seeing -ENOMEM at a memory limit would.
    long rc2 = m->host_update(&again, sizeof again, v, sizeof v, kAny);
    for (int t = 0; rc2 == -ENOMEM && t < 50; ++t) {
      mem::MemAlloc::rcu_barrier();
      rc2 = m->host_update(&again, sizeof again, v, sizeof v, kAny);
    }
    ASSERT_EQ(rc2, 0) << again;
  }
}

}  // namespace
}  // namespace ringb::maps::test
