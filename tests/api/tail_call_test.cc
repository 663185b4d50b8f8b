// Tail calls through the embedding API, on the corpus object tail_calls.bpf.o:
// program ids through the generic map API, programs kept alive by another
// object's prog array, instruction counting through tail calls, and a slot
// flipped between programs (of a short-lived second object) while threads
// run a program that tail-calls through it — run it under ASan and TSan.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "ringb/runtime.h"
#include "ringb_bpf_corpus.h"

namespace ringb {
namespace {

const std::string kObject = std::string(RINGB_BPF_CORPUS_DIR) + "/tail_calls.bpf.o";
constexpr uint32_t kEmptySlot = 3;  // tail_call_empty_slot jumps through it, else returns 7

uint32_t run(const LoadedObject& lo, const std::string& prog, bool count = false, uint64_t* insns = nullptr) {
  TestRunOptions o;
  o.data_in.assign(64, 0);
  o.count_insns = count;
  auto r = lo.test_run(prog, o);
  EXPECT_TRUE(r.ok()) << r.error().message;
  if (insns && r.ok()) *insns = r->insns;
  return r.ok() ? r->retval : 0xdeadbeef;
}

TEST(TailCall, HostUpdateTakesProgramIds) {
  Runtime rt;
  auto lo = rt.load(kObject);
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  maps::Map* jmp = (*lo)->map("jmp_table");
  ASSERT_NE(jmp, nullptr);
  uint32_t key = 0, id = 0;
  ASSERT_EQ(jmp->host_lookup(&key, sizeof key, &id, sizeof id), 0);  // filled from `.values`
  EXPECT_EQ(id, (*lo)->program_id("tail_target"));
  EXPECT_EQ(run(**lo, "tail_call_empty_slot"), 7u);
  key = kEmptySlot;
  id = (*lo)->program_id("chain_end");
  ASSERT_NE(id, 0u);
  ASSERT_EQ(jmp->host_update(&key, sizeof key, &id, sizeof id, maps::kAny), 0);
  EXPECT_EQ(run(**lo, "tail_call_empty_slot"), 3u);
  ASSERT_EQ(jmp->host_delete(&key, sizeof key), 0);
  EXPECT_EQ(run(**lo, "tail_call_empty_slot"), 7u);
  id = 0xfffffff0;
  EXPECT_EQ(jmp->host_update(&key, sizeof key, &id, sizeof id, maps::kAny), -EBADF);
}

TEST(TailCall, ProgArraySetReportsErrors) {
  Runtime rt;
  auto lo = rt.load(kObject);
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  EXPECT_TRUE((*lo)->prog_array_set("jmp_table", kEmptySlot, "tail_target").ok());
  EXPECT_EQ(run(**lo, "tail_call_empty_slot"), 100u);
  EXPECT_EQ((*lo)->prog_array_set("nope", 0, "tail_target").error().code, ENOENT);
  EXPECT_EQ((*lo)->prog_array_set("jmp_table", 0, "nope").error().code, ENOENT);
  EXPECT_EQ((*lo)->prog_array_set("jmp_table", 8, "tail_target").error().code, E2BIG);
  EXPECT_EQ((*lo)->prog_array_set(".bss", 0, "tail_target").error().code, EINVAL);
}

// Checked against the kernel: libbpf's load of the xdp program fails with
// EINVAL once the tc program has claimed the array.
TEST(TailCall, AProgArrayServesProgramsOfOneType) {
  Runtime rt;
  auto clash = rt.load(std::string(RINGB_API_BPF_DIR) + "/prog_type_clash.bpf.o");
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.error().code, EINVAL);
  EXPECT_NE(clash.error().message.find("program 'from_xdp' (xdp) uses prog array 'jmp'"), std::string::npos)
      << clash.error().message;
  auto skip = rt.load(std::string(RINGB_API_BPF_DIR) + "/prog_type_clash_skip.bpf.o");
  ASSERT_TRUE(skip.ok()) << "a program that is not autoloaded claims nothing: " << skip.error().message;
  EXPECT_EQ((*skip)->prog_array_set("jmp", 0, "from_xdp").error().code, ENOENT) << "'?xdp' is not loaded";
  EXPECT_TRUE((*skip)->prog_array_set("jmp", 0, "from_tc").ok());
  Runtime::LoadOptions both;  // '?' programs load when named, and then claim
  both.programs = {"from_tc", "from_xdp"};
  auto named = rt.load(std::string(RINGB_API_BPF_DIR) + "/prog_type_clash_skip.bpf.o", both);
  ASSERT_FALSE(named.ok());
  EXPECT_NE(named.error().message.find("program 'from_xdp' (xdp) uses prog array 'jmp'"), std::string::npos)
      << named.error().message;
}

TEST(TailCall, AnotherObjectsProgramOutlivesItsObject) {
  Runtime rt;
  auto a = rt.load(kObject);
  ASSERT_TRUE(a.ok()) << a.error().message;
  {
    auto b = rt.load(kObject);
    ASSERT_TRUE(b.ok());
    uint32_t key = kEmptySlot, id = (*b)->program_id("chain_mid");
    ASSERT_EQ((*a)->map("jmp_table")->host_update(&key, sizeof key, &id, sizeof id, maps::kAny), 0);
  }
  // b's chain_mid runs with b's maps, which it keeps alive; b's own prog
  // array was emptied when b went, so its tail call to chain_end falls
  // through to "return 0".
  EXPECT_EQ(run(**a, "tail_call_empty_slot"), 0u);
}

TEST(TailCall, CountingModeCountsThroughTailCalls) {
  Runtime rt;
  auto lo = rt.load(kObject);
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  uint64_t start = 0, mid = 0, end = 0;
  EXPECT_EQ(run(**lo, "chain_end", true, &end), 3u);
  EXPECT_EQ(run(**lo, "chain_mid", true, &mid), 23u);
  EXPECT_EQ(run(**lo, "chain_start", true, &start), 123u);
  EXPECT_GT(mid, end);
  EXPECT_GT(start, mid);
  EXPECT_EQ(run(**lo, "tail_call_limit", true), 34u);
}

// One thread flips slot 3 between programs of the object itself, programs of
// short-lived second objects, and empty (programs that keep state in
// skb->cb would not do: repeated runs share one context); four threads run the program that
// tail-calls through it. Every result is one of the possible ones; a freed
// program being run would show under ASan.
TEST(TailCall, SlotFlipsWhileProgramsTailCallThroughIt) {
  Runtime rt;
  auto lo = rt.load(kObject);
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  maps::Map* jmp = (*lo)->map("jmp_table");
  std::atomic<bool> done{false};
  std::atomic<int> bad{0}, runs{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      while (!done.load()) {
        TestRunOptions o;
        o.data_in.assign(64, 0);
        o.repeat = 50;
        auto r = (*lo)->test_run("tail_call_empty_slot", o);
        // 7: empty; 100: tail_target (ours, or the other object's through its
        // tail_call_hit); 3: chain_end; 1: the other object's tail_call_hit
        // once that object is gone and its prog array emptied
        if (!r || (r->retval != 7 && r->retval != 100 && r->retval != 3 && r->retval != 1)) {
          if (bad.fetch_add(1) == 0)
            ADD_FAILURE() << (r ? "retval " + std::to_string(r->retval) : r.error().message);
        }
        runs.fetch_add(1);
      }
    });
  uint32_t key = kEmptySlot;
  for (int i = 0; i < 60; ++i) {
    auto other = rt.load(kObject);
    ASSERT_TRUE(other.ok());
    uint32_t id = (*other)->program_id("tail_call_hit");
    EXPECT_EQ(jmp->host_update(&key, sizeof key, &id, sizeof id, maps::kAny), 0);
    other->reset();  // the slot keeps its program alive
    for (const char* p : {"tail_target", "chain_end"}) {
      id = (*lo)->program_id(p);
      EXPECT_EQ(jmp->host_update(&key, sizeof key, &id, sizeof id, maps::kAny), 0);
    }
    if (i % 3 == 0) jmp->host_delete(&key, sizeof key);
  }
  done = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(runs.load(), 0);
}

}  // namespace
}  // namespace ringb
