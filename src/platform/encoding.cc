// encoding.cc — the kernel's encoding rules (see encoding.h). Written from
// the kernel's behaviour (kernel/bpf/verifier.c and core.c as reference,
// checked against the running kernel by tests/kernel/encoding_oracle_test.cc).
#include "ringb/encoding.h"

#include <array>
#include <cstdio>

namespace ringb::encoding {
namespace {

using namespace isa;

constexpr uint8_t kJcond = 0xe0;  // may_goto
constexpr int32_t kLoadAcq = 0x100, kStoreRel = 0x110;

constexpr bool alu_op_known(uint8_t code) {
  const uint8_t o = op(code);
  const bool is64 = cls(code) == kAlu64;
  const bool reg = src_bit(code) == kX;
  if (o == kNeg) return !reg;
  if (o == kEnd) return !is64 || !reg;  // ALU64 has only the unconditional bswap
  return o <= kEnd;                     // 0xe0, 0xf0: none
}

constexpr bool jmp_op_known(uint8_t code) {
  const uint8_t o = op(code);
  const bool is64 = cls(code) == kJmp;
  const bool reg = src_bit(code) == kX;
  if (o == kJa) return !reg;  // JMP|JA: ja, JMP32|JA: gotol
  if (o == kCall || o == kExit || o == kJcond) return is64 && !reg;
  return o != 0xf0;
}

constexpr std::array<bool, 256> make_table() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const auto code = static_cast<uint8_t>(c);
    switch (cls(code)) {
      case kAlu:
      case kAlu64: t[c] = alu_op_known(code); break;
      case kJmp:
      case kJmp32: t[c] = jmp_op_known(code); break;
      case kLd:
        t[c] = code == (kLd | kImm | kDW) ||
               ((mode(code) == kAbs || mode(code) == kInd) && size(code) != kDW);
        break;
      case kLdx: t[c] = mode(code) == kMem || (mode(code) == kMemSx && size(code) != kDW); break;
      case kSt: t[c] = mode(code) == kMem; break;
      default: t[c] = mode(code) == kMem || mode(code) == kAtomic; break;  // kStx
    }
  }
  return t;
}
constexpr std::array<bool, 256> kTable = make_table();

std::string hex2(unsigned v) {
  char b[16];
  std::snprintf(b, sizeof b, "%02x", v);
  return b;
}

std::string alu_error(const Insn& in) {
  const uint8_t o = op(in.code);
  const bool is64 = cls(in.code) == kAlu64;
  const bool reg = src_bit(in.code) == kX;
  if (o == kNeg)
    return in.src || in.off || in.imm ? "BPF_NEG uses reserved fields" : "";
  if (o == kEnd)
    return in.src || in.off || (in.imm != 16 && in.imm != 32 && in.imm != 64)
               ? "BPF_END uses reserved fields"
               : "";
  if (o == kMov) {
    if (!reg) return in.src || in.off ? "BPF_MOV uses reserved fields" : "";
    if (is64 && in.off == 1) {  // addr_space_cast
      if (in.imm != 1 && in.imm != 1 << 16)
        return "addr_space_cast insn can only convert between address space 1 and 0";
      return "addr_space_cast insn can only be used in a program that has an associated arena";
    }
    const bool off_ok = in.off == 0 || in.off == 8 || in.off == 16 || (is64 && in.off == 32);
    return !off_ok || in.imm ? "BPF_MOV uses reserved fields" : "";
  }
  // off 1 selects the signed forms of div and mod; nothing else has an off.
  const bool off_bad = (in.off != 0 && in.off != 1) || (in.off == 1 && o != kDiv && o != kMod);
  // Not here: "div by zero" and "invalid shift" for immediates. The kernel
  // refuses them only where its walk arrives, like register rules, and they
  // have defined results (x / 0 = 0, counts masked), so ringb runs them.
  return off_bad || (reg ? in.imm != 0 : in.src != 0) ? "BPF_ALU uses reserved fields" : "";
}

std::string jmp_error(const Insn& in) {
  const uint8_t o = op(in.code);
  const bool is64 = cls(in.code) == kJmp;
  if (o == kJa)  // ja: target in off; gotol: in imm
    return in.src || in.dst || (is64 ? in.imm != 0 : in.off != 0) ? "BPF_JA uses reserved fields" : "";
  if (o == kCall) {
    const bool src_ok = in.src == 0 || in.src == kPseudoCall || in.src == kPseudoKfuncCall;
    // a kfunc's off names the BTF it comes from (0: vmlinux)
    return !src_ok || (in.off && in.src != kPseudoKfuncCall) || in.dst ? "BPF_CALL uses reserved fields" : "";
  }
  if (o == kExit) return in.src || in.dst || in.imm ? "BPF_EXIT uses reserved fields" : "";
  if (o == kJcond)
    return in.src || in.dst || in.imm ? "invalid may_goto imm " + std::to_string(in.imm) : "";
  const bool reg = src_bit(in.code) == kX;
  return (reg ? in.imm != 0 : in.src != 0) ? "BPF_JMP/JMP32 uses reserved fields" : "";
}

