// asm.h — a tiny assembler for hand-written test programs.
#pragma once

#include <vector>

#include "ringb/insn.h"

namespace ringb::testing::as {

using namespace ringb::isa;

inline Insn alu64_imm(uint8_t o, uint8_t dst, int32_t imm, int16_t off = 0) { return make(kAlu64 | o | kK, dst, 0, off, imm); }
inline Insn alu64_reg(uint8_t o, uint8_t dst, uint8_t src, int16_t off = 0) { return make(kAlu64 | o | kX, dst, src, off, 0); }
inline Insn alu32_imm(uint8_t o, uint8_t dst, int32_t imm, int16_t off = 0) { return make(kAlu | o | kK, dst, 0, off, imm); }
inline Insn alu32_reg(uint8_t o, uint8_t dst, uint8_t src, int16_t off = 0) { return make(kAlu | o | kX, dst, src, off, 0); }
inline Insn mov64(uint8_t dst, int32_t imm) { return alu64_imm(kMov, dst, imm); }
inline Insn mov64r(uint8_t dst, uint8_t src) { return alu64_reg(kMov, dst, src); }
inline Insn jmp_imm(uint8_t o, uint8_t dst, int32_t imm, int16_t off) { return make(kJmp | o | kK, dst, 0, off, imm); }
inline Insn jmp_reg(uint8_t o, uint8_t dst, uint8_t src, int16_t off) { return make(kJmp | o | kX, dst, src, off, 0); }
inline Insn jmp32_imm(uint8_t o, uint8_t dst, int32_t imm, int16_t off) { return make(kJmp32 | o | kK, dst, 0, off, imm); }
inline Insn ja(int16_t off) { return make(kJmp | kJa, 0, 0, off, 0); }
inline Insn exit_() { return make(kJmp | kExit, 0, 0, 0, 0); }
inline Insn call_helper(int32_t id) { return make(kJmp | kCall, 0, 0, 0, id); }
inline Insn call_local(int32_t rel) { return make(kJmp | kCall, 0, kPseudoCall, 0, rel); }
inline Insn ldx(uint8_t sz, uint8_t dst, uint8_t src, int16_t off) { return make(kLdx | kMem | sz, dst, src, off, 0); }
inline Insn ldxsx(uint8_t sz, uint8_t dst, uint8_t src, int16_t off) { return make(kLdx | kMemSx | sz, dst, src, off, 0); }
inline Insn stx(uint8_t sz, uint8_t dst, uint8_t src, int16_t off) { return make(kStx | kMem | sz, dst, src, off, 0); }
inline Insn st(uint8_t sz, uint8_t dst, int16_t off, int32_t imm) { return make(kSt | kMem | sz, dst, 0, off, imm); }
inline Insn atomic(uint8_t sz, uint8_t dst, uint8_t src, int16_t off, int32_t aop) { return make(kStx | kAtomic | sz, dst, src, off, aop); }
// Two instructions.
inline void ld_imm64(std::vector<Insn>& v, uint8_t dst, uint64_t imm) {
  v.push_back(make(kLd | kImm | kDW, dst, 0, 0, static_cast<int32_t>(imm)));
  v.push_back(make(0, 0, 0, 0, static_cast<int32_t>(imm >> 32)));
}

}  // namespace ringb::testing::as
