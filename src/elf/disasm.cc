// disasm.cc — one instruction as text, in the kernel verifier log's syntax.
#include "ringb/disasm.h"

#include <cstdarg>
#include <cstdio>

namespace ringb {
namespace {

using namespace isa;

const char* const kAluOps[16] = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=",
                                 "neg", "%=", "^=", "=", "s>>=", "endian", "?", "?"};
const char* const kJmpOps[16] = {"goto", "==", ">", ">=", "&", "!=", "s>", "s>=",
                                 "call", "exit", "<", "<=", "s<", "s<=", "?", "?"};

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
  char buf[160];
  va_list ap;
  va_start(ap, f);
  vsnprintf(buf, sizeof(buf), f, ap);
  va_end(ap);
  return buf;
}

const char* size_name(uint8_t code) {
  switch (size(code)) {
    case kB: return "u8";
    case kH: return "u16";
    case kW: return "u32";
    default: return "u64";
  }
}

const char* ssize_name(uint8_t code) {
  switch (size(code)) {
    case kB: return "s8";
    case kH: return "s16";
    default: return "s32";
  }
}

std::string alu(const Insn& i) {
  const bool is64 = cls(i.code) == kAlu64;
  const char r = is64 ? 'r' : 'w';
  const uint8_t o = op(i.code);
  if (o == kNeg) return fmt("%c%d = -%c%d", r, i.dst, r, i.dst);
  if (o == kEnd) {
    if (is64) return fmt("r%d = bswap%d r%d", i.dst, i.imm, i.dst);
    return fmt("r%d = %s%d r%d", i.dst, src_bit(i.code) ? "be" : "le", i.imm, i.dst);
  }
  const bool signed_op = i.off != 0 && (o == kDiv || o == kMod);
  const char* name = signed_op ? (o == kDiv ? "s/=" : "s%=") : kAluOps[o >> 4];
  if (o == kMov && i.off != 0 && src_bit(i.code) == kX)  // movsx
    return fmt("%c%d = (s%d)%c%d", r, i.dst, i.off, r, i.src);
  if (src_bit(i.code) == kX) return fmt("%c%d %s %c%d", r, i.dst, name, r, i.src);
  return fmt("%c%d %s %d", r, i.dst, name, i.imm);
}

std::string jmp(const Insn& i, const std::vector<std::string>* kfuncs) {
  const uint8_t o = op(i.code);
  const char r = cls(i.code) == kJmp32 ? 'w' : 'r';
  if (o == kExit) return "exit";
  if (o == kCall) {
    if (i.src == kPseudoCall) return fmt("call pc%+d", i.imm);
    if (i.src == kPseudoKfuncCall) {
      if (kfuncs && i.imm >= 0 && static_cast<size_t>(i.imm) < kfuncs->size())
        return "call " + (*kfuncs)[i.imm] + "#kfunc";
      return fmt("call kfunc#%d", i.imm);
    }
    const char* n = helper_name(i.imm);
    return *n ? fmt("call %s#%d", n, i.imm) : fmt("call unknown#%d", i.imm);
  }
  if (o == 0xe0) return fmt("may_goto pc%+d", i.off);  // BPF_JCOND, as the kernel prints it
  if (o == kJa) {
    if (cls(i.code) == kJmp32) return fmt("gotol pc%+d", i.imm);
    return fmt("goto pc%+d", i.off);
  }
  if (src_bit(i.code) == kX)
    return fmt("if %c%d %s %c%d goto pc%+d", r, i.dst, kJmpOps[o >> 4], r, i.src, i.off);
  return fmt("if %c%d %s 0x%x goto pc%+d", r, i.dst, kJmpOps[o >> 4], i.imm, i.off);
}

std::string atomic(const Insn& i) {
  const bool is64 = size(i.code) == kDW;
  const char r = is64 ? 'r' : 'w';
  const char* sz = size_name(i.code);
  const bool fetch = i.imm & kFetch;
  if (i.imm == kXchg) return fmt("%c%d = atomic%s_xchg((%s *)(r%d %+d), %c%d)", r, i.src, is64 ? "64" : "", sz, i.dst, i.off, r, i.src);
  if (i.imm == kCmpXchg) return fmt("r0 = atomic%s_cmpxchg((%s *)(r%d %+d), r0, %c%d)", is64 ? "64" : "", sz, i.dst, i.off, r, i.src);
  const char* name = "?";
  switch (i.imm & ~kFetch) {
    case kAdd: name = fetch ? "fetch_add" : "+="; break;
    case kAnd: name = fetch ? "fetch_and" : "&="; break;
    case kOr: name = fetch ? "fetch_or" : "|="; break;
    case kXor: name = fetch ? "fetch_xor" : "^="; break;
  }
  if (fetch) return fmt("%c%d = atomic%s_%s((%s *)(r%d %+d), %c%d)", r, i.src, is64 ? "64" : "", name, sz, i.dst, i.off, r, i.src);
  return fmt("lock *(%s *)(r%d %+d) %s %c%d", sz, i.dst, i.off, name, r, i.src);
}

}  // namespace

std::string disasm(const Insn* p, const std::vector<std::string>* kfuncs) {
  const Insn& i = p[0];
  switch (cls(i.code)) {
    case kAlu:
    case kAlu64:
      return alu(i);
    case kJmp:
    case kJmp32:
      return jmp(i, kfuncs);
    case kLdx:
      if (mode(i.code) == kMemSx)
        return fmt("r%d = *(%s *)(r%d %+d)", i.dst, ssize_name(i.code), i.src, i.off);
      return fmt("r%d = *(%s *)(r%d %+d)", i.dst, size_name(i.code), i.src, i.off);
    case kSt:
      return fmt("*(%s *)(r%d %+d) = %d", size_name(i.code), i.dst, i.off, i.imm);
    case kStx:
      if (mode(i.code) == kAtomic) return atomic(i);
      return fmt("*(%s *)(r%d %+d) = r%d", size_name(i.code), i.dst, i.off, i.src);
    case kLd:
      if (is_ld_imm64(i)) {
        const uint64_t v = static_cast<uint32_t>(i.imm) | (static_cast<uint64_t>(static_cast<uint32_t>(p[1].imm)) << 32);
        switch (i.src) {
          case kPseudoMapFd:
          case kPseudoMapIdx: return fmt("r%d = map[%d] ll", i.dst, i.imm);
          case kPseudoMapValue:
          case kPseudoMapIdxValue: return fmt("r%d = map[%d] value %+d ll", i.dst, i.imm, p[1].imm);
          case kPseudoFunc: return fmt("r%d = func pc%+d ll", i.dst, i.imm);
          case kPseudoBtfId: return fmt("r%d = ksym[%d] ll", i.dst, i.imm);
          default: return fmt("r%d = 0x%llx ll", i.dst, static_cast<unsigned long long>(v));
        }
      }
      if (mode(i.code) == kAbs) return fmt("r0 = *(%s *)skb[%d]", size_name(i.code), i.imm);
      if (mode(i.code) == kInd) return fmt("r0 = *(%s *)skb[r%d + %d]", size_name(i.code), i.src, i.imm);
      break;
  }
  return fmt("(%02x) invalid instruction", i.code);
}

}  // namespace ringb
