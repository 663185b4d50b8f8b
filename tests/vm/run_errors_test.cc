// Runs that cannot go on stop with an error and its reason, never with a
// value that looks like a result: call chains deeper than the frame records,
// stacks that do not fit, traps inside callbacks. And frames are packed by
// each function's stack depth, so calls that use little stack nest deeper
// than eight 512-byte frames would, without touching each other's stack.
#include <gtest/gtest.h>

#include "ringb/cpu.h"
#include "ringb/vm.h"
#include "vm/asm.h"

namespace ringb::vm {
namespace {

using namespace ringb::testing::as;

struct Ran {
  uint64_t r0 = 0;
  std::string error;  // "" when the run ended normally
  int code = 0;
  int64_t insn = -1;
};

Ran run(const std::vector<Insn>& code) {
  Program p;
  p.name = "t";
  p.insns = code;
  auto exe = Executable::create(p, {}, {}, Functions::builtin());
  EXPECT_TRUE(exe.ok()) << (exe.ok() ? "" : exe.error().message);
  if (!exe.ok()) return {};
  RunState rs;
  cpu::CpuGuard g;
  rs.cpu = g.cpu();
  Ran r;
  r.r0 = (*exe)->run(0, rs);
  if (rs.error) r.error = rs.error;
  r.code = rs.error_code;
  r.insn = rs.error_insn;
  return r;
}

// f(r1) = r1 == 0 ? 0 : f(r1 - 1) + 1, recursive (the kernel refuses
// recursion; ringb's limits are what stops it).
std::vector<Insn> count_down(int n, bool with_stack) {
  std::vector<Insn> v = {mov64(1, n), call_local(1), exit_()};
  // f at 3:
  if (with_stack) v.push_back(st(kDW, 10, -512, 1));  // a full 512-byte frame
  v.push_back(jmp_imm(kJeq, 1, 0, 4));
  v.push_back(alu64_imm(kSub, 1, 1));
  v.push_back(call_local(with_stack ? -4 : -3));
  v.push_back(alu64_imm(kAdd, 0, 1));
  v.push_back(exit_());
  v.push_back(mov64(0, 0));
  v.push_back(exit_());
  return v;
}

TEST(Frames, CallsWithoutStackNestPastEightFrames) {
  const Ran r = run(count_down(60, false));
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.r0, 60u);
}

TEST(Frames, TooManyFramesIsAnErrorNotAResult) {
  const Ran r = run(count_down(kMaxRunFrames + 5, false));
  EXPECT_EQ(r.error, "call stack exhausted: too many frames");
  EXPECT_EQ(r.code, E2BIG);
  EXPECT_EQ(r.insn, 5);  // the recursive call
}

TEST(Frames, FullFramesFillTheArenaThenStop) {
  EXPECT_EQ(run(count_down(6, true)).r0, 6u);  // main (no stack) + 7 frames of 512 bytes
  const Ran r = run(count_down(8, true));
  EXPECT_EQ(r.error, "stack exhausted: the frames of this call chain exceed ringb's stack");
  EXPECT_EQ(r.code, E2BIG);
}

// The caller's stack survives a callee that uses its own; a caller whose r10
// escapes (r2 = r10 - 16) keeps its whole frame.
TEST(Frames, FramesDoNotOverlap) {
  EXPECT_EQ(run({st(kDW, 10, -8, 11), call_local(3), ldx(kDW, 1, 10, -8), alu64_reg(kAdd, 0, 1), exit_(),
                 st(kDW, 10, -8, 22), ldx(kDW, 0, 10, -8), exit_()})
                .r0,
            33u);
  EXPECT_EQ(run({mov64r(2, 10), alu64_imm(kAdd, 2, -16), st(kDW, 2, 8, 5), call_local(3), ldx(kDW, 0, 2, 8),
                 exit_(), exit_(), st(kDW, 10, -8, 99), st(kDW, 10, -16, 98), exit_()})
                .r0,
            5u);
}

// A trap in a callback (bpf_loop, helper 181) ends the whole run.
TEST(RunErrors, TrapInACallbackStopsTheRun) {
  std::vector<Insn> v = {mov64(1, 3)};
  v.push_back(make(kLd | kImm | kDW, 2, kPseudoFunc, 0, 6));  // the callback at 8
  v.push_back(make(0, 0, 0, 0, 0));
  v.push_back(mov64(3, 0));
  v.push_back(mov64(4, 0));
  v.push_back(call_helper(181));
  v.push_back(mov64(0, 5));
  v.push_back(exit_());
  v.push_back(mov64(10, 0));  // 8: writes r10
  v.push_back(exit_());
  const Ran r = run(v);
  EXPECT_EQ(r.error, "frame pointer is read only");
  EXPECT_EQ(r.insn, 8);
}

}  // namespace
}  // namespace ringb::vm
