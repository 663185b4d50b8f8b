// Programs from N threads churn the same hash maps (preallocated, on the
// allocator, per-cpu) while the host walks and reads them: nothing crashes or
// tears (run it under ASan and TSan), and the element counts come out exact.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ringb/cpu.h"
#include "ringb/runtime.h"

#ifndef RINGB_API_BPF_DIR
#error "RINGB_API_BPF_DIR must name the directory of churn.bpf.o"
#endif

namespace ringb {
namespace {

struct Shape {
  const char* prog;
  const char* map;
};

class Churn : public ::testing::TestWithParam<Shape> {};

TEST_P(Churn, ThreadsUpdateAndDeleteWhileTheHostIterates) {
  const Shape shape = GetParam();
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/churn.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  maps::Map* map = (*lo)->map(shape.map);
  ASSERT_NE(map, nullptr);

  constexpr int kThreads = 4, kLengths = 6, kRepeat = 200;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0}, torn{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int l = 0; l < kLengths; ++l) {
        TestRunOptions o;
        o.data_in.assign(static_cast<size_t>(14 + t * kLengths + l), 0);  // distinct lengths
        o.repeat = kRepeat;
        auto r = (*lo)->test_run(shape.prog, o);
        if (!r || r->retval != 0) failures.fetch_add(1);
      }
    });
  std::thread host([&] {
    std::vector<uint8_t> value(map->value_size_for_host());
    while (!done.load()) {
      uint32_t key = 0, next = 0;
      const void* prev = nullptr;
      while (map->host_get_next_key(prev, &next, sizeof next) == 0) {
        if (map->host_lookup(&next, sizeof next, value.data(), value.size() * sizeof value[0]) == 0) {
          uint64_t v;
          std::memcpy(&v, value.data(), sizeof v);
          if (v != next && v != 0) torn.fetch_add(1);  // 0: per-cpu copy of another cpu
        }
        key = next;
        prev = &key;
      }
    }
  });
  for (auto& th : threads) th.join();
  done.store(true);
  host.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(torn.load(), 0);

  // Exactly 8 keys per distinct length survive, each value equal to its key.
  std::set<uint32_t> keys;
  uint32_t key = 0, next = 0;
  const void* prev = nullptr;
  while (map->host_get_next_key(prev, &next, sizeof next) == 0) {
    EXPECT_TRUE(keys.insert(next).second) << "key " << next << " visited twice";
    key = next;
    prev = &key;
  }
  EXPECT_EQ(keys.size(), static_cast<size_t>(kThreads * kLengths * 8));
  for (uint32_t k : keys) {
    EXPECT_EQ(k % 2, 1u) << "even keys were deleted";
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, Churn,
                         ::testing::Values(Shape{"churn_prealloc", "prealloc"},
                                           Shape{"churn_dynamic", "dynamic"},
                                           Shape{"churn_percpu", "percpu"}),
                         [](const auto& info) { return std::string(info.param.map); });

// Programs racing on one map value with plain loads and stores, as BPF
// programs may: run under TSan it must stay quiet (the interpreter's memory
// accesses are atomic), lost increments are allowed, the atomic count exact.
TEST(Race, PlainAccessesToASharedValueAreDefined) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/churn.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  constexpr int kThreads = 4;
  constexpr uint32_t kRepeat = 2000;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      TestRunOptions o;
      o.data_in.assign(64, 0);
      o.repeat = kRepeat;
      auto r = (*lo)->test_run("racy_counter", o);
      if (!r || r->retval != 0) failures.fetch_add(1);
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  uint32_t zero = 0;
  uint64_t v[2] = {};
  ASSERT_EQ((*lo)->map("shared")->host_lookup(&zero, sizeof zero, v, sizeof v), 0);
  EXPECT_EQ(v[1], uint64_t{kThreads} * kRepeat);
  EXPECT_GT(v[0], 0u);
  EXPECT_LE(v[0], v[1]);
}

}  // namespace
}  // namespace ringb
