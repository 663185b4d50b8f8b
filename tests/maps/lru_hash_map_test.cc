// LRU_HASH and LRU_PERCPU_HASH: the kernel's eviction order (worked out by
// hand from kernel/bpf/bpf_lru_list.c for this process's nr_cpus, and the
// same scenarios run in the kernel by tests/bpf/progs/maps_lru.bpf.c),
// update flags when full, creation checks, the accounting equations of
// lru_htab.h, and per-cpu values.
#include <algorithm>
#include <set>

#include "lru_htab.h"
#include "test_util.h"

namespace ringb::maps::test {
namespace {

using detail::LruHtab;

std::unique_ptr<Map> lru(uint32_t max_entries, uint32_t flags = 0, bool percpu = false, uint32_t value_size = 8) {
  return make(def_of(percpu ? MapType::LruPercpuHash : MapType::LruHash, 4, value_size, max_entries, flags));
}

long put(Map& m, uint32_t k, uint64_t flags = kAny) {
  const uint64_t v = k * 10;
  return m.update_elem(&k, &v, flags);
}
bool has(Map& m, uint32_t k) { return m.lookup_elem(&k) != nullptr; }  // sets the reference bit

std::set<uint32_t> keys_of(Map& m) {
  auto keys = walk_keys<uint32_t>(m);
  return {keys.begin(), keys.end()};
}

// The accounting equations of lru_htab.h, with nothing running.
void expect_accounting(Map& m) {
  auto& t = static_cast<LruHtab&>(m);
  const Stats s = m.stats();
  EXPECT_EQ(t.lru_lists().free_slots() + t.lru_lists().listed_nodes(), m.def().max_entries);
  EXPECT_EQ(s.nodes_in_use, t.lru_lists().listed_nodes());
  EXPECT_EQ(s.elements, keys_of(m).size());
  EXPECT_LE(s.nodes_in_use, m.def().max_entries);
}

class LruHash : public ::testing::Test {
 protected:
  void SetUp() override {
    if (cpu::nr_cpus() != 2) GTEST_SKIP() << "the orders below are worked out for 2 cpus";
  }
};

// max_entries 4, 2 cpus: target_free = clamp(4 / 2 / 2, 1, 128) = 1. Each
// insert refills the local free list with one slot from the common list,
// flushing the previous pending node into the inactive list (head first):
// after 1..4 the inactive list is [3 2 1] and 4 is pending. Inserting 5
// flushes 4 and shrinks the inactive tail: 1 goes.
TEST_F(LruHash, FullMapEvictsTheOldest) {
  auto m = lru(4);
  ProgramScope scope;
  for (uint32_t k = 1; k <= 4; ++k) ASSERT_EQ(put(*m, k), 0);
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{1, 2, 3, 4}));
  ASSERT_EQ(put(*m, 5), 0);
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{2, 3, 4, 5}));
  ASSERT_EQ(put(*m, 6), 0);
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{3, 4, 5, 6}));
  expect_accounting(*m);
}

// A lookup sets 1's reference bit: the rotation before the shrink moves it to
// the active list, and the shrink takes the next oldest, 2. Then 1 stays in
// the active list (the inactive list is never shorter than it) while 3, 4, ...
// go in turn.
TEST_F(LruHash, ReferencedKeySurvives) {
  auto m = lru(4);
  ProgramScope scope;
  for (uint32_t k = 1; k <= 4; ++k) ASSERT_EQ(put(*m, k), 0);
  ASSERT_TRUE(has(*m, 1));
  ASSERT_EQ(put(*m, 5), 0);
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{1, 3, 4, 5}));
  for (uint32_t k = 6; k <= 9; ++k) ASSERT_EQ(put(*m, k), 0);
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{1, 7, 8, 9}));
  expect_accounting(*m);
}

// Host lookups do not set the reference bit (htab_lru_map_lookup_elem_sys).
TEST_F(LruHash, HostLookupDoesNotReference) {
  auto m = lru(4);
  ProgramScope scope;
  for (uint32_t k = 1; k <= 4; ++k) ASSERT_EQ(put(*m, k), 0);
  uint32_t k1 = 1;
  uint64_t v = 0;
  ASSERT_EQ(m->host_lookup(&k1, 4, &v, 8), 0);
  EXPECT_EQ(v, 10u);
  ASSERT_EQ(put(*m, 5), 0);
  EXPECT_FALSE(keys_of(*m).count(1));
}

