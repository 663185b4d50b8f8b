// One small program per rejection class, built instruction by instruction,
// with the kernel's message; and a few the verifier must accept.
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
Insn ldx(int sz, int d, int s, int16_t off) { return make(kLdx | kMem | static_cast<uint8_t>(sz), static_cast<uint8_t>(d), static_cast<uint8_t>(s), off, 0); }
Insn st(int sz, int d, int16_t off, int32_t imm) { return make(kSt | kMem | static_cast<uint8_t>(sz), static_cast<uint8_t>(d), 0, off, imm); }
Insn jk(uint8_t o, int d, int32_t imm, int16_t off) { return make(kJmp | o | kK, static_cast<uint8_t>(d), 0, off, imm); }
Insn ja(int16_t off) { return make(kJmp | kJa, 0, 0, off, 0); }
Insn call(int32_t id) { return make(kJmp | kCall, 0, 0, 0, id); }
Insn exit_() { return make(kJmp | kExit, 0, 0, 0, 0); }
Insn ldmap(int d, int32_t idx) { return make(kLd | kImm | kDW, static_cast<uint8_t>(d), kPseudoMapFd, 0, idx); }
Insn zero() { return make(0, 0, 0, 0, 0); }

Object object(std::vector<Insn> code, ProgType type = ProgType::SchedCls) {
  Object o;
  o.name = "t";
  o.license = "GPL";
  Program p;
  p.name = "prog";
  p.type = type;
  p.insns = std::move(code);
  p.funcs.push_back({0, "prog", 0});
  o.programs.push_back(std::move(p));
  MapDef m;  // map 0: array, 4-byte keys, 8-byte values
  m.name = "arr";
  m.type = static_cast<uint32_t>(MapType::Array);
  m.key_size = 4, m.value_size = 8, m.max_entries = 4;
  o.maps.push_back(m);
  MapDef lock = m;  // map 1: a value with a bpf_spin_lock at 0
  lock.name = "locked";
  Field f;
  f.kind = FieldKind::SpinLock, f.offset = 0, f.size = 4;
  lock.fields.fields.push_back(f);
  lock.fields.mask = static_cast<uint32_t>(FieldKind::SpinLock);
  lock.fields.spin_lock_off = 0;
  o.maps.push_back(lock);
  return o;
}

std::string verdict(const Object& o, uint32_t limit = 1000000) {
  verifier::Options opts;
  opts.insn_limit = limit;
  const verifier::Result r = verifier::verify(o, 0, opts);
  return r.ok ? "ok" : r.message;
}

// r0 = lookup(map, &key on stack), with key = 0 at fp-4.
std::vector<Insn> lookup(int map) {
  return {st(kW, 10, -4, 0), movx(2, 10), alu64k(kAdd, 2, -4), ldmap(1, map), zero(), call(1)};
}
template <typename... T>
std::vector<Insn> cat(std::vector<Insn> a, T... rest) {
  (a.insert(a.end(), rest.begin(), rest.end()), ...);
  return a;
}

