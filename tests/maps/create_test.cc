// Map::create validates a definition as BPF_MAP_CREATE does (the table in
// create_cases.h, which kernel_parity_test.cc checks against the kernel), and
// says what is wrong in a sentence.
#include <set>

#include "create_cases.h"
#include "test_util.h"

namespace ringb::maps::test {
namespace {

class CreateChecks : public ::testing::TestWithParam<CreateCase> {};

TEST_P(CreateChecks, GiveTheKernelsErrno) {
  const CreateCase& c = GetParam();
  if (!checkable_here(c)) GTEST_SKIP() << "this machine has " << c.enomem_bytes << " bytes or more";
  MapDef def = def_of(static_cast<MapType>(c.type), c.key_size, c.value_size, c.max_entries, c.flags);
  def.map_extra = c.map_extra;
  auto m = Map::create(def);
  if (c.expected_errno == 0) {
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ((*m)->def().type, c.type);
  } else {
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, c.expected_errno) << m.error().message;
    EXPECT_FALSE(m.error().message.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Table, CreateChecks, ::testing::ValuesIn(create_cases()),
                         [](const auto& info) { return std::string(info.param.name); });

// Every map type of Linux 6.18 ringb does not build (cgroup storage,
// arena, ...) is refused with EINVAL naming it, whatever its
// definition, and never half made.
TEST(Create, UnsupportedTypesSayWhich) {
  const std::set<uint32_t> supported = {1, 2, 3, 5, 6, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 29, 30, 31, 32};
  for (uint32_t type = 1; type <= 33; ++type) {
    if (supported.count(type)) continue;
    auto m = Map::create(def_of(static_cast<MapType>(type), 4, 8, 16));
    ASSERT_FALSE(m.ok()) << type;
    EXPECT_EQ(m.error().code, EINVAL);
    const std::string want = std::string("map type ") + map_type_name(type) + " is not supported yet";
    EXPECT_NE(m.error().message.find(want), std::string::npos) << m.error().message;
    EXPECT_STRNE(map_type_name(type), "unknown") << type;
  }
}

TEST(Create, BadFlagsAreNamed) {
  auto m = Map::create(def_of(MapType::Hash, 4, 8, 16, kFMmapable));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("0x400"), std::string::npos) << m.error().message;
}

TEST(Create, ForceDynAllocTurnsPreallocationOff) {
  Options o;
  o.force_dyn_alloc = true;
  auto m = make(def_of(MapType::Hash, 4, 8, 16), o);
  ASSERT_NE(m, nullptr);
  EXPECT_TRUE(m->def().map_flags & kFNoPrealloc);
  EXPECT_FALSE(m->stats().prealloc);
  auto p = make(def_of(MapType::Hash, 4, 8, 16));
  EXPECT_TRUE(p->stats().prealloc);
  // Arrays are arrays either way.
  auto a = make(def_of(MapType::Array, 4, 8, 16), o);
  EXPECT_FALSE(a->def().map_flags & kFNoPrealloc);
}

TEST(Create, PercpuCounterFollowsTheSeedsHeuristic) {
  // max_entries / 2 > nr_cpus * 32
  const uint32_t threshold = cpu::nr_cpus() * 64;
  EXPECT_FALSE(make(def_of(MapType::Hash, 4, 8, threshold + 1))->stats().percpu_counter);
  EXPECT_TRUE(make(def_of(MapType::Hash, 4, 8, threshold + 2))->stats().percpu_counter);
}

// The lock's place comes from BTF, which a hostile object may craft: it must
// be 4-aligned inside the value, and in a map type that may hold one. A
// queue takes no BTF at all in the kernel (EINVAL before any field is
// looked at); tests/kernel/fields_oracle_test.cc checks every type.
TEST(Create, SpinLockPlacementIsChecked) {
  struct Case {
    MapType type;
    int32_t off;
    int expected;
  };
  for (const Case& c : {Case{MapType::Hash, 8, 0}, Case{MapType::Array, 0, 0}, Case{MapType::Hash, 6, EINVAL},
                        Case{MapType::Array, 12, 0}, Case{MapType::Array, 16, EINVAL}, Case{MapType::Hash, 1 << 30, EINVAL},
                        Case{MapType::PercpuHash, 0, EOPNOTSUPP}, Case{MapType::PercpuArray, 0, EOPNOTSUPP},
                        Case{MapType::Queue, 0, EINVAL}}) {
    const bool keyless = c.type == MapType::Queue;
    MapDef d = def_of(c.type, keyless ? 0 : 4, 16, 4);
    d.spin_lock_off = c.off;
    auto m = Map::create(d);
    SCOPED_TRACE(std::string(map_type_name(d.type)) + " lock at " + std::to_string(c.off));
    if (c.expected == 0) {
      EXPECT_TRUE(m.ok()) << m.error().message;
    } else {
      ASSERT_FALSE(m.ok());
      EXPECT_EQ(m.error().code, c.expected) << m.error().message;
    }
  }
}

TEST(Create, ValueSizeForHost) {
  const size_t ncpu = cpu::nr_cpus();
  EXPECT_EQ(make(def_of(MapType::Hash, 4, 12, 4))->value_size_for_host(), 12u);
  EXPECT_EQ(make(def_of(MapType::PercpuHash, 4, 12, 4))->value_size_for_host(), 16 * ncpu);
  EXPECT_EQ(make(def_of(MapType::PercpuArray, 4, 12, 4))->value_size_for_host(), 16 * ncpu);
  EXPECT_EQ(make(def_of(MapType::Queue, 0, 12, 4))->value_size_for_host(), 12u);
}

}  // namespace
}  // namespace ringb::maps::test
