// Precision backtracking (src/verifier/precision.cc): a scalar that reaches
// a decision is marked precise back through moves, ALU ops, spills and
// fills, calls and checkpoints, so a path joining with another value is not
// pruned; one that reaches none lets the path prune.
#include <gtest/gtest.h>

#include <vector>

#include "ringb/insn.h"
#include "ringb/verifier.h"

namespace ringb {
namespace {

using namespace isa;

Insn alu64k(uint8_t o, int d, int32_t imm) { return make(kAlu64 | o | kK, static_cast<uint8_t>(d), 0, 0, imm); }
Insn alu64x(uint8_t o, int d, int s) { return make(kAlu64 | o | kX, static_cast<uint8_t>(d), static_cast<uint8_t>(s), 0, 0); }
Insn mov(int d, int32_t imm) { return alu64k(kMov, d, imm); }
Insn movx(int d, int s) { return alu64x(kMov, d, s); }
Insn ldx(int d, int s, int16_t off) { return make(kLdx | kMem | kDW, static_cast<uint8_t>(d), static_cast<uint8_t>(s), off, 0); }
Insn stx(int d, int s, int16_t off) { return make(kStx | kMem | kDW, static_cast<uint8_t>(d), static_cast<uint8_t>(s), off, 0); }
Insn stw(int d, int16_t off, int32_t imm) { return make(kSt | kMem | kW, static_cast<uint8_t>(d), 0, off, imm); }
Insn jk(uint8_t o, int d, int32_t imm, int16_t off) { return make(kJmp | o | kK, static_cast<uint8_t>(d), 0, off, imm); }
Insn jx(uint8_t o, int d, int s, int16_t off) { return make(kJmp | o | kX, static_cast<uint8_t>(d), static_cast<uint8_t>(s), off, 0); }
Insn call(int32_t id) { return make(kJmp | kCall, 0, 0, 0, id); }
Insn pcall(int32_t rel) { return make(kJmp | kCall, 0, kPseudoCall, 0, rel); }
Insn exit_() { return make(kJmp | kExit, 0, 0, 0, 0); }
Insn ldmap(int d, int32_t idx) { return make(kLd | kImm | kDW, static_cast<uint8_t>(d), kPseudoMapFd, 0, idx); }
Insn zero() { return make(0, 0, 0, 0, 0); }

template <typename... T>
std::vector<Insn> cat(std::vector<Insn> a, T... rest) {
  (a.insert(a.end(), rest.begin(), rest.end()), ...);
  return a;
}

Object object(std::vector<Insn> code, uint32_t sub_at = 0) {
  Object o;
  o.name = "t";
  o.license = "GPL";
  Program p;
  p.name = "prog";
  p.type = ProgType::SchedCls;
  p.insns = std::move(code);
  p.funcs.push_back({0, "prog", 0});
  if (sub_at) p.funcs.push_back({sub_at, "sub", 0});
  o.programs.push_back(std::move(p));
  MapDef m;  // an array of one 8-byte value
  m.name = "arr";
  m.type = static_cast<uint32_t>(MapType::Array);
  m.key_size = 4, m.value_size = 8, m.max_entries = 1;
  o.maps.push_back(m);
  return o;
}

verifier::Result verify(const Object& o) {
  verifier::Options opts;
  opts.log_level = 1;
  return verifier::verify(o, 0, opts);
}

std::string verdict(const Object& o) {  // the first line of the message
  const verifier::Result r = verify(o);
  return r.ok ? "ok" : r.message.substr(0, r.message.find('\n'));
}

// r6 = 8 where r0 > 5, else 0 (walked first, with enough instructions and
// jumps behind it for a checkpoint at the next prune point); the join is
// insn 13; extra: instructions before the join, on the fall-through.
std::vector<Insn> split(std::vector<Insn> extra = {}) {
  std::vector<Insn> head = {call(7), mov(6, 8)};
  std::vector<Insn> fall = cat(std::vector<Insn>{mov(6, 0), mov(8, 0)}, extra,
                               std::vector<Insn>(6, alu64k(kAdd, 8, 1)));
  fall.push_back(jk(kJgt, 8, 10, 1));  // decided both: jumps for the checkpoint rule
  fall.push_back(jk(kJgt, 8, 11, 0));
  head.push_back(jk(kJgt, 0, 5, static_cast<int16_t>(fall.size())));
  return cat(head, fall);
}

// instructions and jumps after the join, for a checkpoint there the second
// path meets
std::vector<Insn> pad() {
  std::vector<Insn> p = {mov(8, 0)};
  for (int i = 0; i < 8; ++i) p.push_back(alu64k(kAdd, 8, 1));
  p.push_back(jk(kJgt, 8, 100, 0));
  p.push_back(jk(kJgt, 8, 101, 0));
  return p;
}

// r0 = the map value, or exit(0) when NULL
std::vector<Insn> lookup() {
  return {stw(10, -4, 0), movx(2, 10), alu64k(kAdd, 2, -4), ldmap(1, 0), zero(), call(1), jk(kJne, 0, 0, 2),
          mov(0, 0), exit_()};
}

std::vector<Insn> load_and_exit() { return {ldx(0, 0, 0), mov(0, 0), exit_()}; }

const char* kOob = "invalid access to map value, value_size=8 off=8 size=8";

TEST(Precision, OffsetMarksTheJoinedRegister) {
  EXPECT_EQ(verdict(object(cat(split(), pad(), lookup(), std::vector<Insn>{alu64x(kAdd, 0, 6)}, load_and_exit()))), kOob);
}

TEST(Precision, ThroughMovAndAlu) {
  const std::vector<Insn> use = {movx(7, 6), mov(9, 0), alu64x(kAdd, 9, 7), alu64x(kAdd, 0, 9)};
  EXPECT_EQ(verdict(object(cat(split(), pad(), lookup(), use, load_and_exit()))), kOob);
}

TEST(Precision, ThroughSpillAndFill) {
  // both ways spill r6 at fp-16 before the join; r6 itself is reset after
  std::vector<Insn> p = split({stx(10, 6, -16)});
  p.insert(p.begin() + 2, stx(10, 6, -16));
  const std::vector<Insn> use = {ldx(7, 10, -16), alu64x(kAdd, 0, 7)};
  EXPECT_EQ(verdict(object(cat(p, std::vector<Insn>{mov(6, 0)}, pad(), lookup(), use, load_and_exit()))), kOob);
}

TEST(Precision, ThroughStaticCallArguments) {
  // sub(r1 = offset, r2 = value): r2 += r1; r0 = *(u64 *)r2
  const std::vector<Insn> main = cat(split(), lookup(), std::vector<Insn>{movx(1, 6), movx(2, 0), pcall(2), mov(0, 0), exit_()});
  const std::vector<Insn> sub = {alu64x(kAdd, 2, 1), ldx(0, 2, 0), exit_()};
  EXPECT_EQ(verdict(object(cat(main, sub), static_cast<uint32_t>(main.size()))), kOob);
}

TEST(Precision, ThroughCalleeReturnValue) {
  // sub returns r1 + 0: the caller's offset is the callee's r0
  const std::vector<Insn> main = cat(split(), lookup(),
                                     std::vector<Insn>{movx(7, 0), movx(1, 6), pcall(4), alu64x(kAdd, 7, 0), ldx(0, 7, 0),
                                                       mov(0, 0), exit_()});
  const std::vector<Insn> sub = {movx(0, 1), alu64k(kAdd, 0, 0), exit_()};
  EXPECT_EQ(verdict(object(cat(main, sub), static_cast<uint32_t>(main.size()))), kOob);
}

TEST(Precision, ThroughParentStates) {
  // checkpoints between the join and the use
  std::vector<Insn> mid = {movx(7, 6), mov(8, 0)};
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < 8; ++i) mid.push_back(alu64k(kAdd, 8, 1));
    mid.push_back(jk(kJgt, 8, 100, 0));
    mid.push_back(jk(kJgt, 8, 101, 0));
  }
  const std::vector<Insn> use = {alu64x(kAdd, 0, 7)};
  EXPECT_EQ(verdict(object(cat(split(), mid, lookup(), use, load_and_exit()))), kOob);
}