TEST(Reject, UninitialisedRegister) { EXPECT_EQ(verdict(object({exit_()})), "R0 !read_ok"); }
TEST(Reject, DivisionByZero) { EXPECT_EQ(verdict(object({mov(0, 1), alu64k(kDiv, 0, 0), exit_()})), "div by zero"); }
TEST(Reject, InvalidShift) { EXPECT_EQ(verdict(object({mov(0, 1), alu64k(kLsh, 0, 64), exit_()})), "invalid shift 64"); }
TEST(Reject, FramePointerIsReadOnly) { EXPECT_EQ(verdict(object({mov(10, 0), exit_()})), "frame pointer is read only"); }
TEST(Reject, StackOutOfBounds) {
  EXPECT_EQ(verdict(object({st(kDW, 10, -520, 0), mov(0, 0), exit_()})), "invalid write to stack R10 off=-520 size=8");
}
TEST(Reject, MisalignedStack) {
  EXPECT_EQ(verdict(object({st(kDW, 10, -12, 0), mov(0, 0), exit_()})), "misaligned stack access off 0+0+-12 size 8");
}
TEST(Reject, ScalarDereference) {
  EXPECT_EQ(verdict(object({mov(1, 0), ldx(kW, 0, 1, 0), exit_()})), "R1 invalid mem access 'scalar'");
}
TEST(Reject, MapValueWithoutNullCheck) {
  Object o = object(cat(lookup(0), std::vector<Insn>{ldx(kDW, 0, 0, 0), exit_()}));
  EXPECT_EQ(verdict(o), "ok");  // an array's constant key in range: never NULL (6.18)
  o.maps[0].type = static_cast<uint32_t>(MapType::Hash);
  EXPECT_EQ(verdict(o), "R0 invalid mem access 'map_value_or_null'");
}
TEST(Reject, MapValueOutOfBounds) {
  EXPECT_EQ(verdict(object(cat(lookup(0), std::vector<Insn>{jk(kJeq, 0, 0, 1), ldx(kW, 0, 0, 8), mov(0, 0), exit_()}))),
            "invalid access to map value, value_size=8 off=8 size=4\nR0 min value is outside of the allowed memory range");
}
TEST(Reject, ContextAccess) {
  EXPECT_EQ(verdict(object({ldx(kW, 0, 1, 300), exit_()})), "invalid bpf_context access off=300 size=4");
  EXPECT_EQ(verdict(object({st(kW, 1, 0, 1), mov(0, 0), exit_()})), "invalid bpf_context access off=0 size=4");
}
TEST(Reject, ModifiedContext) {
  EXPECT_EQ(verdict(object({alu64k(kAdd, 1, 8), ldx(kW, 0, 1, 0), exit_()})),
            "dereference of modified ctx ptr R1 off=8 disallowed");
}
TEST(Reject, PointerArithmetic) {
  EXPECT_EQ(verdict(object({ldmap(1, 0), zero(), alu64k(kAdd, 1, 8), mov(0, 0), exit_()})),
            "R1 pointer arithmetic on map_ptr prohibited");
  EXPECT_EQ(verdict(object({movx(2, 10), alu64k(kMul, 2, 2), mov(0, 0), exit_()})),
            "R2 pointer arithmetic with *= operator prohibited");
  EXPECT_EQ(verdict(object({movx(2, 10), alu64k(kAnd, 2, 2), mov(0, 0), exit_()})),
            "R2 bitwise operator &= on pointer prohibited");
  EXPECT_EQ(verdict(object({movx(6, 1), call(7), alu64x(kAdd, 6, 0), mov(0, 0), exit_()})),
            "math between ctx pointer and register with unbounded min value is not allowed");
}
TEST(Reject, HelperTheTypeLacks) {
  EXPECT_EQ(verdict(object({call(4), exit_()})), "program of this type cannot use helper bpf_probe_read#4 (program type sched_cls)");
}
TEST(Reject, HelperArgumentType) {
  EXPECT_EQ(verdict(object({mov(1, 0), mov(2, 0), call(1), mov(0, 0), exit_()})), "R1 type=scalar expected=map_ptr");
}
TEST(Reject, InfiniteLoop) { EXPECT_EQ(verdict(object({mov(0, 0), ja(-1)})), "infinite loop detected at insn 1"); }
TEST(Reject, TooLarge) {
  // a loop of 2^31 iterations
  EXPECT_EQ(verdict(object({mov(0, 0), alu64k(kAdd, 0, 1), jk(kJlt, 0, 0x7fffffff, -2), exit_()}), 1000),
            "BPF program is too large. Processed 1001 insn");
}
TEST(Reject, Unreachable) { EXPECT_EQ(verdict(object({mov(0, 0), exit_(), mov(0, 1), exit_()})), "unreachable insn 2"); }
TEST(Reject, JumpOutOfRange) { EXPECT_EQ(verdict(object({mov(0, 0), ja(5), exit_()})), "jump out of range from insn 1 to 7"); }
TEST(Reject, SpinLock) {
  EXPECT_EQ(verdict(object(cat(lookup(1), std::vector<Insn>{jk(kJeq, 0, 0, 2), movx(1, 0), call(94), mov(0, 0), exit_()}))),
            "bpf_spin_unlock without taking a lock");
  EXPECT_EQ(verdict(object(cat(lookup(1), std::vector<Insn>{jk(kJeq, 0, 0, 2), movx(1, 0), call(93), mov(0, 0), exit_()}))),
            "BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region");
  EXPECT_EQ(verdict(object(cat(lookup(0), std::vector<Insn>{jk(kJeq, 0, 0, 2), movx(1, 0), call(93), mov(0, 0), exit_()}))),
            "map 'arr' has no valid bpf_spin_lock");
}

TEST(Accept, BoundedLoopAndNullCheck) {
  EXPECT_EQ(verdict(object({mov(0, 0), alu64k(kAdd, 0, 1), jk(kJlt, 0, 100, -2), exit_()})), "ok");
  EXPECT_EQ(verdict(object(cat(lookup(0), std::vector<Insn>{jk(kJeq, 0, 0, 1), ldx(kW, 0, 0, 4), mov(0, 0), exit_()}))),
            "ok");
  // a bounded index into a map value
  EXPECT_EQ(verdict(object(cat(lookup(0), std::vector<Insn>{jk(kJeq, 0, 0, 5), call(7), alu64k(kAnd, 0, 7), movx(1, 0),
                                                           mov(0, 0), jk(kJa, 0, 0, 0), mov(0, 0), exit_()}))),
            "ok");
}

TEST(Stats, FinalLineLikeTheKernel) {
  verifier::Options o;
  o.log_level = 2;
  const verifier::Result r = verifier::verify(object({mov(0, 0), exit_()}), 0, o);
  ASSERT_TRUE(r.ok);
  EXPECT_NE(r.log.find("0: (b7) r0 = 0 ; R0=0"), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0"),
            std::string::npos)
      << r.log;
}

}  // namespace
}  // namespace ringb
