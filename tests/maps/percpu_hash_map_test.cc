// BPF_MAP_TYPE_PERCPU_HASH in both memory modes: a program inserts its own
// cpu's copy (the others start zeroed) and updates it in place; the host
// reads and writes every cpu's copy at once.
#include <barrier>
#include <thread>

#include "test_util.h"

namespace ringb::maps::test {
namespace {

class PercpuHashTest : public ::testing::TestWithParam<uint32_t> {
 protected:
  std::unique_ptr<Map> make_map(uint32_t value_size, uint32_t max_entries) {
    return make(def_of(MapType::PercpuHash, 4, value_size, max_entries, GetParam()));
  }
  const unsigned ncpu_ = cpu::nr_cpus();
};

TEST_P(PercpuHashTest, ProgramInsertSetsOnlyThisCpu) {
  auto m = make_map(8, 16);
  uint32_t k = 4;
  int cpu;
  {
    ProgramScope p;
    cpu = p.cpu.cpu();
    uint64_t v = 77;
    ASSERT_EQ(m->update_elem(&k, &v, kNoExist), 0);
    EXPECT_EQ(m->update_elem(&k, &v, kNoExist), -EEXIST);
    EXPECT_EQ(u64_at(m->lookup_elem(&k)), 77u);
  }
  std::vector<uint64_t> all(ncpu_, 0xdead);
  ASSERT_EQ(m->host_lookup(&k, sizeof k, all.data(), all.size() * sizeof all[0]), 0);
  for (unsigned c = 0; c < ncpu_; ++c) EXPECT_EQ(all[c], static_cast<int>(c) == cpu ? 77u : 0u) << c;
}

TEST_P(PercpuHashTest, ProgramUpdateIsInPlace) {
  auto m = make_map(16, 16);
  ProgramScope p;
  uint32_t k = 1;
  uint64_t v[2] = {1, 2};
  ASSERT_EQ(m->update_elem(&k, v, kAny), 0);
  void* ptr = m->lookup_elem(&k);
  v[0] = 3;
  ASSERT_EQ(m->update_elem(&k, v, kExist), 0);
  EXPECT_EQ(m->lookup_elem(&k), ptr);
  EXPECT_EQ(static_cast<uint64_t*>(ptr)[0], 3u);
  EXPECT_EQ(m->update_elem(&k, v, kFLock), -EINVAL);
  EXPECT_EQ(m->update_elem(&k, v, 3), -EINVAL);
}

TEST_P(PercpuHashTest, DistinctCpusKeepDistinctCopies) {
  auto m = make_map(8, 16);
  std::barrier sync(ncpu_);
  std::vector<std::thread> threads;
  uint32_t k = 8;
  for (unsigned t = 0; t < ncpu_; ++t)
    threads.emplace_back([&] {
      ProgramScope p;
      sync.arrive_and_wait();
      uint64_t v = 1000 + static_cast<uint64_t>(p.cpu.cpu());
      // The first thread inserts, the others update: BPF_ANY either way.
      EXPECT_EQ(m->update_elem(&k, &v, kAny), 0);
      sync.arrive_and_wait();
      EXPECT_EQ(u64_at(m->lookup_elem(&k)), v);
    });
  for (auto& th : threads) th.join();
  std::vector<uint64_t> all(ncpu_);
  ASSERT_EQ(m->host_lookup(&k, sizeof k, all.data(), all.size() * sizeof all[0]), 0);
  for (unsigned c = 0; c < ncpu_; ++c) EXPECT_EQ(all[c], 1000 + c);
}

TEST_P(PercpuHashTest, HostReadsAndWritesEveryCpu) {
  auto m = make_map(12, 16);
  std::vector<uint8_t> in(m->value_size_for_host());
  ASSERT_EQ(in.size(), 16u * ncpu_);
  for (unsigned c = 0; c < ncpu_; ++c) std::memset(&in[c * 16], static_cast<int>(0x10 + c), 12);
  uint32_t k = 2;
  ASSERT_EQ(m->host_update(&k, sizeof k, in.data(), in.size() * sizeof in[0], kAny), 0);
  std::vector<uint8_t> out(in.size(), 0xff);
  ASSERT_EQ(m->host_lookup(&k, sizeof k, out.data(), out.size() * sizeof out[0]), 0);
  for (unsigned c = 0; c < ncpu_; ++c) {
    for (int i = 0; i < 12; ++i) EXPECT_EQ(out[c * 16 + i], 0x10 + c);
    for (int i = 12; i < 16; ++i) EXPECT_EQ(out[c * 16 + i], 0);
  }
  // Replace from the host: in place, all cpus.
  for (unsigned c = 0; c < ncpu_; ++c) std::memset(&in[c * 16], static_cast<int>(0x20 + c), 12);
  ASSERT_EQ(m->host_update(&k, sizeof k, in.data(), in.size() * sizeof in[0], kExist), 0);
  {
    ProgramScope p;
    auto* v = static_cast<uint8_t*>(m->lookup_elem(&k));
    EXPECT_EQ(v[0], 0x20 + p.cpu.cpu());
  }
  std::fill(out.begin(), out.end(), 0);
  ASSERT_EQ(m->host_lookup_and_delete(&k, sizeof k, out.data(), out.size() * sizeof out[0]), 0);
  for (unsigned c = 0; c < ncpu_; ++c) EXPECT_EQ(out[c * 16], 0x20 + c);
  EXPECT_EQ(m->host_lookup(&k, sizeof k, out.data(), out.size() * sizeof out[0]), -ENOENT);
}

TEST_P(PercpuHashTest, ReinsertedKeysStartZeroedOnOtherCpus) {
  auto m = make_map(8, 4);
  uint32_t k = 3;
  std::vector<uint64_t> all(ncpu_, 5);
  ASSERT_EQ(m->host_update(&k, sizeof k, all.data(), all.size() * sizeof all[0], kAny), 0);
  ASSERT_EQ(m->host_delete(&k, sizeof k), 0);
  int cpu;
  {
    ProgramScope p;
    cpu = p.cpu.cpu();
    uint64_t v = 9;
    ASSERT_EQ(m->update_elem(&k, &v, kAny), 0);
  }
  ASSERT_EQ(m->host_lookup(&k, sizeof k, all.data(), all.size() * sizeof all[0]), 0);
  for (unsigned c = 0; c < ncpu_; ++c) EXPECT_EQ(all[c], static_cast<int>(c) == cpu ? 9u : 0u);
}

TEST_P(PercpuHashTest, FullMap) {
  auto m = make_map(8, 3);
  ProgramScope p;
  uint64_t v = 1;
  for (uint32_t k = 0; k < 3; ++k) ASSERT_EQ(m->update_elem(&k, &v, kAny), 0);
  uint32_t k = 3;
  EXPECT_EQ(m->update_elem(&k, &v, kAny), -E2BIG);
  k = 1;
  EXPECT_EQ(m->update_elem(&k, &v, kAny), 0);
  EXPECT_EQ(walk_keys<uint32_t>(*m).size(), 3u);
}

TEST_P(PercpuHashTest, LookupPercpuElemAndForEach) {
  auto m = make_map(8, 16);
  std::vector<uint64_t> in(ncpu_);
  for (unsigned c = 0; c < ncpu_; ++c) in[c] = 10 * (c + 1);
  for (uint32_t k = 0; k < 5; ++k) ASSERT_EQ(m->host_update(&k, sizeof k, in.data(), in.size() * sizeof in[0], kAny), 0);
  ProgramScope p;
  uint32_t k = 3;
  for (unsigned c = 0; c < ncpu_; ++c) EXPECT_EQ(u64_at(m->lookup_percpu_elem(&k, c)), 10 * (c + 1));
  EXPECT_EQ(m->lookup_percpu_elem(&k, ncpu_), nullptr);
  k = 9;
  EXPECT_EQ(m->lookup_percpu_elem(&k, 0), nullptr);
  struct Ctx {
    uint64_t want;
    int bad = 0;
  } ctx{10 * static_cast<uint64_t>(p.cpu.cpu() + 1)};
  EXPECT_EQ(m->for_each_elem(
                [](const void*, void* value, void* c) -> long {
                  auto* x = static_cast<Ctx*>(c);
                  if (u64_at(value) != x->want) ++x->bad;  // this cpu's copy
                  return 0;
                },
                &ctx),
            5);
  EXPECT_EQ(ctx.bad, 0);
}

INSTANTIATE_TEST_SUITE_P(Modes, PercpuHashTest, ::testing::Values(0u, kFNoPrealloc),
                         [](const auto& info) { return info.param ? "no_prealloc" : "prealloc"; });

}  // namespace
}  // namespace ringb::maps::test
