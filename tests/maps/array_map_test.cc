// BPF_MAP_TYPE_ARRAY: program-side lookups return stable pointers into the
// values, updates write in place with the kernel's flag rules, nothing can be
// deleted, iteration is by index, and global data starts with its contents.
#include "test_util.h"

namespace ringb::maps::test {
namespace {

TEST(ArrayMap, ProgramLookupPointsIntoTheValues) {
  auto m = make(def_of(MapType::Array, 4, 12, 4));
  ProgramScope p;
  uint32_t k = 2;
  auto* v = static_cast<uint8_t*>(m->lookup_elem(&k));
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(v) % 8, 0u);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(v[i], 0) << "values start zeroed";
  v[0] = 42;  // a program writes through the pointer
  EXPECT_EQ(m->lookup_elem(&k), v);
  uint8_t out[12];
  EXPECT_EQ(m->host_lookup(&k, sizeof k, out, sizeof out), 0);
  EXPECT_EQ(out[0], 42);
  k = 4;
  EXPECT_EQ(m->lookup_elem(&k), nullptr);
  k = UINT32_MAX;
  EXPECT_EQ(m->lookup_elem(&k), nullptr);
}

TEST(ArrayMap, UpdateFlags) {
  auto m = make(def_of(MapType::Array, 4, 8, 4));
  ProgramScope p;
  uint32_t k = 1;
  uint64_t v = 7;
  EXPECT_EQ(m->update_elem(&k, &v, kAny), 0);
  EXPECT_EQ(m->update_elem(&k, &v, kExist), 0);
  EXPECT_EQ(m->update_elem(&k, &v, kNoExist), -EEXIST);
  EXPECT_EQ(m->update_elem(&k, &v, 3), -EINVAL);
  EXPECT_EQ(m->update_elem(&k, &v, kFLock), -EINVAL);  // no bpf_spin_lock in the value
  k = 4;
  EXPECT_EQ(m->update_elem(&k, &v, kAny), -E2BIG);
  // Program side checks the index before BPF_F_LOCK (array_map_update_elem);
  // the host side refuses BPF_F_LOCK first (the syscall does).
  EXPECT_EQ(m->update_elem(&k, &v, kFLock | kNoExist), -E2BIG);
  EXPECT_EQ(m->host_update(&k, sizeof k, &v, sizeof v, kFLock | kNoExist), -EINVAL);
  k = 1;
  EXPECT_EQ(u64_at(m->lookup_elem(&k)), 7u);
}

TEST(ArrayMap, ElementsCannotBeDeleted) {
  auto m = make(def_of(MapType::Array, 4, 8, 4));
  ProgramScope p;
  uint32_t k = 1;
  EXPECT_EQ(m->delete_elem(&k), -EINVAL);
  EXPECT_EQ(m->host_delete(&k, sizeof k), -EINVAL);
  uint64_t out;
  EXPECT_EQ(m->host_lookup_and_delete(&k, sizeof k, &out, sizeof out), -kENOTSUPP);
}

TEST(ArrayMap, HostLookupPastTheEndIsEnoent) {
  auto m = make(def_of(MapType::Array, 4, 8, 4));
  uint32_t k = 4;
  uint64_t out;
  EXPECT_EQ(m->host_lookup(&k, sizeof k, &out, sizeof out), -ENOENT);
}

TEST(ArrayMap, GetNextKeyWalksEveryIndexOnce) {
  auto m = make(def_of(MapType::Array, 4, 8, 5));
  const auto keys = walk_keys<uint32_t>(*m);
  EXPECT_EQ(keys, (std::vector<uint32_t>{0, 1, 2, 3, 4}));
  uint32_t k = 99, next = 7;
  EXPECT_EQ(m->host_get_next_key(&k, &next, sizeof next), 0);  // past the end: start over
  EXPECT_EQ(next, 0u);
  k = 4;
  EXPECT_EQ(m->host_get_next_key(&k, &next, sizeof next), -ENOENT);
}

TEST(ArrayMap, ValuesArePaddedToEightBytes) {
  auto m = make(def_of(MapType::Array, 4, 5, 3));
  ProgramScope p;
  uint32_t k0 = 0, k1 = 1;
  const auto a = reinterpret_cast<uintptr_t>(m->lookup_elem(&k0));
  const auto b = reinterpret_cast<uintptr_t>(m->lookup_elem(&k1));
  EXPECT_EQ(b - a, 8u);  // round_up(value_size, 8), as the kernel's elem_size
}

TEST(ArrayMap, GlobalDataStartsWithItsContents) {
  MapDef d = def_of(MapType::Array, 4, 16, 1, kFRdonlyProg);
  d.global_data = true;
  d.read_only = true;
  d.initial_value = {1, 2, 3, 4, 5};
  auto m = make(d);
  auto* v = static_cast<uint8_t*>(m->direct_value_addr());
  ASSERT_NE(v, nullptr);
  const uint8_t expected[16] = {1, 2, 3, 4, 5};  // zero-filled after the contents
  EXPECT_EQ(std::memcmp(v, expected, 16), 0);
  uint32_t k = 0;
  ProgramScope p;
  EXPECT_EQ(m->lookup_elem(&k), v);
}

TEST(ArrayMap, BssStartsZeroed) {
  MapDef d = def_of(MapType::Array, 4, 24, 1);
  d.global_data = true;
  auto m = make(d);
  auto* v = static_cast<uint8_t*>(m->direct_value_addr());
  ASSERT_NE(v, nullptr);
  for (int i = 0; i < 24; ++i) EXPECT_EQ(v[i], 0);
}

TEST(ArrayMap, InitialValueLargerThanTheValueIsRejected) {
  MapDef d = def_of(MapType::Array, 4, 4, 1);
  d.global_data = true;
  d.initial_value.assign(8, 1);
  auto m = Map::create(d);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, EINVAL);
}

TEST(ArrayMap, DirectValueAddrOnlyForOneElement) {
  EXPECT_EQ(make(def_of(MapType::Array, 4, 8, 2))->direct_value_addr(), nullptr);
  EXPECT_EQ(make(def_of(MapType::PercpuArray, 4, 8, 1))->direct_value_addr(), nullptr);
  EXPECT_EQ(make(def_of(MapType::Hash, 4, 8, 1))->direct_value_addr(), nullptr);
}

TEST(ArrayMap, QueueOperationsAreNotForArrays) {
  auto m = make(def_of(MapType::Array, 4, 8, 2));
  ProgramScope p;
  uint64_t v = 0;
  EXPECT_EQ(m->push_elem(&v, 0), -EINVAL);
  EXPECT_EQ(m->pop_elem(&v), -EINVAL);
  EXPECT_EQ(m->peek_elem(&v), -EINVAL);
}

}  // namespace
}  // namespace ringb::maps::test