// A full map pops (and so evicts) before it checks the flags: BPF_NOEXIST on
// an existing key says -EEXIST and still evicts 1; the slot it freed serves
// the next insert without another eviction. BPF_EXIST on a missing key: the
// same with -ENOENT. Never -E2BIG.
TEST_F(LruHash, FailedUpdatesOfAFullMapStillEvict) {
  auto m = lru(4);
  ProgramScope scope;
  for (uint32_t k = 1; k <= 4; ++k) ASSERT_EQ(put(*m, k), 0);
  EXPECT_EQ(put(*m, 4, kNoExist), -EEXIST);
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{2, 3, 4}));
  ASSERT_EQ(put(*m, 5), 0);
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{2, 3, 4, 5}));
  EXPECT_EQ(put(*m, 9, kExist), -ENOENT);
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{3, 4, 5}));
  EXPECT_EQ(put(*m, 3, kAny | kFLock), -EINVAL);
  EXPECT_EQ(put(*m, 3, 3), -EINVAL);
  expect_accounting(*m);
}

// Replacing a key gives the new element the reference bit: it survives the
// next eviction, which takes 2 instead.
TEST_F(LruHash, ReplacedKeyIsReferenced) {
  auto m = lru(4);
  ProgramScope scope;
  for (uint32_t k = 1; k <= 4; ++k) ASSERT_EQ(put(*m, k), 0);
  // Replacing 1 pops a slot (evicting 1 itself, the oldest, which is then
  // not found: the replace becomes an insert of a fresh element).
  ASSERT_EQ(put(*m, 1), 0);
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{1, 2, 3, 4}));
  ASSERT_EQ(put(*m, 2), 0);  // evicts 2 likewise; 2's new element is pending
  ASSERT_EQ(put(*m, 4), 0);  // evicts 3, replaces 4 (referenced)
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{1, 2, 4}));
  expect_accounting(*m);
}

TEST_F(LruHash, DeleteFreesTheSlot) {
  auto m = lru(4);
  ProgramScope scope;
  for (uint32_t k = 1; k <= 4; ++k) ASSERT_EQ(put(*m, k), 0);
  uint32_t k2 = 2, k9 = 9;
  EXPECT_EQ(m->delete_elem(&k2), 0);
  EXPECT_EQ(m->delete_elem(&k2), -ENOENT);
  EXPECT_EQ(m->delete_elem(&k9), -ENOENT);
  expect_accounting(*m);
  // 2's slot went back to the common free list (it had been flushed): the
  // next insert takes it without evicting.
  ASSERT_EQ(put(*m, 5), 0);
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{1, 3, 4, 5}));
  uint64_t v = 0;
  uint32_t k5 = 5;
  EXPECT_EQ(m->host_lookup_and_delete(&k5, 4, &v, 8), 0);
  EXPECT_EQ(v, 50u);
  EXPECT_EQ(m->host_lookup_and_delete(&k5, 4, &v, 8), -ENOENT);
  EXPECT_EQ(m->host_lookup_and_delete(&k5, 4, &v, 8, kFLock), -EINVAL);
  expect_accounting(*m);
}

// BPF_F_NO_COMMON_LRU: each cpu's list holds max_entries / nr_cpus = 2; the
// shrink frees up to PERCPU_FREE_TARGET = 4 at once, so the third insert on
// one cpu evicts both earlier keys.
TEST_F(LruHash, NoCommonLruEvictsPerCpu) {
  auto m = lru(4, kFNoCommonLru);
  ProgramScope scope;
  for (uint32_t k = 1; k <= 3; ++k) ASSERT_EQ(put(*m, k), 0);
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{3}));
  ASSERT_EQ(put(*m, 4), 0);
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{3, 4}));
  // A referenced key is moved to the active list and survives.
  ASSERT_TRUE(has(*m, 3));
  ASSERT_EQ(put(*m, 5), 0);
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{3, 5}));
  expect_accounting(*m);
}

// max_entries is rounded up to a multiple of nr_cpus (down when that would
// not fit in 32 bits).
TEST_F(LruHash, NoCommonLruRoundsMaxEntries) {
  EXPECT_EQ(lru(1, kFNoCommonLru)->def().max_entries, 2u);
  EXPECT_EQ(lru(5, kFNoCommonLru)->def().max_entries, 6u);
  EXPECT_EQ(lru(5)->def().max_entries, 5u);
  MapDef d = def_of(MapType::LruHash, 4, 8, UINT32_MAX, kFNoCommonLru);
  EXPECT_EQ(LruHtab::lru_max_entries(d), UINT32_MAX - 1);
}

