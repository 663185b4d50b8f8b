// Concurrency stress: program threads (each holding a cpu slot and an RCU
// read-side section around batches of operations, as program runs do)
// update, delete and look up the same hash map while a host thread walks it
// with get_next_key and host_lookup. Every value written has all its bytes
// equal, so a torn value shows. At the end the element count must equal
// what a walk finds.
//
// What "not torn" means here:
//   host reads              never torn (copies retry on a recycled element);
//                           per-cpu copies written in place: each 8-byte word whole
//   program reads, HASH     may be torn in both modes, as in the kernel: a
//                           deleted or replaced element is reused at once
//                           (counted and printed, not asserted)
//   program reads, PERCPU   this cpu's copy, written only by this cpu: never torn
//                           either, unless the element was reused meanwhile
#include <atomic>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "ringb/mem.h"
#include "test_util.h"

namespace ringb::maps::test {
namespace {

using Clock = std::chrono::steady_clock;

struct StressCase {
  const char* name;
  MapType type;
  uint32_t flags;
  uint32_t max_entries;
  uint32_t key_space;  // keys are 0 .. key_space - 1
};

constexpr uint32_t kValueSize = 40;  // 5 words
constexpr int kProgramThreads = 4;
constexpr auto kDuration = std::chrono::milliseconds(400);

// Reads n bytes of map memory the way a racing program would: word by word,
// with relaxed atomics (writers may be recycling the element).
void read_map_words(const void* p, uint64_t* out, size_t words) {
  for (size_t i = 0; i < words; ++i)
    out[i] = std::atomic_ref<uint64_t>(const_cast<uint64_t*>(static_cast<const uint64_t*>(p))[i])
                 .load(std::memory_order_relaxed);
}

bool word_uniform(uint64_t w) { return w == (w & 0xff) * 0x0101010101010101ULL; }

// All bytes of a value equal (whole) or at least each word uniform (words).
bool value_whole(const uint64_t* w, size_t words) {
  for (size_t i = 0; i < words; ++i)
    if (w[i] != w[0] || !word_uniform(w[i])) return false;
  return true;
}
bool words_whole(const uint64_t* w, size_t words) {
  for (size_t i = 0; i < words; ++i)
    if (!word_uniform(w[i])) return false;
  return true;
}

class Stress : public ::testing::TestWithParam<StressCase> {};

TEST_P(Stress, ProgramsChurnWhileTheHostWalks) {
  const StressCase sc = GetParam();
  const bool percpu = sc.type == MapType::PercpuHash;
  const unsigned ncpu = cpu::nr_cpus();
  constexpr size_t kWords = kValueSize / 8;
  mem::MemCgroup cg;
  {
    Options o;
    o.cgroup = &cg;
    auto m = make(def_of(sc.type, 4, kValueSize, sc.max_entries, sc.flags), o);
    ASSERT_NE(m, nullptr);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> ops{0}, program_torn{0}, host_torn{0}, unexpected{0}, walks{0};

    auto program = [&](int t) {
      std::minstd_rand rng(static_cast<unsigned>(t) * 7919u + 1);
      uint64_t local_ops = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        ProgramScope p;  // one "program run": a batch of map operations
        for (int i = 0; i < 64; ++i, ++local_ops) {
          const uint32_t k = static_cast<uint32_t>(rng() % sc.key_space);
          const unsigned what = static_cast<unsigned>(rng() % 8);
          if (what < 3) {  // update
            uint8_t value[kValueSize];
            std::memset(value, static_cast<int>(rng() & 0xff), kValueSize);
            const long rc = m->update_elem(&k, value, rng() % 4 == 0 ? kNoExist : kAny);
            if (rc != 0 && rc != -EEXIST && rc != -E2BIG && rc != -ENOMEM) unexpected.fetch_add(1);
          } else if (what < 5) {  // delete
            const long rc = m->delete_elem(&k);
            if (rc != 0 && rc != -ENOENT) unexpected.fetch_add(1);
          } else if (const void* v = m->lookup_elem(&k)) {  // lookup and read
            uint64_t w[kWords];
            read_map_words(v, w, kWords);
            if (!value_whole(w, kWords)) program_torn.fetch_add(1);
          }
        }
      }
      ops.fetch_add(local_ops);
    };

    auto host = [&] {
      std::vector<uint64_t> buf(m->value_size_for_host() / 8);
      while (!stop.load(std::memory_order_relaxed)) {
        uint32_t key = 0, next = 0;
        const void* prev = nullptr;
        for (size_t n = 0; m->host_get_next_key(prev, &next, sizeof next) == 0 && n < 100000; ++n) {
          if (next >= sc.key_space) unexpected.fetch_add(1);
          if (m->host_lookup(&next, sizeof next, buf.data(), buf.size() * sizeof buf[0]) == 0) {
            bool ok = true;
            if (!percpu) {
              ok = value_whole(buf.data(), kWords);
            } else {
              for (unsigned c = 0; c < ncpu; ++c) ok &= words_whole(&buf[c * kWords], kWords);
            }
            if (!ok) host_torn.fetch_add(1);
          }
          key = next;
          prev = &key;
        }
        walks.fetch_add(1);
      }
    };

    std::vector<std::thread> threads;
    for (int t = 0; t < kProgramThreads; ++t) threads.emplace_back(program, t);
    threads.emplace_back(host);
    const auto start = Clock::now();
    while (Clock::now() - start < kDuration) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    stop = true;
    for (auto& th : threads) th.join();

    const Stats s = m->stats();
    EXPECT_EQ(unexpected.load(), 0u);
    EXPECT_EQ(host_torn.load(), 0u);
    EXPECT_GT(ops.load(), 1000u);
    EXPECT_GT(walks.load(), 0u);

    // The count is exact: it equals what a walk finds, and every key found
    // holds a whole value.
    const auto keys = walk_keys<uint32_t>(*m);
    EXPECT_EQ(std::set<uint32_t>(keys.begin(), keys.end()).size(), keys.size()) << "a key walked twice";
    EXPECT_EQ(s.elements, keys.size());
    EXPECT_LE(keys.size(), sc.max_entries);
    std::vector<uint64_t> buf(m->value_size_for_host() / 8);
    for (uint32_t k : keys) {
      ASSERT_EQ(m->host_lookup(&k, sizeof k, buf.data(), buf.size() * sizeof buf[0]), 0);
      if (!percpu) {
        EXPECT_TRUE(value_whole(buf.data(), kWords)) << "key " << k;
      }
    }
    // No element was lost on the way (free lists, spares, the extra list):
    // the map takes exactly max_entries keys again, then says -E2BIG.
    {
      std::vector<uint8_t> fill(m->value_size_for_host(), 0x11);
      uint32_t added = 0;
      for (uint32_t k = sc.key_space; added < sc.max_entries + 1; ++k) {
        const long rc = m->host_update(&k, sizeof k, fill.data(), fill.size(), kNoExist);
        if (rc == -E2BIG) break;
        ASSERT_EQ(rc, 0) << "key " << k;
        ++added;
      }
      EXPECT_EQ(keys.size() + added, sc.max_entries);
      uint32_t k = keys.empty() ? sc.key_space : keys[0];  // a replace in the full map still works
      EXPECT_EQ(m->host_update(&k, sizeof k, fill.data(), fill.size(), kExist), 0);
    }
    std::printf("    %s: %lu ops, %lu walks, %zu keys left, %lu torn program reads\n", sc.name,
                static_cast<unsigned long>(ops.load()), static_cast<unsigned long>(walks.load()),
                keys.size(), static_cast<unsigned long>(program_torn.load()));
  }
  EXPECT_EQ(cg.charged(), 0u) << "destroying the map gives all its memory back";
}

INSTANTIATE_TEST_SUITE_P(
    Maps, Stress,
    ::testing::Values(
        // Room to spare (every unlinked element is reused at once, in both
        // modes).
        StressCase{"hash_prealloc", MapType::Hash, 0, 16384, 256},
        StressCase{"hash_no_prealloc", MapType::Hash, kFNoPrealloc, 4096, 512},
        StressCase{"percpu_hash_prealloc", MapType::PercpuHash, 0, 16384, 256},
        StressCase{"percpu_hash_no_prealloc", MapType::PercpuHash, kFNoPrealloc, 4096, 512},
        // More keys than room: -E2BIG all the time, replaces in a full map
        // (preallocated: through the cpus' spares), and an atomic element
        // count.
        StressCase{"hash_prealloc_full", MapType::Hash, 0, 64, 96},
        StressCase{"hash_no_prealloc_full", MapType::Hash, kFNoPrealloc, 64, 96}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace ringb::maps::test