// r7 = 1 or 2 at the join; a checkpoint at insn 24 after it; then r7 is
// compared against an unknown (both ways: its value decides nothing, so the
// second path is pruned at 24) or against a constant (decided by r7's
// value: the paths stay apart).
std::vector<Insn> compare_r7(bool decided) {
  std::vector<Insn> p = split();
  p[1] = mov(7, 1);
  p[3] = mov(7, 2);
  std::vector<Insn> tail = {movx(6, 0), mov(8, 0)};
  for (int i = 0; i < 8; ++i) tail.push_back(alu64k(kAdd, 8, 1));
  tail.push_back(jk(kJgt, 8, 100, 0));
  tail.push_back(jk(kJgt, 8, 101, 0));
  tail.push_back(decided ? jk(kJgt, 7, 1, 0) : jx(kJgt, 6, 7, 0));
  tail.push_back(mov(0, 0));
  tail.push_back(exit_());
  return cat(p, tail);
}

TEST(Precision, ImpreciseJoinIsPruned) {
  const verifier::Result r = verify(object(compare_r7(false)));
  ASSERT_TRUE(r.ok) << r.message;
  // (at the checkpoint before the compare: 23 or 24, as calls and jumps place it)
  EXPECT_TRUE(r.log.find("\n23: safe\n") != std::string::npos || r.log.find("\n24: safe\n") != std::string::npos)
      << r.log;
}

TEST(Precision, DecidedBranchKeepsTheJoinApart) {
  const verifier::Result r = verify(object(compare_r7(true)));
  ASSERT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.log.find(": safe\n"), std::string::npos) << r.log;
}

}  // namespace
}  // namespace ringb
