// LPM_TRIE: longest-prefix match against a brute-force model over random
// prefixes, the errnos, get_next_key's postorder (every entry once, a prefix
// after the longer prefixes under it), and lookups from program threads
// while the host updates and deletes. (tests/bpf/progs/lpm.bpf.c holds the
// matches and errnos to the kernel.)
#include <atomic>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "test_util.h"

namespace ringb::maps::test {
namespace {

struct Key {
  uint32_t prefixlen;
  uint8_t data[4];
};

Key key(uint32_t addr, uint32_t len) {
  Key k{len, {}};
  for (int i = 0; i < 4; ++i) k.data[i] = static_cast<uint8_t>(addr >> (24 - 8 * i));
  return k;
}

uint32_t addr_of(const Key& k) {
  return uint32_t{k.data[0]} << 24 | uint32_t{k.data[1]} << 16 | uint32_t{k.data[2]} << 8 | k.data[3];
}

uint32_t mask(uint32_t len) { return len ? ~uint32_t{0} << (32 - len) : 0; }

std::unique_ptr<Map> trie(uint32_t max_entries) {
  return make(def_of(MapType::LpmTrie, sizeof(Key), 4, max_entries, kFNoPrealloc));
}

long put(Map& m, uint32_t addr, uint32_t len, uint32_t v, uint64_t flags = kAny) {
  Key k = key(addr, len);
  return m.host_update(&k, sizeof k, &v, sizeof v, flags);
}

long get(Map& m, uint32_t addr, uint32_t len, uint32_t* v) {
  Key k = key(addr, len);
  return m.host_lookup(&k, sizeof k, v, sizeof *v);
}

TEST(LpmTrie, LongestPrefixAgainstAModel) {
  auto m = trie(10000);
  ASSERT_TRUE(m);
  std::mt19937 rng(7);
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> model;  // (masked addr, len) -> value
  for (int i = 0; i < 3000; ++i) {
    const uint32_t len = rng() % 33, addr = ((rng() & 0xff0f0f00u) | 0x0a000000u) & mask(len);
    if (rng() % 4 == 0 && !model.empty()) {
      auto it = model.begin();
      std::advance(it, static_cast<long>(rng() % model.size()));
      Key k = key(it->first.first, it->first.second);
      ASSERT_EQ(m->host_delete(&k, sizeof k), 0);
      model.erase(it);
    } else {
      ASSERT_EQ(put(*m, addr, len, static_cast<uint32_t>(i)), 0);
      model[{addr, len}] = static_cast<uint32_t>(i);
    }
  }
  EXPECT_EQ(m->stats().elements, model.size());
  for (int i = 0; i < 5000; ++i) {
    const uint32_t a = (rng() & 0xff0f0f0fu) | 0x0a000000u;
    const uint32_t len = i % 2 ? 32 : rng() % 33;
    int best = -1;
    uint32_t want = 0;
    for (const auto& [k, v] : model)
      if (static_cast<int>(k.second) > best && k.second <= len && ((a ^ k.first) & mask(k.second)) == 0)
        best = static_cast<int>(k.second), want = v;
    uint32_t got = 0;
    const long r = get(*m, a, len, &got);
    if (best < 0) {
      EXPECT_EQ(r, -ENOENT) << std::hex << a << "/" << len;
    } else {
      ASSERT_EQ(r, 0) << std::hex << a << "/" << len;
      EXPECT_EQ(got, want);
    }
  }
}

TEST(LpmTrie, Errnos) {
  auto m = trie(2);
  ASSERT_TRUE(m);
  EXPECT_EQ(put(*m, 0x0a000000, 33, 1), -EINVAL);
  EXPECT_EQ(put(*m, 0x0a000000, 8, 1, 3), -EINVAL);
  EXPECT_EQ(put(*m, 0x0a000000, 8, 1, kExist), -ENOENT);
  EXPECT_EQ(put(*m, 0x0a000000, 8, 1), 0);
  EXPECT_EQ(put(*m, 0x0a000000, 8, 2, kNoExist), -EEXIST);
  EXPECT_EQ(put(*m, 0x0a000000, 8, 3, kExist), 0);
  EXPECT_EQ(put(*m, 0x0b000000, 8, 4), 0);
  EXPECT_EQ(put(*m, 0x0c000000, 8, 5), -ENOSPC);
  uint32_t v = 0;
  EXPECT_EQ(get(*m, 0x0a000001, 32, &v), 0);
  EXPECT_EQ(v, 3u);
  EXPECT_EQ(get(*m, 0x0a000001, 33, &v), -EINVAL);
  Key k = key(0x0a000000, 16);
  EXPECT_EQ(m->host_delete(&k, sizeof k), -ENOENT);
  k = key(0x0a000000, 40);
  EXPECT_EQ(m->host_delete(&k, sizeof k), -EINVAL);
  k = key(0x0a000000, 8);
  EXPECT_EQ(m->host_delete(&k, sizeof k), 0);
  EXPECT_EQ(put(*m, 0x0c000000, 8, 5), 0);  // room again
}

TEST(LpmTrie, GetNextKeyIsPostorder) {
  auto m = trie(100);
  ASSERT_TRUE(m);
  const std::vector<std::pair<uint32_t, uint32_t>> entries = {
      {0xc0a80000, 16}, {0xc0a80000, 24}, {0xc0a80100, 24}, {0x0a000000, 8}, {0x0a010000, 16}, {0, 0}};
  for (auto [a, l] : entries) ASSERT_EQ(put(*m, a, l, l), 0);
  std::vector<Key> seen;
  Key cur{}, next{};
  long r = m->host_get_next_key(nullptr, &next, sizeof next);
  while (r == 0) {
    seen.push_back(next);
    cur = next;
    r = m->host_get_next_key(&cur, &next, sizeof next);
  }
  EXPECT_EQ(r, -ENOENT);
  ASSERT_EQ(seen.size(), entries.size());
  std::set<std::pair<uint32_t, uint32_t>> uniq;
  for (size_t i = 0; i < seen.size(); ++i) {
    uniq.insert({addr_of(seen[i]), seen[i].prefixlen});
    // nothing after it lies under it: longer prefixes it covers came first
    for (size_t j = i + 1; j < seen.size(); ++j)
      EXPECT_FALSE(seen[j].prefixlen > seen[i].prefixlen &&
                   ((addr_of(seen[j]) ^ addr_of(seen[i])) & mask(seen[i].prefixlen)) == 0)
          << i << " " << j;
  }
  EXPECT_EQ(uniq.size(), entries.size());
  EXPECT_EQ(seen.back().prefixlen, 0u);  // the root prefix last
  // a key that is not an entry starts over at the leftmost
  Key missing = key(0x0b000000, 8), first{};
  ASSERT_EQ(m->host_get_next_key(&missing, &first, sizeof first), 0);
  EXPECT_EQ(std::memcmp(&first, &seen[0], sizeof first), 0);
}

TEST(LpmTrie, CreationLimits) {
  MapDef d = def_of(MapType::LpmTrie, sizeof(Key), 4, 16, 0);
  EXPECT_EQ(Map::create(d).error().code, EINVAL);  // BPF_F_NO_PREALLOC is required
  d = def_of(MapType::LpmTrie, sizeof(Key), 2u << 20, 16, kFNoPrealloc);
  EXPECT_EQ(Map::create(d).error().code, E2BIG);  // larger than ringb's node limit
}

// Program-side lookups on two threads while the host replaces and deletes:
// every answer is one the trie held at some point.
TEST(LpmTrie, LookupsWhileTheHostWrites) {
  auto m = trie(64);
  ASSERT_TRUE(m);
  ASSERT_EQ(put(*m, 0x0a000000, 8, 8), 0);
  std::atomic<bool> stop{false};
  std::atomic<long> bad{0}, lookups{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t)
    readers.emplace_back([&] {
      Key k = key(0x0a010203, 32);
      while (!stop.load(std::memory_order_relaxed)) {
        ProgramScope scope;
        const auto* v = static_cast<const uint32_t*>(m->lookup_elem(&k));
        if (!v || (*v != 8 && *v != 16 && *v != 24)) bad++;
        lookups++;
      }
    });
  for (int i = 0; i < 3000 || lookups.load() < 2000; ++i) {
    ASSERT_EQ(put(*m, 0x0a010000, 16, 16), 0);
    ASSERT_EQ(put(*m, 0x0a010200, 24, 24), 0);
    Key k16 = key(0x0a010000, 16), k24 = key(0x0a010200, 24);
    ASSERT_EQ(m->host_delete(&k24, sizeof k24), 0);
    ASSERT_EQ(m->host_delete(&k16, sizeof k16), 0);
  }
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(lookups.load(), 0);
  EXPECT_EQ(m->stats().elements, 1u);
}

}  // namespace
}  // namespace ringb::maps::test
