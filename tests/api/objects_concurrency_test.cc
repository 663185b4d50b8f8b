// Many threads on shared lists, trees and kptr slots: programs produce
// refcounted nodes into a slot's list and tree at once, consume from either
// side and swap objects through kptr slots, all at the same time. The slot
// counters (kept under the slot's lock) must add up — every node in is out
// or still there, found by draining — and after the object is unloaded the
// object allocator holds exactly what it held before (nothing lost, nothing
// freed twice: ASan and TSan builds run this too).
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "ringb/mem.h"
#include "ringb/objects.h"
#include "ringb/runtime.h"

#ifndef RINGB_API_BPF_DIR
#error "RINGB_API_BPF_DIR must name the directory of obj_churn.bpf.o"
#endif

namespace ringb {
namespace {

struct Args {
  uint32_t slot, pad;
  int64_t key;
};

struct SlotCounters {
  int64_t list_in, list_out, tree_in, tree_out;
};

int64_t run(const LoadedObject& lo, const char* prog, Args a) {
  TestRunOptions o;
  o.ctx_in.assign(reinterpret_cast<const uint8_t*>(&a), reinterpret_cast<const uint8_t*>(&a) + sizeof a);
  auto r = lo.test_run(prog, o);
  EXPECT_TRUE(r) << prog << ": " << r.error().message;
  return r ? static_cast<int32_t>(r->retval) : -1000;
}

TEST(ObjectsConcurrency, ListsTreesAndKptrsConserveEveryObject) {
  mem::MemAlloc::rcu_barrier();
  const obj::Stats before = obj::stats();
  {
    Runtime rt;
    auto lo = rt.load(std::string(RINGB_API_BPF_DIR) + "/obj_churn.bpf.o");
    ASSERT_TRUE(lo) << lo.error().message;
    constexpr int kThreads = 4, kIters = 3000;
    std::atomic<int64_t> produced{0}, consumed{0}, swapped_out{0}, errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        uint64_t r = 0x9e3779b97f4a7c15ULL * static_cast<uint64_t>(t + 1);
        for (int i = 0; i < kIters; ++i) {
          r ^= r << 13, r ^= r >> 7, r ^= r << 17;
          const Args a{static_cast<uint32_t>(r % 4), 0, static_cast<int64_t>(r >> 40)};
          int64_t v = 0;
          switch (r >> 60 & 3) {
            case 0:
            case 1: v = run(**lo, "produce", a); produced += v == 0; break;
            case 2: v = run(**lo, r >> 59 & 1 ? "consume_list" : "consume_tree", a); consumed += v > 0; break;
            case 3: v = run(**lo, "swap", a); swapped_out += v > 0; break;
          }
          if (v < 0) ++errors;
        }
      });
    for (auto& th : threads) th.join();
    EXPECT_EQ(errors.load(), 0);

    // Drain what is left, then the counters must balance per slot.
    int64_t in = 0, out = 0;
    for (uint32_t s = 0; s < 4; ++s) {
      while (run(**lo, "consume_list", Args{s, 0, 0}) == 1) {
      }
      while (run(**lo, "consume_tree", Args{s, 0, 0}) == 1) {
      }
      SlotCounters c{};
      std::vector<uint8_t> v((*lo)->map("slots")->value_size_for_host());
      ASSERT_EQ((*lo)->map("slots")->host_lookup(&s, sizeof s, v.data(), v.size()), 0);
      std::memcpy(&c, v.data() + 8 + 16 + 16, sizeof c);  // after the lock, list head and root
      EXPECT_EQ(c.list_in, c.list_out) << "slot " << s;
      EXPECT_EQ(c.tree_in, c.tree_out) << "slot " << s;
      EXPECT_EQ(c.list_in, c.tree_in) << "slot " << s;  // every produced node went into both
      in += c.list_in;
      out += c.list_out;
    }
    EXPECT_EQ(in, produced.load());
    EXPECT_GE(out, consumed.load());
  }  // unloaded: the stash's blobs go with its map
  mem::MemAlloc::rcu_barrier();
  const obj::Stats after = obj::stats();
  EXPECT_EQ(after.objects_live, before.objects_live);
  EXPECT_EQ(after.allocated - before.allocated, after.freed - before.freed);
}

}  // namespace
}  // namespace ringb
