// Host commands take the sizes of their buffers, as libbpf's bpf_map__*_elem
// do (validate_map_op()): the key's must be key_size (0 for queue and stack),
// the value's value_size, or round_up(value_size, 8) × nr_cpus for per-cpu
// maps. A mismatch is -EINVAL before any other check, and no buffer is
// touched.
#include "test_util.h"

namespace ringb::maps::test {
namespace {

struct SizeCase {
  const char* name;
  MapType type;
  uint32_t key_size, value_size;
};

class HostSizes : public ::testing::TestWithParam<SizeCase> {};

TEST_P(HostSizes, MismatchIsEinvalAndTouchesNothing) {
  const SizeCase& c = GetParam();
  auto m = make(def_of(c.type, c.key_size, c.value_size, 4));
  ASSERT_NE(m, nullptr);
  const size_t ks = c.key_size, vs = m->value_size_for_host();
  std::vector<uint8_t> key(ks + 8, 0), value(vs + 8, 0xab);
  const void* k = ks ? key.data() : nullptr;
  const std::vector<uint8_t> untouched = value;
  const size_t bad_keys[] = {ks + 1, ks ? ks - 1 : 8};
  const size_t bad_values[] = {vs + 1, vs - 1, c.value_size == vs ? vs * 2 : c.value_size};
  for (size_t bk : bad_keys) {
    SCOPED_TRACE("key size " + std::to_string(bk));
    EXPECT_EQ(m->host_lookup(key.data(), bk, value.data(), vs), -EINVAL);
    EXPECT_EQ(m->host_update(key.data(), bk, value.data(), vs, kAny), -EINVAL);
    EXPECT_EQ(m->host_delete(key.data(), bk), -EINVAL);
    EXPECT_EQ(m->host_get_next_key(nullptr, key.data(), bk), -EINVAL);
    EXPECT_EQ(m->host_lookup_and_delete(key.data(), bk, value.data(), vs), -EINVAL);
  }
  for (size_t bv : bad_values) {
    SCOPED_TRACE("value size " + std::to_string(bv));
    EXPECT_EQ(m->host_lookup(k, ks, value.data(), bv), -EINVAL);
    EXPECT_EQ(m->host_update(k, ks, value.data(), bv, kAny), -EINVAL);
    EXPECT_EQ(m->host_lookup_and_delete(k, ks, value.data(), bv), -EINVAL);
  }
  EXPECT_EQ(value, untouched);
  EXPECT_EQ(m->stats().elements, c.type == MapType::Queue || c.type == MapType::Stack ||
                                         c.type == MapType::Hash || c.type == MapType::PercpuHash
                                     ? 0u
                                     : 4u)
      << "nothing was written";
  if (c.type == MapType::ProgArray) return;  // its values are program ids
  // The right sizes work.
  EXPECT_EQ(m->host_update(k, ks, value.data(), vs, kAny), 0);
  EXPECT_EQ(m->host_lookup(k, ks, value.data(), vs), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Types, HostSizes,
    ::testing::Values(SizeCase{"hash", MapType::Hash, 6, 12}, SizeCase{"percpu_hash", MapType::PercpuHash, 4, 12},
                      SizeCase{"array", MapType::Array, 4, 12},
                      SizeCase{"percpu_array", MapType::PercpuArray, 4, 12},
                      SizeCase{"percpu_array_aligned", MapType::PercpuArray, 4, 16},
                      SizeCase{"queue", MapType::Queue, 0, 12}, SizeCase{"stack", MapType::Stack, 0, 5},
                      SizeCase{"prog_array", MapType::ProgArray, 4, 4}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(HostSizes, PercpuValuesAreRoundedPerCpu) {
  const size_t ncpu = cpu::nr_cpus();
  for (MapType t : {MapType::PercpuHash, MapType::PercpuArray}) {
    auto m = make(def_of(t, 4, 12, 4));
    uint32_t k = 1;
    std::vector<uint8_t> v(16 * ncpu, 1);
    EXPECT_EQ(m->host_update(&k, 4, v.data(), 12 * ncpu, kAny), -EINVAL) << "value_size × nr_cpus";
    EXPECT_EQ(m->host_update(&k, 4, v.data(), 12, kAny), -EINVAL) << "one cpu's value";
    EXPECT_EQ(m->host_update(&k, 4, v.data(), 16 * ncpu, kAny), 0);
    EXPECT_EQ(m->host_lookup(&k, 4, v.data(), 16 * ncpu), 0);
  }
}

// libbpf checks the sizes before the syscall, so they come before the
// kernel's own verdicts (permissions, null pointers, flags).
TEST(HostSizes, SizesAreCheckedFirst) {
  auto ro = make(def_of(MapType::Hash, 4, 8, 4, kFRdonly));
  uint32_t k = 1;
  uint64_t v = 0;
  EXPECT_EQ(ro->host_update(&k, 4, &v, 8, kAny), -EPERM);
  EXPECT_EQ(ro->host_update(&k, 4, &v, 4, kAny), -EINVAL);
  EXPECT_EQ(ro->host_delete(&k, 8), -EINVAL);
  auto wo = make(def_of(MapType::Hash, 4, 8, 4, kFWronly));
  EXPECT_EQ(wo->host_lookup(&k, 4, &v, 8), -EPERM);
  EXPECT_EQ(wo->host_lookup(&k, 3, &v, 8), -EINVAL);
  EXPECT_EQ(wo->host_get_next_key(nullptr, &k, 8), -EINVAL);
  auto h = make(def_of(MapType::Hash, 4, 8, 4));
  EXPECT_EQ(h->host_lookup(nullptr, 0, &v, 8), -EINVAL);
  EXPECT_EQ(h->host_lookup(nullptr, 4, &v, 8), -EFAULT);
  EXPECT_EQ(h->host_update(&k, 4, &v, 7, 99), -EINVAL);
  auto q = make(def_of(MapType::Queue, 0, 8, 4));
  EXPECT_EQ(q->host_update(nullptr, 4, &v, 8, kAny), -EINVAL) << "a queue's key size is 0";
  EXPECT_EQ(q->host_update(nullptr, 0, &v, 8, kAny), 0);
  EXPECT_EQ(q->host_lookup_and_delete(nullptr, 0, &v, 8), 0);
}

}  // namespace
}  // namespace ringb::maps::test
