// BPF_MAP_TYPE_PERCPU_ARRAY: each cpu slot has its own copy; a program sees
// and writes its own, the host reads and writes all of them.
#include <barrier>
#include <thread>

#include "test_util.h"

namespace ringb::maps::test {
namespace {

// Runs fn(cpu) on `n` threads that hold distinct cpu slots at the same time.
template <typename Fn>
void on_distinct_cpus(unsigned n, Fn fn) {
  std::barrier sync(n);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < n; ++t)
    threads.emplace_back([&] {
      ProgramScope p;
      sync.arrive_and_wait();  // all hold a slot: each a different one
      fn(p.cpu.cpu());
      sync.arrive_and_wait();
    });
  for (auto& th : threads) th.join();
}

TEST(PercpuArrayMap, EachCpuSeesItsOwnCopy) {
  const unsigned ncpu = cpu::nr_cpus();
  auto m = make(def_of(MapType::PercpuArray, 4, 8, 4));
  on_distinct_cpus(ncpu, [&](int cpu) {
    uint32_t k = 3;
    uint64_t v = 100 + static_cast<uint64_t>(cpu);
    EXPECT_EQ(m->update_elem(&k, &v, kAny), 0);
    EXPECT_EQ(u64_at(m->lookup_elem(&k)), v);
  });
  std::vector<uint64_t> all(ncpu);
  uint32_t k = 3;
  ASSERT_EQ(m->host_lookup(&k, sizeof k, all.data(), all.size() * sizeof all[0]), 0);
  for (unsigned c = 0; c < ncpu; ++c) EXPECT_EQ(all[c], 100 + c);
}

TEST(PercpuArrayMap, HostWritesEveryCpu) {
  const unsigned ncpu = cpu::nr_cpus();
  auto m = make(def_of(MapType::PercpuArray, 4, 12, 2));
  // value_size 12: each cpu's copy is 16 bytes apart in the host buffer.
  std::vector<uint8_t> in(m->value_size_for_host());
  ASSERT_EQ(in.size(), 16u * ncpu);
  for (unsigned c = 0; c < ncpu; ++c) std::memset(&in[c * 16], static_cast<int>(c + 1), 12);
  uint32_t k = 1;
  ASSERT_EQ(m->host_update(&k, sizeof k, in.data(), in.size() * sizeof in[0], kAny), 0);
  EXPECT_EQ(m->host_update(&k, sizeof k, in.data(), in.size() * sizeof in[0], kNoExist), -EEXIST);
  EXPECT_EQ(m->host_update(&k, sizeof k, in.data(), in.size() * sizeof in[0], 3), -EINVAL);
  uint32_t past = 2;
  EXPECT_EQ(m->host_update(&past, sizeof past, in.data(), in.size() * sizeof in[0], kAny), -E2BIG);
  on_distinct_cpus(ncpu, [&](int cpu) {
    auto* v = static_cast<uint8_t*>(m->lookup_elem(&k));
    ASSERT_NE(v, nullptr);
    for (int i = 0; i < 12; ++i) EXPECT_EQ(v[i], cpu + 1);
  });
  std::vector<uint8_t> out(in.size(), 0xff);
  ASSERT_EQ(m->host_lookup(&k, sizeof k, out.data(), out.size() * sizeof out[0]), 0);
  for (unsigned c = 0; c < ncpu; ++c) {
    for (int i = 0; i < 12; ++i) EXPECT_EQ(out[c * 16 + i], c + 1);
    for (int i = 12; i < 16; ++i) EXPECT_EQ(out[c * 16 + i], 0) << "padding is zero";
  }
}

TEST(PercpuArrayMap, ProgramSideRules) {
  auto m = make(def_of(MapType::PercpuArray, 4, 8, 2));
  ProgramScope p;
  uint32_t k = 2;
  uint64_t v = 1;
  EXPECT_EQ(m->lookup_elem(&k), nullptr);
  EXPECT_EQ(m->update_elem(&k, &v, kAny), -E2BIG);
  k = 0;
  EXPECT_EQ(m->update_elem(&k, &v, kNoExist), -EEXIST);
  EXPECT_EQ(m->update_elem(&k, &v, kFLock), -EINVAL);
  EXPECT_EQ(m->delete_elem(&k), -EINVAL);
}

TEST(PercpuArrayMap, NoCopyWithoutACpu) {
  auto m = make(def_of(MapType::PercpuArray, 4, 8, 2));
  uint32_t k = 0;
  ASSERT_LT(cpu::current(), 0);
  EXPECT_EQ(m->lookup_elem(&k), nullptr);
}

}  // namespace
}  // namespace ringb::maps::test
