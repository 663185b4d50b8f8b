// BLOOM_FILTER: jhash against lookup3's published test vectors, the bit
// array's sizing, push/peek, the errnos of every other command, and creation
// checks. (tests/bpf/progs/maps_bloom.bpf.c holds the bits to the kernel.)
#include <cstring>

#include "jhash.h"
#include "test_util.h"

namespace ringb::maps::test {
namespace {

using detail::jhash;
using detail::jhash2;

// lookup3.c's driver5(): hashlittle() of the empty string and of "Four
// score and seven years ago" (little-endian, so the kernel's jhash too).
TEST(Jhash, Lookup3Vectors) {
  EXPECT_EQ(jhash("", 0, 0), 0xdeadbeefu);
  EXPECT_EQ(jhash("", 0, 0xdeadbeef), 0xbd5b7ddeu);
  const char* s = "Four score and seven years ago";
  EXPECT_EQ(jhash(s, 30, 0), 0x17770551u);
  EXPECT_EQ(jhash(s, 30, 1), 0xcd628161u);
}

// jhash2 of whole words equals jhash of the same bytes when the length is a
// multiple of 12... only for the mixing rounds; what must hold is that both
// are the lookup3 functions: hashword() and hashlittle() agree on aligned
// input with the length in bytes vs words folded in the same way.
TEST(Jhash, WordsAndBytesAgreeOnTheSameInitialState) {
  uint32_t words[6] = {1, 2, 3, 4, 5, 6};
  // hashword(k, n, seed) == hashlittle(k, 4n, seed) on little-endian cpus
  // (both start at 0xdeadbeef + 4n + seed and add the same words).
  for (uint32_t n = 0; n <= 6; ++n) EXPECT_EQ(jhash2(words, n, 7), jhash(words, 4 * n, 7)) << n;
}

std::unique_ptr<Map> bloom(uint32_t value_size, uint32_t max_entries, uint64_t nr_hash, uint32_t flags = kFZeroSeed) {
  MapDef d = def_of(MapType::BloomFilter, 0, value_size, max_entries, flags);
  d.map_extra = nr_hash;
  return make(d);
}

TEST(BloomFilter, PushThenPeek) {
  for (uint32_t vs : {4u, 6u, 16u}) {
    auto m = bloom(vs, 100, 3);
    ProgramScope scope;
    std::vector<uint8_t> v(vs);
    for (uint32_t i = 0; i < 50; ++i) {
      v[0] = static_cast<uint8_t>(i);
      ASSERT_EQ(m->push_elem(v.data(), kAny), 0);
    }
    for (uint32_t i = 0; i < 50; ++i) {
      v[0] = static_cast<uint8_t>(i);
      EXPECT_EQ(m->peek_elem(v.data()), 0);
    }
    int misses = 0;
    for (uint32_t i = 50; i < 250; ++i) {
      v[0] = static_cast<uint8_t>(i);
      v[vs - 1] = 0x5a;
      misses += m->peek_elem(v.data()) == -ENOENT;
    }
    EXPECT_GT(misses, 150);  // 3 hashes, 512 bits, 50 values: ~2.5% false positives
    EXPECT_EQ(m->push_elem(v.data(), kExist), -EINVAL);
    EXPECT_EQ(m->push_elem(v.data(), kNoExist), -EINVAL);
  }
}

// The kernel's sizing: max_entries × k / 5 × 7 bits, at least 64, a power of
// two. 1 entry, 1 hash: 64 bits (8 bytes); 100 × 5 / 5 × 7 = 700 → 1024 bits.
TEST(BloomFilter, Sizing) {
  EXPECT_EQ(bloom(4, 1, 1)->stats().memory_bytes, 8u);
  EXPECT_EQ(bloom(4, 100, 0)->stats().memory_bytes, 128u);
  EXPECT_EQ(bloom(4, 1000, 15)->stats().memory_bytes, 4096u);  // 21000 → 32768 bits
}

TEST(BloomFilter, Commands) {
  auto m = bloom(8, 16, 0);
  uint64_t v = 42, other = 43;
  EXPECT_EQ(m->host_lookup(nullptr, 0, &v, 8), -ENOENT);
  EXPECT_EQ(m->host_update(nullptr, 0, &v, 8, kAny), 0);
  EXPECT_EQ(m->host_update(nullptr, 0, &v, 8, kExist), -EINVAL);
  EXPECT_EQ(m->host_lookup(nullptr, 0, &v, 8), 0);
  EXPECT_EQ(m->host_lookup(nullptr, 0, &other, 8), -ENOENT);
  EXPECT_EQ(m->host_delete(nullptr, 0), -EOPNOTSUPP);
  uint64_t next;
  EXPECT_EQ(m->host_get_next_key(nullptr, &next, 0), -EOPNOTSUPP);
  EXPECT_EQ(m->host_lookup_and_delete(nullptr, 0, &v, 8), -kENOTSUPP);
  ProgramScope scope;
  EXPECT_EQ(m->lookup_elem(&v), nullptr);
  EXPECT_EQ(m->update_elem(&v, &v, kAny), -EINVAL);
  EXPECT_EQ(m->delete_elem(&v), -EOPNOTSUPP);
  EXPECT_EQ(m->pop_elem(&v), -EOPNOTSUPP);
  EXPECT_EQ(m->peek_elem(&v), 0);
}

TEST(BloomFilter, CreateChecks) {
  auto code = [](uint32_t ks, uint32_t vs, uint32_t max, uint32_t flags, uint64_t extra) {
    MapDef d = def_of(MapType::BloomFilter, ks, vs, max, flags);
    d.map_extra = extra;
    auto m = Map::create(d);
    return m.ok() ? 0 : m.error().code;
  };
  EXPECT_EQ(code(0, 4, 10, 0, 0), 0);
  EXPECT_EQ(code(0, 4, 10, 0, 15), 0);
  EXPECT_EQ(code(0, 4, 10, 0, 16), EINVAL);
  EXPECT_EQ(code(4, 4, 10, 0, 0), EINVAL);
  EXPECT_EQ(code(0, 0, 10, 0, 0), EINVAL);
  EXPECT_EQ(code(0, 4, 0, 0, 0), EINVAL);
  EXPECT_EQ(code(0, 4, 10, kFNoPrealloc, 0), EINVAL);
  EXPECT_EQ(code(0, (4u << 20) + 1, 10, 0, 0), E2BIG);
  EXPECT_EQ(code(0, 4, 10, kFNumaNode | kFRdonlyProg, 0), 0);
  // Other map types still refuse map_extra.
  MapDef d = def_of(MapType::Hash, 4, 4, 4);
  d.map_extra = 1;
  EXPECT_FALSE(Map::create(d).ok());
}

}  // namespace
}  // namespace ringb::maps::test