std::string atomic_error(const Insn& in) {
  switch (in.imm) {
    case kAdd: case kAnd: case kOr: case kXor:
    case kAdd | kFetch: case kAnd | kFetch: case kOr | kFetch: case kXor | kFetch:
    case kXchg: case kCmpXchg:
      return size(in.code) == kW || size(in.code) == kDW ? "" : "invalid atomic operand size";
    case kLoadAcq:
    case kStoreRel:
      return "";
    default:
      return "BPF_ATOMIC uses invalid atomic opcode " + hex2(static_cast<uint32_t>(in.imm));
  }
}

}  // namespace

bool opcode_known(uint8_t code) { return kTable[code]; }

std::string prewalk_error(const Insn* insns, size_t n, size_t i) {
  const Insn& in = insns[i];
  if (cls(in.code) == kLdx && ((mode(in.code) != kMem && mode(in.code) != kMemSx) || in.imm != 0))
    return "BPF_LDX uses reserved fields";
  if (is_ld_imm64(in)) {
    if (i + 1 >= n) return "invalid bpf_ld_imm64 insn";
    const Insn& next = insns[i + 1];
    if (next.code || next.dst || next.src || next.off) return "invalid bpf_ld_imm64 insn";
    switch (in.src) {
      case 0: case kPseudoBtfId: case kPseudoFunc: case kPseudoMapValue: case kPseudoMapIdxValue:
        return "";
      case kPseudoMapFd:
      case kPseudoMapIdx:
        return next.imm == 0 ? "" : "unrecognized bpf_ld_imm64 insn";
      default:
        return "unrecognized bpf_ld_imm64 insn";
    }
  }
  if (!opcode_known(in.code)) return "unknown opcode " + hex2(in.code);
  return "";
}

std::string field_error(const Insn& in) {
  switch (cls(in.code)) {
    case kAlu:
    case kAlu64: return alu_error(in);
    case kJmp:
    case kJmp32: return jmp_error(in);
    case kLd:
      if (is_ld_imm64(in)) return in.off ? "BPF_LD_IMM64 uses reserved fields" : "";
      return in.dst || in.off || (mode(in.code) == kAbs && in.src) ? "BPF_LD_[ABS|IND] uses reserved fields" : "";
    case kLdx: return "";  // all in prewalk_error
    case kSt: return in.src ? "BPF_ST uses reserved fields" : "";
    default:  // kStx
      if (mode(in.code) == kAtomic) return atomic_error(in);
      return in.imm ? "BPF_STX uses reserved fields" : "";
  }
}

const char* register_error(const Insn& in) {
  static const char* const kInvalid[] = {"R11 is invalid", "R12 is invalid", "R13 is invalid",
                                         "R14 is invalid", "R15 is invalid"};
  static const char kFp[] = "frame pointer is read only";
  bool uses_dst = true, uses_src = false, writes_dst = false, writes_src = false;
  switch (cls(in.code)) {
    case kAlu:
    case kAlu64:
      uses_src = src_bit(in.code) == kX && op(in.code) != kEnd;
      writes_dst = true;
      break;
    case kJmp:
    case kJmp32:
      if (op(in.code) == kJa || op(in.code) == kCall || op(in.code) == kExit || op(in.code) == kJcond)
        return nullptr;
      uses_src = src_bit(in.code) == kX;
      break;
    case kLd:
      if (is_ld_imm64(in)) {
        writes_dst = true;
      } else {
        uses_dst = false;
        uses_src = mode(in.code) == kInd;
      }
      break;
    case kLdx: uses_src = writes_dst = true; break;
    case kSt: break;
    default:  // kStx
      uses_src = true;
      if (mode(in.code) == kAtomic) {
        if (in.imm == kLoadAcq) writes_dst = true;
        else if ((in.imm & kFetch) && in.imm != kCmpXchg) writes_src = true;
      }
      break;
  }
  if (uses_dst && in.dst > 10) return kInvalid[in.dst - 11];
  if (uses_src && in.src > 10) return kInvalid[in.src - 11];
  if ((writes_dst && in.dst == 10) || (writes_src && in.src == 10)) return kFp;
  return nullptr;
}

}  // namespace ringb::encoding