TEST_F(LruHash, CreateChecks) {
  auto code = [](MapDef d) {
    auto m = Map::create(d);
    return m.ok() ? 0 : m.error().code;
  };
  EXPECT_EQ(code(def_of(MapType::LruHash, 4, 8, 4, kFNoPrealloc)), kENOTSUPP);
  EXPECT_EQ(code(def_of(MapType::LruPercpuHash, 4, 8, 4, kFNoPrealloc)), kENOTSUPP);
  EXPECT_EQ(code(def_of(MapType::LruHash, 4, 8, 4, kFNoCommonLru | kFNumaNode)), EINVAL);
  EXPECT_EQ(code(def_of(MapType::LruPercpuHash, 4, 8, 4, kFNumaNode)), EINVAL);
  EXPECT_EQ(code(def_of(MapType::LruHash, 4, 8, 4, kFNumaNode)), 0);
  EXPECT_EQ(code(def_of(MapType::LruHash, 4, 8, 4, kFMmapable)), EINVAL);
  EXPECT_EQ(code(def_of(MapType::LruHash, 0, 8, 4)), EINVAL);
  EXPECT_EQ(code(def_of(MapType::LruHash, 4, 0, 4)), EINVAL);
  EXPECT_EQ(code(def_of(MapType::LruHash, 4, 8, 0)), EINVAL);
  EXPECT_EQ(code(def_of(MapType::LruHash, 4, 8, (1u << 31) + 1)), E2BIG);
  EXPECT_EQ(code(def_of(MapType::LruHash, 4, 8, UINT32_MAX, kFNoCommonLru)), E2BIG);
  EXPECT_EQ(code(def_of(MapType::LruHash, 4, 4u << 20, 4)), E2BIG);
  EXPECT_EQ(code(def_of(MapType::LruPercpuHash, 4, (32u << 10) + 1, 4)), E2BIG);
  // Created on demand: a huge LRU map costs its buckets only.
  EXPECT_EQ(code(def_of(MapType::LruHash, 4, 8, 1u << 20)), 0);
}

// LRU_PERCPU_HASH: a program writes its cpu's copy; a replace is in place
// (reference bit set, nothing popped with BPF_EXIST); the host sees all.
TEST_F(LruHash, PercpuValues) {
  auto m = lru(4, 0, true);
  ProgramScope scope;
  const unsigned n = cpu::nr_cpus();
  ASSERT_EQ(m->value_size_for_host(), 8u * n);
  const int me = cpu::current();
  ASSERT_GE(me, 0);
  ASSERT_EQ(put(*m, 1), 0);
  uint32_t k1 = 1;
  const uint64_t v7 = 7;
  ASSERT_EQ(m->update_elem(&k1, &v7, kExist), 0);
  EXPECT_EQ(u64_at(m->lookup_elem(&k1)), 7u);
  std::vector<uint64_t> all(n, 99);
  ASSERT_EQ(m->host_lookup(&k1, 4, all.data(), 8 * n), 0);
  for (unsigned c = 0; c < n; ++c) EXPECT_EQ(all[c], c == unsigned(me) ? 7u : 0u);
  for (unsigned c = 0; c < n; ++c) all[c] = 100 + c;
  ASSERT_EQ(m->host_update(&k1, 4, all.data(), 8 * n, kAny), 0);
  EXPECT_EQ(u64_at(m->lookup_percpu_elem(&k1, n - 1)), 100u + n - 1);
  EXPECT_EQ(m->lookup_percpu_elem(&k1, n), nullptr);
  // Eviction as in LRU_HASH.
  for (uint32_t k = 2; k <= 5; ++k) ASSERT_EQ(put(*m, k), 0);
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{1, 3, 4, 5}));  // 1 was referenced
  uint32_t k9 = 9;
  EXPECT_EQ(m->update_elem(&k9, &v7, kExist), -ENOENT);
  EXPECT_EQ(keys_of(*m), (std::set<uint32_t>{1, 3, 4, 5}));  // BPF_EXIST pops nothing
  expect_accounting(*m);
}

// Many more inserts than max_entries, keys from a range twice its size,
// lookups and deletes mixed in: the equations hold throughout, the table
// never holds more than max_entries, and the allocator holds no more.
TEST_F(LruHash, ChurnKeepsTheAccounting) {
  for (uint32_t flags : {0u, kFNoCommonLru})
    for (bool percpu : {false, true}) {
      auto m = lru(200, flags, percpu);
      ProgramScope scope;
      uint32_t x = 12345;
      for (int i = 0; i < 20000; ++i) {
        x = x * 1103515245 + 12345;
        const uint32_t k = (x >> 8) % 400;
        switch ((x >> 4) % 4) {
          case 0: (void)m->delete_elem(&k); break;
          case 1: (void)has(*m, k); break;
          default: ASSERT_EQ(put(*m, k), 0);
        }
        ASSERT_LE(m->stats().nodes_in_use, 200u);
      }
      expect_accounting(*m);
      for (uint32_t k : keys_of(*m)) {
        uint32_t key = k;
        ASSERT_NE(m->lookup_elem(&key), nullptr);
      }
    }
}

}  // namespace
}  // namespace ringb::maps::test
