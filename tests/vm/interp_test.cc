// Instruction semantics, as data: each case is a hand-assembled program and
// the r0 it must return. Edge cases are the point: division by zero, signed
// overflow, shift masking, 32-bit zero extension, sign extension, byte swaps.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "ringb/cpu.h"
#include "ringb/maps.h"
#include "ringb/vm.h"
#include "vm/asm.h"

namespace ringb::vm {
namespace {

using namespace ringb::testing::as;

struct Case {
  std::string name;
  std::function<std::vector<Insn>()> code;
  uint64_t r0;
};

uint64_t run_code(const std::vector<Insn>& code, uint64_t ctx = 0, uint64_t* insns = nullptr) {
  Program p;
  p.name = "t";
  p.insns = code;
  auto exe = Executable::create(p, {}, {}, Functions::builtin());
  EXPECT_TRUE(exe.ok()) << (exe.ok() ? "" : exe.error().message);
  if (!exe.ok()) return ~0ull;
  RunOptions ro;
  ro.count_insns = insns != nullptr;
  RunState rs;
  rs.options = &ro;
  cpu::CpuGuard g;
  rs.cpu = g.cpu();
  const uint64_t r = (*exe)->run(ctx, rs);
  if (insns) *insns = rs.insns;
  return r;
}

// r0 = a <op> b with both operands in registers (64-bit or 32-bit).
std::vector<Insn> binop(bool is64, uint8_t o, int64_t a, int64_t b, int16_t off = 0) {
  std::vector<Insn> v;
  ld_imm64(v, 0, static_cast<uint64_t>(a));
  ld_imm64(v, 1, static_cast<uint64_t>(b));
  v.push_back(is64 ? alu64_reg(o, 0, 1, off) : alu32_reg(o, 0, 1, off));
  v.push_back(exit_());
  return v;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> k = {
      {"add64", [] { return binop(true, kAdd, 40, 2); }, 42},
      {"add64_wraps", [] { return binop(true, kAdd, -1, 1); }, 0},
      {"add32_zero_extends", [] { return binop(false, kAdd, 0x1ffffffffLL, 1); }, 0},
      {"sub32_wraps", [] { return binop(false, kSub, 0, 1); }, 0xffffffffull},
      {"mul64", [] { return binop(true, kMul, 0x100000000LL, 3); }, 0x300000000ull},
      {"mul32_truncates", [] { return binop(false, kMul, 0x10000, 0x10000); }, 0},
      {"div64", [] { return binop(true, kDiv, 100, 7); }, 14},
      {"div64_by_zero_is_zero", [] { return binop(true, kDiv, 100, 0); }, 0},
      {"div64_unsigned", [] { return binop(true, kDiv, -2, 2); }, 0x7fffffffffffffffull},
      {"mod64_by_zero_keeps_dst", [] { return binop(true, kMod, 100, 0); }, 100},
      {"mod32_by_zero_zero_extends", [] { return binop(false, kMod, -1, 0); }, 0xffffffffull},
      {"div32_uses_low_halves", [] { return binop(false, kDiv, 0x100000064LL, 0x100000005LL); }, 20},
      {"sdiv64", [] { return binop(true, kDiv, -100, 7, 1); }, static_cast<uint64_t>(-14)},
      {"sdiv64_min_by_minus_one", [] { return binop(true, kDiv, INT64_MIN, -1, 1); }, static_cast<uint64_t>(INT64_MIN)},
      {"sdiv64_by_zero", [] { return binop(true, kDiv, -5, 0, 1); }, 0},
      {"smod64", [] { return binop(true, kMod, -100, 7, 1); }, static_cast<uint64_t>(-2)},
      {"smod64_min_by_minus_one", [] { return binop(true, kMod, INT64_MIN, -1, 1); }, 0},
      {"smod64_by_zero_keeps_dst", [] { return binop(true, kMod, -5, 0, 1); }, static_cast<uint64_t>(-5)},
      {"sdiv32", [] { return binop(false, kDiv, -100, 7, 1); }, 0xfffffff2ull},
      {"sdiv32_min_by_minus_one", [] { return binop(false, kDiv, INT32_MIN, -1, 1); }, 0x80000000ull},
      {"smod32", [] { return binop(false, kMod, -100, 7, 1); }, 0xfffffffeull},
      {"lsh64_masks", [] { return binop(true, kLsh, 1, 65); }, 2},
      {"lsh32_masks", [] { return binop(false, kLsh, 1, 33); }, 2},
      {"rsh64", [] { return binop(true, kRsh, -1, 60); }, 15},
      {"arsh64", [] { return binop(true, kArsh, -16, 2); }, static_cast<uint64_t>(-4)},
      {"arsh32_zero_extends", [] { return binop(false, kArsh, 0x80000000LL, 4); }, 0xf8000000ull},
      {"xor_or_and", [] {
         auto v = binop(true, kXor, 0xf0, 0xff);
         v.insert(v.end() - 1, alu64_imm(kOr, 0, 0x100));
         v.insert(v.end() - 1, alu64_imm(kAnd, 0, 0x10f));
         return v;
       }, 0x10f},
      {"imm_sign_extends_in_64", [] {
         return std::vector<Insn>{mov64(0, -1), exit_()};
       }, ~0ull},
      {"mov32_imm_zero_extends", [] {
         return std::vector<Insn>{alu32_imm(kMov, 0, -1), exit_()};
       }, 0xffffffffull},
      {"neg64", [] { return std::vector<Insn>{mov64(0, 5), alu64_imm(kNeg, 0, 0), exit_()}; },
       static_cast<uint64_t>(-5)},
      {"neg32", [] { return std::vector<Insn>{mov64(0, 5), alu32_imm(kNeg, 0, 0), exit_()}; }, 0xfffffffbull},
      {"movsx64_8", [] { return std::vector<Insn>{mov64(1, 0x80), alu64_reg(kMov, 0, 1, 8), exit_()}; },
       static_cast<uint64_t>(-128)},
      {"movsx64_16", [] { return std::vector<Insn>{mov64(1, 0x8001), alu64_reg(kMov, 0, 1, 16), exit_()}; },
       static_cast<uint64_t>(-32767)},
      {"movsx64_32", [] {
         std::vector<Insn> v;
         ld_imm64(v, 1, 0x80000000ull);
         v.push_back(alu64_reg(kMov, 0, 1, 32));
         v.push_back(exit_());
         return v;
       }, 0xffffffff80000000ull},
      {"movsx32_8_zero_extends", [] { return std::vector<Insn>{mov64(1, 0xff), alu32_reg(kMov, 0, 1, 8), exit_()}; },
       0xffffffffull},
      {"be16", [] { return std::vector<Insn>{mov64(0, 0x11223344), make(kAlu | kEnd | kX, 0, 0, 0, 16), exit_()}; }, 0x4433},
      {"le16_truncates", [] { return std::vector<Insn>{mov64(0, 0x11223344), make(kAlu | kEnd | kK, 0, 0, 0, 16), exit_()}; }, 0x3344},
      {"be32", [] { return std::vector<Insn>{mov64(0, 0x11223344), make(kAlu | kEnd | kX, 0, 0, 0, 32), exit_()}; }, 0x44332211},
      {"bswap64", [] {
         std::vector<Insn> v;
         ld_imm64(v, 0, 0x0102030405060708ull);
         v.push_back(make(kAlu64 | kEnd | kK, 0, 0, 0, 64));
         v.push_back(exit_());
         return v;
       }, 0x0807060504030201ull},
      {"bswap16_zero_extends", [] { return std::vector<Insn>{mov64(0, -1), make(kAlu64 | kEnd | kK, 0, 0, 0, 16), exit_()}; }, 0xffff},
      {"stack_store_load_sizes", [] {
         std::vector<Insn> v;
         ld_imm64(v, 1, 0x1122334455667788ull);
         v.push_back(stx(kDW, 10, 1, -8));
         v.push_back(ldx(kB, 2, 10, -8));    // 0x88
         v.push_back(ldx(kH, 3, 10, -6));    // 0x5566
         v.push_back(ldx(kW, 4, 10, -4));    // 0x11223344
         v.push_back(mov64r(0, 2));
         v.push_back(alu64_reg(kAdd, 0, 3));
         v.push_back(alu64_reg(kAdd, 0, 4));
         v.push_back(exit_());
         return v;
       }, 0x88 + 0x5566 + 0x11223344},
      {"sign_extending_loads", [] {
         std::vector<Insn> v;
         v.push_back(st(kW, 10, -4, -2));
         v.push_back(ldxsx(kB, 1, 10, -4));  // -2
         v.push_back(ldxsx(kH, 2, 10, -4));  // -2
         v.push_back(ldxsx(kW, 3, 10, -4));  // -2
         v.push_back(mov64r(0, 1));
         v.push_back(alu64_reg(kAdd, 0, 2));
         v.push_back(alu64_reg(kAdd, 0, 3));
         v.push_back(exit_());
         return v;
       }, static_cast<uint64_t>(-6)},
      {"st_dw_sign_extends_imm", [] {
         return std::vector<Insn>{st(kDW, 10, -8, -1), ldx(kDW, 0, 10, -8), exit_()};
       }, ~0ull},
      {"atomics_fetch_and_plain", [] {
         std::vector<Insn> v;
         v.push_back(st(kDW, 10, -8, 10));
         v.push_back(mov64(1, 5));
         v.push_back(atomic(kDW, 10, 1, -8, kAdd));             // 15
         v.push_back(mov64(2, 3));
         v.push_back(atomic(kDW, 10, 2, -8, kAdd | kFetch));    // r2 = 15, mem 18
         v.push_back(mov64(3, 0xff));
         v.push_back(atomic(kDW, 10, 3, -8, kXchg));            // r3 = 18, mem 255
         v.push_back(mov64(0, 255));
         v.push_back(mov64(4, 7));
         v.push_back(atomic(kDW, 10, 4, -8, kCmpXchg));         // matches: mem 7, r0 = 255
         v.push_back(ldx(kDW, 5, 10, -8));                       // 7
         v.push_back(alu64_reg(kAdd, 0, 2));                     // 255 + 15
         v.push_back(alu64_reg(kAdd, 0, 3));                     // + 18
         v.push_back(alu64_reg(kAdd, 0, 5));                     // + 7
         v.push_back(exit_());
         return v;
       }, 255 + 15 + 18 + 7},
      {"atomic32_or_xor_and", [] {
         std::vector<Insn> v;
         v.push_back(st(kW, 10, -4, 0x0f));
         v.push_back(mov64(1, 0xf0));
         v.push_back(atomic(kW, 10, 1, -4, kOr));    // 0xff
         v.push_back(mov64(1, 0x0f));
         v.push_back(atomic(kW, 10, 1, -4, kXor));   // 0xf0
         v.push_back(mov64(1, 0x30));
         v.push_back(atomic(kW, 10, 1, -4, kAnd | kFetch));  // r1 = 0xf0, mem 0x30
         v.push_back(ldx(kW, 0, 10, -4));
         v.push_back(alu64_reg(kAdd, 0, 1));
         v.push_back(exit_());
         return v;
       }, 0x30 + 0xf0},
      {"cmpxchg32_mismatch_leaves_memory", [] {
         std::vector<Insn> v;
         v.push_back(st(kW, 10, -4, 9));
         v.push_back(mov64(0, 1));
         v.push_back(mov64(1, 100));
         v.push_back(atomic(kW, 10, 1, -4, kCmpXchg));  // r0 = 9
         v.push_back(ldx(kW, 2, 10, -4));
         v.push_back(alu64_reg(kMul, 0, 2));             // 81
         v.push_back(exit_());
         return v;
       }, 81},
      {"signed_vs_unsigned_jumps", [] {
         return std::vector<Insn>{
             mov64(1, -1), mov64(0, 0),
             jmp_imm(kJgt, 1, 5, 1), ja(1), alu64_imm(kAdd, 0, 1),     // unsigned: taken
             jmp_imm(kJsgt, 1, 5, 1), ja(1), alu64_imm(kAdd, 0, 10),   // signed: not taken
             jmp_imm(kJslt, 1, 0, 1), ja(1), alu64_imm(kAdd, 0, 100),  // taken
             jmp_imm(kJset, 1, 0x80, 1), ja(1), alu64_imm(kAdd, 0, 1000),
             exit_()};
       }, 1101},
      {"jmp32_compares_low_halves", [] {
         std::vector<Insn> v;
         ld_imm64(v, 1, 0x100000005ull);
         v.push_back(mov64(0, 0));
         v.push_back(jmp32_imm(kJeq, 1, 5, 1));
         v.push_back(exit_());
         v.push_back(mov64(0, 7));
         v.push_back(exit_());
         return v;
       }, 7},
      {"gotol", [] {
         return std::vector<Insn>{mov64(0, 1), make(kJmp32 | kJa, 0, 0, 0, 1), mov64(0, 2), exit_()};
       }, 1},
      {"loop_sums", [] {
         return std::vector<Insn>{mov64(0, 0), mov64(1, 10),
                                  alu64_reg(kAdd, 0, 1), alu64_imm(kSub, 1, 1),
                                  jmp_imm(kJne, 1, 0, -3), exit_()};
       }, 55},
      {"bpf_to_bpf_call_keeps_callee_saved", [] {
         return std::vector<Insn>{
             mov64(6, 100), mov64(1, 7), call_local(2), alu64_reg(kAdd, 0, 6), exit_(),
             // callee: r0 = r1 * 2, clobbers r6, uses its own stack
             mov64(6, 0), st(kDW, 10, -8, 3), ldx(kDW, 2, 10, -8),
             mov64r(0, 1), alu64_reg(kMul, 0, 2), exit_()};
       }, 121},
      {"helper_call_cpu_id", [] {
         return std::vector<Insn>{call_helper(8), jmp_imm(kJlt, 0, static_cast<int32_t>(cpu::kMaxCpus), 1),
                                  mov64(0, -1), exit_()};
       }, 0},  // cpu id varies: checked below separately
  };
  return k;
}

class Semantics : public ::testing::TestWithParam<Case> {};

TEST_P(Semantics, ReturnsExpectedR0) {
  const Case& c = GetParam();
  if (c.name == "helper_call_cpu_id") {
    EXPECT_LT(run_code(c.code()), static_cast<uint64_t>(cpu::nr_cpus()));
    return;
  }
  EXPECT_EQ(run_code(c.code()), c.r0) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Isa, Semantics, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

TEST(Interp, CountsExecutedInstructions) {
  uint64_t insns = 0;
  const std::vector<Insn> code = {mov64(0, 0), mov64(1, 10), alu64_reg(kAdd, 0, 1),
                                  alu64_imm(kSub, 1, 1), jmp_imm(kJne, 1, 0, -3), exit_()};
  EXPECT_EQ(run_code(code, 0, &insns), 55u);
  EXPECT_EQ(insns, 2u + 10u * 3u + 1u);
}

TEST(Interp, ReceivesTheContextInR1) {
  EXPECT_EQ(run_code({mov64r(0, 1), exit_()}, 0xabcdef), 0xabcdefu);
}

// ---- what decoding rejects ------------------------------------------------------

std::string decode_error(const std::vector<Insn>& code) {
  Program p;
  p.name = "bad";
  p.insns = code;
  auto exe = Executable::create(p, {}, {}, Functions::builtin());
  return exe.ok() ? "" : exe.error().message;
}

TEST(Decode, RejectsMalformedCodeNamingTheInstruction) {
  EXPECT_NE(decode_error({}).find("no instructions"), std::string::npos);
  EXPECT_NE(decode_error({mov64(0, 0)}).find("last insn is not an exit or jmp"), std::string::npos);
  EXPECT_NE(decode_error({make(0xff, 0, 0, 0, 0), exit_()}).find("instruction 0 (0xff)"), std::string::npos);
  EXPECT_NE(decode_error({ja(5), exit_()}).find("outside the program"), std::string::npos);
  EXPECT_NE(decode_error({call_helper(99999), exit_()}).find("unknown helper 99999"), std::string::npos);
  EXPECT_EQ(decode_error({call_helper(12), exit_()}), "");  // bpf_tail_call: the interpreter's own
  std::vector<Insn> into_ld;
  into_ld.push_back(ja(1));
  ld_imm64(into_ld, 0, 1);
  into_ld.push_back(exit_());
  EXPECT_NE(decode_error(into_ld).find("middle of a 64-bit load"), std::string::npos);
  EXPECT_NE(decode_error({make(kLd | kImm | kDW, 0, 0, 0, 0), make(0, 1, 0, 0, 0), exit_()}).find("invalid bpf_ld_imm64 insn"), std::string::npos);
  EXPECT_NE(decode_error({alu64_reg(kMov, 0, 1, 7), exit_()}).find("BPF_MOV uses reserved fields"), std::string::npos);
  EXPECT_NE(decode_error({make(kJmp | kCall, 0, kPseudoKfuncCall, 0, 0), exit_()}).find("kfunc index"), std::string::npos);
}

// Every ld_imm64 form: a constant (src 0), a map by fd or index (1, 5), a
// map value by fd or index (2, 6), a subprogram (4); an unresolved kernel
// symbol (3) is an error, since Runtime::load turns __ksym loads into
// constants.
TEST(Decode, EveryLdImm64Form) {
  MapDef def;
  def.name = "arr";
  def.type = static_cast<uint32_t>(MapType::Array);
  def.key_size = 4;
  def.value_size = 16;
  def.max_entries = 1;
  auto map = maps::Map::create(def);
  ASSERT_TRUE(map.ok()) << map.error().message;
  uint64_t words[2] = {0x1111, 0x2222};
  const uint32_t zero = 0;
  ASSERT_EQ((*map)->host_update(&zero, sizeof zero, words, sizeof words, 0), 0);
  auto run_with_map = [&](std::vector<Insn> code) -> uint64_t {
    Program p;
    p.name = "forms";
    p.insns = std::move(code);
    auto exe = Executable::create(p, {map->get()}, {}, Functions::builtin());
    EXPECT_TRUE(exe.ok()) << (exe.ok() ? "" : exe.error().message);
    if (!exe.ok()) return ~0ull;
    RunState rs;
    cpu::CpuGuard g;
    rs.cpu = g.cpu();
    return (*exe)->run(0, rs);
  };
  for (uint8_t src : {kPseudoMapValue, kPseudoMapIdxValue}) {
    SCOPED_TRACE(int{src});
    EXPECT_EQ(run_with_map({make(kLd | kImm | kDW, 1, src, 0, 0), make(0, 0, 0, 0, 8), ldx(kDW, 0, 1, 0), exit_()}),
              0x2222u);
  }
  for (uint8_t src : {kPseudoMapFd, kPseudoMapIdx}) {
    SCOPED_TRACE(int{src});
    // r0 = bpf_map_lookup_elem(map, &zero)[0]
    EXPECT_EQ(run_with_map({st(kW, 10, -4, 0), make(kLd | kImm | kDW, 1, src, 0, 0), make(0, 0, 0, 0, 0),
                            mov64r(2, 10), alu64_imm(kAdd, 2, -4), call_helper(1), jmp_imm(kJeq, 0, 0, 1),
                            ldx(kDW, 0, 0, 0), exit_()}),
              0x1111u);
  }
  EXPECT_EQ(run_with_map({make(kLd | kImm | kDW, 1, kPseudoFunc, 0, 3), make(0, 0, 0, 0, 0), mov64(0, 7),
                          exit_(), mov64(0, 0), exit_()}),
            7u);
  EXPECT_NE(decode_error({make(kLd | kImm | kDW, 1, kPseudoBtfId, 0, 0), make(0, 0, 0, 0, 0), exit_()})
                .find("kernel symbol 0 was not resolved"),
            std::string::npos);
  EXPECT_NE(decode_error({make(kLd | kImm | kDW, 1, 9, 0, 0), make(0, 0, 0, 0, 0), exit_()}).find("unrecognized bpf_ld_imm64 insn"),
            std::string::npos);
}

TEST(Decode, HostKfuncsResolveByName) {
  Program p;
  p.name = "k";
  p.insns = {make(kJmp | kCall, 0, kPseudoKfuncCall, 0, 0), exit_()};
  Functions fns = Functions::builtin();
  auto missing = Executable::create(p, {}, {"host_answer"}, fns);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("unknown kfunc 'host_answer'"), std::string::npos);
  fns.add_kfunc("host_answer", [](RunState&, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) -> uint64_t {
    return 42;
  });
  auto exe = Executable::create(p, {}, {"host_answer"}, fns);
  ASSERT_TRUE(exe.ok());
  RunState rs;
  EXPECT_EQ((*exe)->run(0, rs), 42u);
}

}  // namespace
}  // namespace ringb::vm
