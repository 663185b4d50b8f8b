// BPF_MAP_TYPE_HASH in each memory mode (preallocated, BPF_F_NO_PREALLOC,
// force_dyn_alloc): the kernel's flag and errno rules, -E2BIG exactly at
// max_entries, replace-by-swap, host iteration, odd key and value sizes.
#include <set>

#include "test_util.h"

namespace ringb::maps::test {
namespace {

struct Mode {
  const char* name;
  uint32_t flags;
  bool force_dyn_alloc;
};

class HashMapTest : public ::testing::TestWithParam<Mode> {
 protected:
  std::unique_ptr<Map> make_hash(uint32_t key_size, uint32_t value_size, uint32_t max_entries,
                                 uint32_t extra_flags = 0) {
    Options o;
    o.force_dyn_alloc = GetParam().force_dyn_alloc;
    return make(def_of(MapType::Hash, key_size, value_size, max_entries, GetParam().flags | extra_flags), o);
  }
};

TEST_P(HashMapTest, InsertLookupReplaceDelete) {
  auto m = make_hash(4, 8, 16);
  ProgramScope p;
  uint32_t k = 5;
  uint64_t v = 50;
  EXPECT_EQ(m->lookup_elem(&k), nullptr);
  EXPECT_EQ(m->update_elem(&k, &v, kExist), -ENOENT);
  EXPECT_EQ(m->update_elem(&k, &v, kNoExist), 0);
  EXPECT_EQ(m->update_elem(&k, &v, kNoExist), -EEXIST);
  void* ptr = m->lookup_elem(&k);
  ASSERT_NE(ptr, nullptr);
  EXPECT_EQ(u64_at(ptr), 50u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(ptr) % 8, 0u);
  v = 51;
  EXPECT_EQ(m->update_elem(&k, &v, kExist), 0);
  EXPECT_EQ(u64_at(m->lookup_elem(&k)), 51u);
  v = 52;
  EXPECT_EQ(m->update_elem(&k, &v, kAny), 0);
  EXPECT_EQ(u64_at(m->lookup_elem(&k)), 52u);
  EXPECT_EQ(m->stats().elements, 1u);
  EXPECT_EQ(m->delete_elem(&k), 0);
  EXPECT_EQ(m->delete_elem(&k), -ENOENT);
  EXPECT_EQ(m->lookup_elem(&k), nullptr);
  EXPECT_EQ(m->stats().elements, 0u);
}

TEST_P(HashMapTest, BadFlags) {
  auto m = make_hash(4, 8, 4);
  ProgramScope p;
  uint32_t k = 1;
  uint64_t v = 1;
  EXPECT_EQ(m->update_elem(&k, &v, 3), -EINVAL);
  EXPECT_EQ(m->update_elem(&k, &v, kFLock), -EINVAL);  // no bpf_spin_lock in the value
  EXPECT_EQ(m->update_elem(&k, &v, 8), -EINVAL);
  EXPECT_EQ(m->stats().elements, 0u);
}

// A replace swaps in a new element, and the old one is reusable at once in
// both modes, as in the kernel (preallocated: it becomes this cpu's spare,
// which the next replace fills; allocated: it goes back to the allocator's
// free list). A program that kept the old pointer reads valid memory that
// may hold a newer value. (Before, ringb held preallocated elements back for
// a grace period, which the kernel does not.)
TEST_P(HashMapTest, ReplaceReusesTheOldElementAtOnce) {
  auto m = make_hash(4, 16, 64);
  ProgramScope p;
  uint32_t k = 9;
  uint64_t v[2] = {1, 1};
  ASSERT_EQ(m->update_elem(&k, v, kAny), 0);
  const auto* old_ptr = static_cast<const uint64_t*>(m->lookup_elem(&k));
  bool reused = false;
  for (uint64_t i = 2; i < 40; ++i) {
    v[0] = v[1] = i;
    ASSERT_EQ(m->update_elem(&k, v, kAny), 0);
    EXPECT_TRUE(old_ptr[0] == 1u || old_ptr[0] <= i);
    EXPECT_EQ(old_ptr[0], old_ptr[1]) << "one thread: each reuse is a whole write";
    reused |= old_ptr[0] != 1u;
  }
  EXPECT_EQ(static_cast<const uint64_t*>(m->lookup_elem(&k))[0], 39u);
  EXPECT_TRUE(reused) << "the replaced element is reused inside the same read-side section";
}

TEST_P(HashMapTest, FullMapIsE2bigExactlyAtMaxEntries) {
  // 40: an atomic count; 1000: a per-cpu counter (max_entries / 2 > nr_cpus * 32
  // for up to 15 cpus).
  for (uint32_t max : {1u, 40u, 1000u}) {
    SCOPED_TRACE(max);
    auto m = make_hash(4, 8, max);
    ProgramScope p;
    uint64_t v = 0;
    for (uint32_t k = 0; k < max; ++k) ASSERT_EQ(m->update_elem(&k, &v, kAny), 0) << k;
    uint32_t k = max;
    EXPECT_EQ(m->update_elem(&k, &v, kAny), -E2BIG);
    EXPECT_EQ(m->update_elem(&k, &v, kNoExist), -E2BIG);
    EXPECT_EQ(m->update_elem(&k, &v, kExist), -ENOENT);  // flags are checked first
    k = 0;
    EXPECT_EQ(m->update_elem(&k, &v, kNoExist), -EEXIST);
    // Replacing works when full, in every mode.
    v = 7;
    EXPECT_EQ(m->update_elem(&k, &v, kAny), 0);
    EXPECT_EQ(m->update_elem(&k, &v, kExist), 0);
    EXPECT_EQ(u64_at(m->lookup_elem(&k)), 7u);
    EXPECT_EQ(m->stats().elements, max);
    // A delete makes room for one.
    EXPECT_EQ(m->delete_elem(&k), 0);
    k = max;
    EXPECT_EQ(m->update_elem(&k, &v, kNoExist), 0);
    k = max + 1;
    EXPECT_EQ(m->update_elem(&k, &v, kNoExist), -E2BIG);
    EXPECT_EQ(m->stats().elements, max);
    EXPECT_EQ(walk_keys<uint32_t>(*m).size(), max);
  }
}

TEST_P(HashMapTest, HostWalkVisitsEveryKeyOnce) {
  auto m = make_hash(4, 8, 2048);
  std::set<uint32_t> inserted;
  for (uint32_t i = 0; i < 1500; ++i) {
    const uint32_t k = i * 2654435761u;  // spread over the buckets
    uint64_t v = k;
    ASSERT_EQ(m->host_update(&k, sizeof k, &v, sizeof v, kAny), 0);
    inserted.insert(k);
  }
  const auto keys = walk_keys<uint32_t>(*m);
  EXPECT_EQ(keys.size(), inserted.size());
  EXPECT_EQ(std::set<uint32_t>(keys.begin(), keys.end()), inserted);
  for (uint32_t k : keys) {
    uint64_t v = 0;
    ASSERT_EQ(m->host_lookup(&k, sizeof k, &v, sizeof v), 0);
    EXPECT_EQ(v, k);
  }
}

TEST_P(HashMapTest, GetNextKeyEdges) {
  auto m = make_hash(4, 8, 8);
  uint32_t next = 0;
  EXPECT_EQ(m->host_get_next_key(nullptr, &next, sizeof next), -ENOENT);
  for (uint32_t k : {10u, 20u, 30u}) {
    uint64_t v = k;
    ASSERT_EQ(m->host_update(&k, sizeof k, &v, sizeof v, kAny), 0);
  }
  uint32_t first = 0;
  ASSERT_EQ(m->host_get_next_key(nullptr, &first, sizeof first), 0);
  uint32_t missing = 99;
  ASSERT_EQ(m->host_get_next_key(&missing, &next, sizeof next), 0);
  EXPECT_EQ(next, first) << "a missing key restarts the walk";
  const auto keys = walk_keys<uint32_t>(*m);
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(m->host_get_next_key(&keys.back(), &next, sizeof next), -ENOENT);
}

TEST_P(HashMapTest, HostLookupAndDelete) {
  auto m = make_hash(4, 8, 8);
  uint32_t k = 3;
  uint64_t v = 33, out = 0;
  ASSERT_EQ(m->host_update(&k, sizeof k, &v, sizeof v, kAny), 0);
  EXPECT_EQ(m->host_lookup_and_delete(&k, sizeof k, &out, sizeof out, kFLock), -EINVAL);
  EXPECT_EQ(m->host_lookup_and_delete(&k, sizeof k, &out, sizeof out, 1), -EINVAL);
  EXPECT_EQ(m->host_lookup_and_delete(&k, sizeof k, &out, sizeof out), 0);
  EXPECT_EQ(out, 33u);
  EXPECT_EQ(m->host_lookup_and_delete(&k, sizeof k, &out, sizeof out), -ENOENT);
  EXPECT_EQ(m->host_lookup(&k, sizeof k, &out, sizeof out), -ENOENT);
  EXPECT_EQ(m->stats().elements, 0u);
}

TEST_P(HashMapTest, OddKeyAndValueSizes) {
  for (uint32_t key_size : {1u, 5u, 13u, 64u, 100u}) {
    SCOPED_TRACE(key_size);
    auto m = make_hash(key_size, 3, 64);
    std::vector<uint8_t> key(key_size);
    for (uint8_t i = 0; i < 40; ++i) {
      for (uint32_t b = 0; b < key_size; ++b) key[b] = static_cast<uint8_t>(i * 7 + b);
      const uint8_t value[3] = {i, static_cast<uint8_t>(i + 1), static_cast<uint8_t>(i + 2)};
      ASSERT_EQ(m->host_update(key.data(), key.size() * sizeof key[0], value, sizeof value, kNoExist), 0);
    }
    for (uint8_t i = 0; i < 40; ++i) {
      for (uint32_t b = 0; b < key_size; ++b) key[b] = static_cast<uint8_t>(i * 7 + b);
      uint8_t out[4] = {0, 0, 0, 0xcc};  // a canary after the 3 bytes
      ASSERT_EQ(m->host_lookup(key.data(), key.size() * sizeof key[0], out, 3), 0);
      EXPECT_EQ(out[0], i);
      EXPECT_EQ(out[2], i + 2);
      EXPECT_EQ(out[3], 0xcc) << "wrote past value_size";
      ProgramScope p;
      EXPECT_NE(m->lookup_elem(key.data()), nullptr);
    }
    // Keys that differ only in their last byte are different keys.
    for (uint32_t b = 0; b < key_size; ++b) key[b] = static_cast<uint8_t>(b);
    key[key_size - 1] ^= 0x80;
    uint8_t out[3];
    EXPECT_EQ(m->host_lookup(key.data(), key.size() * sizeof key[0], out, sizeof out), -ENOENT);
    std::vector<std::vector<uint8_t>> walked;
    std::vector<uint8_t> cur(key_size), nxt(key_size);
    for (const void* prev = nullptr; m->host_get_next_key(prev, nxt.data(), nxt.size() * sizeof nxt[0]) == 0; prev = cur.data()) {
      walked.push_back(nxt);
      cur = nxt;
    }
    EXPECT_EQ(walked.size(), 40u);
  }
}

TEST_P(HashMapTest, ZeroSeedMapsHashAlike) {
  auto a = make_hash(4, 8, 64, kFZeroSeed);
  auto b = make_hash(4, 8, 64, kFZeroSeed);
  for (uint32_t k = 0; k < 50; ++k) {
    uint64_t v = k;
    ASSERT_EQ(a->host_update(&k, sizeof k, &v, sizeof v, kAny), 0);
    ASSERT_EQ(b->host_update(&k, sizeof k, &v, sizeof v, kAny), 0);
  }
  EXPECT_EQ(walk_keys<uint32_t>(*a), walk_keys<uint32_t>(*b));
}

TEST_P(HashMapTest, DeleteAndReinsertEverythingRepeatedly) {
  auto m = make_hash(8, 24, 128);
  ProgramScope p;
  for (int round = 0; round < 20; ++round) {
    for (uint64_t k = 0; k < 128; ++k) {
      const uint64_t v[3] = {k, k + static_cast<uint64_t>(round), k};
      ASSERT_EQ(m->update_elem(&k, v, kNoExist), 0) << "round " << round << " key " << k;
    }
    uint64_t k = 128;
    const uint64_t v[3] = {};
    EXPECT_EQ(m->update_elem(&k, v, kNoExist), -E2BIG);
    for (uint64_t k2 = 0; k2 < 128; ++k2) {
      auto* got = static_cast<const uint64_t*>(m->lookup_elem(&k2));
      ASSERT_NE(got, nullptr);
      EXPECT_EQ(got[1], k2 + static_cast<uint64_t>(round));
      ASSERT_EQ(m->delete_elem(&k2), 0);
    }
    EXPECT_EQ(m->stats().elements, 0u);
  }
}

TEST_P(HashMapTest, ProgramCallsWithoutACpuSlotTakeOne) {
  auto m = make_hash(4, 8, 4);
  ASSERT_LT(cpu::current(), 0);
  uint32_t k = 1;
  uint64_t v = 5;
  EXPECT_EQ(m->update_elem(&k, &v, kAny), 0);
  EXPECT_EQ(m->delete_elem(&k), 0);
}

TEST_P(HashMapTest, ForEachElemVisitsEveryElementOnce) {
  auto m = make_hash(4, 8, 256);
  ProgramScope p;
  for (uint32_t k = 0; k < 100; ++k) {
    uint64_t v = k * 3;
    ASSERT_EQ(m->update_elem(&k, &v, kAny), 0);
  }
  struct Seen {
    std::set<uint32_t> keys;
    int bad = 0;
  } seen;
  auto visit = [](const void* key, void* value, void* ctx) -> long {
    auto* s = static_cast<Seen*>(ctx);
    const uint32_t k = *static_cast<const uint32_t*>(key);
    if (u64_at(value) != k * 3 || !s->keys.insert(k).second) ++s->bad;
    return 0;
  };
  EXPECT_EQ(m->for_each_elem(visit, &seen), 100);
  EXPECT_EQ(seen.keys.size(), 100u);
  EXPECT_EQ(seen.bad, 0);
  // A nonzero return stops the walk; the callback may delete what it is given.
  auto delete_and_stop_at_ten = [](const void* key, void*, void* ctx) -> long {
    auto* map = static_cast<Map*>(ctx);
    EXPECT_EQ(map->delete_elem(key), 0);
    return map->stats().elements == 90;
  };
  EXPECT_EQ(m->for_each_elem(delete_and_stop_at_ten, m.get()), 10);
  EXPECT_EQ(m->stats().elements, 90u);
}

// BPF_F_LOCK on a value with a bpf_spin_lock (its offset comes from BTF):
// the value is copied in place under the lock, every byte but the lock's;
// host copies show the lock as 0.
TEST_P(HashMapTest, SpinLockedValues) {
  Options o;
  o.force_dyn_alloc = GetParam().force_dyn_alloc;
  MapDef d = def_of(MapType::Hash, 4, 16, 8, GetParam().flags);
  d.spin_lock_off = 8;  // struct { u64 a; struct bpf_spin_lock l; u32 b; }
  auto m = make(d, o);
  auto plain = make_hash(4, 16, 8);  // maps are destroyed outside RCU sections
  ProgramScope p;
  uint32_t k = 1;
  uint8_t v[16];
  std::memset(v, 0x11, sizeof v);
  EXPECT_EQ(m->update_elem(&k, v, kFLock | kExist), -ENOENT);
  ASSERT_EQ(m->update_elem(&k, v, kFLock), 0);  // a missing key is inserted
  auto* val = static_cast<uint8_t*>(m->lookup_elem(&k));
  ASSERT_NE(val, nullptr);
  value_lock(val + 8);  // a program holds the lock
  uint8_t out[16];
  ASSERT_EQ(m->host_lookup(&k, sizeof k, out, sizeof out), 0);
  EXPECT_EQ(out[0], 0x11);
  EXPECT_EQ(u64_at(out + 8) & 0xffffffff, 0u) << "the lock reads as 0";
  value_unlock(val + 8);
  std::memset(v, 0x22, sizeof v);
  ASSERT_EQ(m->update_elem(&k, v, kFLock | kExist), 0);
  EXPECT_EQ(m->lookup_elem(&k), val) << "copied in place";
  EXPECT_EQ(val[0], 0x22);
  EXPECT_EQ(val[12], 0x22);
  std::memset(out, 0xff, sizeof out);
  ASSERT_EQ(m->host_lookup_and_delete(&k, sizeof k, out, sizeof out, kFLock), 0);
  EXPECT_EQ(out[15], 0x22);
  EXPECT_EQ(u64_at(out + 8) & 0xffffffff, 0u);
  EXPECT_EQ(m->host_lookup_and_delete(&k, sizeof k, out, sizeof out, 8), -EINVAL);
  // Without a lock in the value, BPF_F_LOCK is invalid.
  EXPECT_EQ(plain->update_elem(&k, v, kFLock), -EINVAL);
  EXPECT_EQ(plain->host_update(&k, sizeof k, v, sizeof v, kFLock), -EINVAL);
  EXPECT_EQ(plain->host_lookup_and_delete(&k, sizeof k, out, sizeof out, kFLock), -EINVAL);
}

INSTANTIATE_TEST_SUITE_P(Modes, HashMapTest,
                         ::testing::Values(Mode{"prealloc", 0, false},
                                           Mode{"no_prealloc", kFNoPrealloc, false},
                                           Mode{"force_dyn_alloc", 0, true}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace ringb::maps::test
