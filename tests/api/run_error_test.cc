// A run that stops on an error is an error of test_run, with its reason and
// instruction, never a retval: a reachable write to r10 (which the kernel's
// verifier refuses, verifier_reject.bpf.c), and the tail-call hierarchy that
// once overflowed eight frames into a silent 0 (tail_call_hierarchy.bpf.c).
#include <gtest/gtest.h>

#include "ringb/runtime.h"
#include "ringb_bpf_corpus.h"

namespace ringb {
namespace {

TEST(RunError, ReachableWriteToR10IsAnErrorWithItsReason) {
  Runtime::Options ro;
  ro.verify = false;  // the vm's own trap, for code no verifier has seen
  Runtime rt(ro);
  auto lo = rt.load(std::string(RINGB_BPF_CORPUS_DIR) + "/verifier_reject.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  TestRunOptions o;
  o.data_in.assign(64, 0);
  auto r = (*lo)->test_run("reject_reachable_write_to_r10", o);
  ASSERT_FALSE(r.ok()) << "retval " << r->retval;
  EXPECT_EQ(r.error().code, EINVAL);
  EXPECT_NE(r.error().message.find("instruction 1: frame pointer is read only"), std::string::npos)
      << r.error().message;
}

TEST(RunError, TailCallHierarchyRunsLikeTheKernel) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_BPF_CORPUS_DIR) + "/tail_call_hierarchy.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  TestRunOptions o;
  o.data_in.assign(64, 0);
  for (const char* p : {"hierarchy_depth1", "hierarchy_depth2"}) {
    auto r = (*lo)->test_run(p, o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->retval, 34u) << p;
  }
}

}  // namespace
}  // namespace ringb

namespace ringb {
namespace {

TEST(RunError, TheVerifierRefusesWhatTheKernelRefusesAtLoad) {
  Runtime rt;  // verifies by default
  auto lo = rt.load(std::string(RINGB_BPF_CORPUS_DIR) + "/verifier_reject.bpf.o");
  ASSERT_FALSE(lo.ok());
  EXPECT_EQ(lo.error().code, EACCES);
  EXPECT_NE(lo.error().message.find("rejected by the verifier at insn"), std::string::npos) << lo.error().message;
}

}  // namespace
}  // namespace ringb

namespace ringb {
namespace {

// A run that stops between bpf_spin_lock and bpf_spin_unlock (here: out of
// instruction budget, at every possible instruction) releases the lock, so
// the next run and the map's teardown do not spin on it forever (a
// soundness mutant hung that way).
TEST(RunError, AStoppedRunReleasesItsSpinLock) {
  Runtime rt;
  auto lo = rt.load(std::string(RINGB_BPF_CORPUS_DIR) + "/obj_lists.bpf.o");
  ASSERT_TRUE(lo.ok()) << lo.error().message;
  TestRunOptions whole;
  whole.data_in.assign(64, 0);
  int stopped = 0;
  for (uint64_t budget = 1; budget <= 120; ++budget) {
    TestRunOptions o = whole;
    o.insn_budget = budget;
    auto r = (*lo)->test_run("list_fifo", o);
    if (!r.ok()) {
      EXPECT_NE(r.error().message.find("instruction budget exhausted"), std::string::npos) << r.error().message;
      ++stopped;
    }
    auto again = (*lo)->test_run("list_fifo", whole);  // would spin on a lock left held
    ASSERT_TRUE(again.ok()) << again.error().message;
  }
  EXPECT_GT(stopped, 20);
  lo->reset();  // the map's teardown takes each value's lock too
}

}  // namespace
}  // namespace ringb
