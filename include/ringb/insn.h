// ringb/insn.h — the eBPF instruction set (RFC 9669, with the v4 additions),
// spelled out here so that ringb does not depend on the age of the system's
// <linux/bpf.h>.
#pragma once

#include <cstdint>

namespace ringb {

// struct bpf_insn
struct Insn {
  uint8_t code;
  uint8_t dst : 4;
  uint8_t src : 4;
  int16_t off;
  int32_t imm;
};
static_assert(sizeof(Insn) == 8, "struct bpf_insn is 8 bytes");

namespace isa {

// Instruction classes (code & 0x07).
inline constexpr uint8_t kLd = 0x00, kLdx = 0x01, kSt = 0x02, kStx = 0x03, kAlu = 0x04,
                         kJmp = 0x05, kJmp32 = 0x06, kAlu64 = 0x07;
inline constexpr uint8_t cls(uint8_t code) { return code & 0x07; }

// ALU/JMP: source (code & 0x08) and operation (code & 0xf0).
inline constexpr uint8_t kK = 0x00, kX = 0x08;
inline constexpr uint8_t kAdd = 0x00, kSub = 0x10, kMul = 0x20, kDiv = 0x30, kOr = 0x40,
                         kAnd = 0x50, kLsh = 0x60, kRsh = 0x70, kNeg = 0x80, kMod = 0x90,
                         kXor = 0xa0, kMov = 0xb0, kArsh = 0xc0, kEnd = 0xd0;
inline constexpr uint8_t kJa = 0x00, kJeq = 0x10, kJgt = 0x20, kJge = 0x30, kJset = 0x40,
                         kJne = 0x50, kJsgt = 0x60, kJsge = 0x70, kCall = 0x80, kExit = 0x90,
                         kJlt = 0xa0, kJle = 0xb0, kJslt = 0xc0, kJsle = 0xd0;
inline constexpr uint8_t op(uint8_t code) { return code & 0xf0; }
inline constexpr uint8_t src_bit(uint8_t code) { return code & 0x08; }

// Loads and stores: size (code & 0x18) and mode (code & 0xe0).
inline constexpr uint8_t kW = 0x00, kH = 0x08, kB = 0x10, kDW = 0x18;
inline constexpr uint8_t kImm = 0x00, kAbs = 0x20, kInd = 0x40, kMem = 0x60, kMemSx = 0x80,
                         kAtomic = 0xc0;
inline constexpr uint8_t size(uint8_t code) { return code & 0x18; }
inline constexpr uint8_t mode(uint8_t code) { return code & 0xe0; }
inline constexpr int size_bytes(uint8_t code) {
  return size(code) == kW ? 4 : size(code) == kH ? 2 : size(code) == kB ? 1 : 8;
}

// Atomic operations (imm of a kStx | kAtomic instruction).
inline constexpr int32_t kFetch = 0x01;
inline constexpr int32_t kXchg = 0xe0 | kFetch, kCmpXchg = 0xf0 | kFetch;

// src of special instructions.
inline constexpr uint8_t kPseudoMapFd = 1;      // ld_imm64: imm = map index
inline constexpr uint8_t kPseudoMapValue = 2;   // ld_imm64: map index + offset in insn[1].imm
inline constexpr uint8_t kPseudoBtfId = 3;      // ld_imm64: a kernel symbol (ksym)
inline constexpr uint8_t kPseudoFunc = 4;       // ld_imm64: address of a subprogram
inline constexpr uint8_t kPseudoMapIdx = 5;
inline constexpr uint8_t kPseudoMapIdxValue = 6;
inline constexpr uint8_t kPseudoCall = 1;       // call: bpf-to-bpf, imm = pc-relative
inline constexpr uint8_t kPseudoKfuncCall = 2;  // call: kfunc, imm = kfunc index

inline constexpr Insn make(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  return Insn{code, dst, src, off, imm};
}
inline constexpr bool is_ld_imm64(const Insn& i) { return i.code == (kLd | kImm | kDW); }
// An ld_imm64 naming a map: its pointer (by fd or fd_array index) or, with a
// value offset, the address in its value.
inline constexpr bool is_map_ptr_load(const Insn& i) {
  return is_ld_imm64(i) && (i.src == kPseudoMapFd || i.src == kPseudoMapIdx);
}
inline constexpr bool is_map_load(const Insn& i) {
  return is_map_ptr_load(i) || (is_ld_imm64(i) && (i.src == kPseudoMapValue || i.src == kPseudoMapIdxValue));
}
inline constexpr bool is_call(const Insn& i) { return i.code == (kJmp | kCall); }
inline constexpr bool is_exit(const Insn& i) { return i.code == (kJmp | kExit); }

}  // namespace isa
}  // namespace ringb
