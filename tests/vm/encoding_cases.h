// encoding_cases.h — one row per reserved field of each instruction class,
// per non-opcode encoding and per register rule: the instruction and the
// kernel's message for it ("" when the kernel accepts the encoding).
// tests/vm/encoding_test.cc checks ringb against the rows,
// tests/kernel/encoding_oracle_test.cc the running kernel.
#pragma once

#include <string>
#include <vector>

#include "ringb/insn.h"

namespace ringb::testing {

struct EncodingCase {
  const char* name;
  std::vector<Insn> insns;  // the instruction under test (two for ld_imm64)
  const char* message;      // the kernel's verdict; "" = accepted
  // Where ringb reports it: refused by the decoder, or (register rules,
  // which the kernel checks only where it walks) an error of the run.
  bool at_run = false;
  bool last = false;  // the instruction ends the program (exit, a lone ld_imm64 half)
};

// The program around a case: r0 = 1; r2 = 2; r6 = r1; *(u64 *)(r10 - 8) = r2;
// <insns>; r0 = 0; exit — or, for `last`, r0 = 0; <insns>.
inline std::vector<Insn> encoding_program(const EncodingCase& c) {
  using isa::make;
  std::vector<Insn> p;
  if (c.last) {
    p.push_back(make(0xb7, 0, 0, 0, 0));
    p.insert(p.end(), c.insns.begin(), c.insns.end());
    return p;
  }
  p = {make(0xb7, 0, 0, 0, 1), make(0xb7, 2, 0, 0, 2), make(0xbf, 6, 1, 0, 0), make(0x7b, 10, 2, -8, 0)};
  p.insert(p.end(), c.insns.begin(), c.insns.end());
  p.push_back(make(0xb7, 0, 0, 0, 0));
  p.push_back(make(0x95, 0, 0, 0, 0));
  return p;
}

inline const std::vector<EncodingCase>& encoding_cases() {
  using isa::make;
  constexpr const char* kAlu = "BPF_ALU uses reserved fields";
  constexpr const char* kMov = "BPF_MOV uses reserved fields";
  constexpr const char* kNeg = "BPF_NEG uses reserved fields";
  constexpr const char* kEnd = "BPF_END uses reserved fields";
  constexpr const char* kJa = "BPF_JA uses reserved fields";
  constexpr const char* kJcc = "BPF_JMP/JMP32 uses reserved fields";
  constexpr const char* kExit = "BPF_EXIT uses reserved fields";
  constexpr const char* kCall = "BPF_CALL uses reserved fields";
  constexpr const char* kLdPkt = "BPF_LD_[ABS|IND] uses reserved fields";
  constexpr const char* kLdImm = "invalid bpf_ld_imm64 insn";
  constexpr const char* kLdKind = "unrecognized bpf_ld_imm64 insn";
  constexpr const char* kLdx = "BPF_LDX uses reserved fields";
  constexpr const char* kSize = "invalid atomic operand size";
  constexpr const char* kFp = "frame pointer is read only";
  const Insn slot0 = make(0, 0, 0, 0, 0);
  static const std::vector<EncodingCase> k = {
      // ALU / ALU64: src must be 0 for K, imm 0 for X, off 0 (1 for signed div/mod)
      {"alu64_x_imm", {make(0x0f, 0, 2, 0, 1)}, kAlu},
      {"alu64_x_off", {make(0x0f, 0, 2, 1, 0)}, kAlu},
      {"alu64_k_src", {make(0x07, 0, 2, 0, 1)}, kAlu},
      {"alu64_k_off", {make(0x07, 0, 0, 1, 1)}, kAlu},
      {"alu32_k_src", {make(0x04, 0, 1, 0, 1)}, kAlu},
      {"alu32_x_imm", {make(0x0c, 0, 2, 0, 1)}, kAlu},
      {"sdiv64_x_ok", {make(0x3f, 0, 2, 1, 0)}, ""},
      {"smod32_k_ok", {make(0x94, 0, 0, 1, 3)}, ""},
      {"div64_off2", {make(0x3f, 0, 2, 2, 0)}, kAlu},
      {"div64_off_minus1", {make(0x3f, 0, 2, -1, 0)}, kAlu},
      {"add64_off1", {make(0x0f, 0, 2, 1, 0)}, kAlu},
      {"neg64_imm", {make(0x87, 0, 0, 0, 1)}, kNeg},
      {"neg64_src", {make(0x87, 0, 2, 0, 0)}, kNeg},
      {"neg64_off", {make(0x87, 0, 0, 1, 0)}, kNeg},
      {"neg32_imm", {make(0x84, 0, 0, 0, 5)}, kNeg},
      {"bswap16_ok", {make(0xd7, 0, 0, 0, 16)}, ""},
      {"bswap_src", {make(0xd7, 0, 1, 0, 16)}, kEnd},
      {"bswap_off", {make(0xd7, 0, 0, 1, 16)}, kEnd},
      {"bswap_8_bits", {make(0xd7, 0, 0, 0, 8)}, kEnd},
      {"be_17_bits", {make(0xdc, 0, 0, 0, 17)}, kEnd},
      {"le64_ok", {make(0xd4, 0, 0, 0, 64)}, ""},
      {"mov64_x_imm", {make(0xbf, 0, 2, 0, 1)}, kMov},
      {"movsx64_32_ok", {make(0xbf, 0, 2, 32, 0)}, ""},
      {"movsx64_off7", {make(0xbf, 0, 2, 7, 0)}, kMov},
      {"movsx32_8_ok", {make(0xbc, 0, 2, 8, 0)}, ""},
      {"movsx32_32", {make(0xbc, 0, 2, 32, 0)}, kMov},
      {"mov64_k_off", {make(0xb7, 0, 0, 1, 0)}, kMov},
      {"mov64_k_src", {make(0xb7, 0, 2, 0, 0)}, kMov},
      {"mov32_k_off8", {make(0xb4, 0, 0, 8, 1)}, kMov},
      {"addr_space_cast", {make(0xbf, 0, 2, 1, 1)},
       "addr_space_cast insn can only be used in a program that has an associated arena"},
      // JMP / JMP32
      {"ja_imm", {make(0x05, 0, 0, 0, 1)}, kJa},
      {"ja_dst", {make(0x05, 1, 0, 0, 0)}, kJa},
      {"ja_src", {make(0x05, 0, 1, 0, 0)}, kJa},
      {"gotol_ok", {make(0x06, 0, 0, 0, 0)}, ""},
      {"gotol_off", {make(0x06, 0, 0, 1, 0)}, kJa},
      {"gotol_dst", {make(0x06, 1, 0, 0, 0)}, kJa},
      {"gotol_src", {make(0x06, 0, 1, 0, 0)}, kJa},
      {"jeq64_k_src", {make(0x15, 0, 2, 0, 0)}, kJcc},
      {"jeq64_x_imm", {make(0x1d, 0, 2, 0, 1)}, kJcc},
      {"jeq32_k_src", {make(0x16, 0, 2, 0, 0)}, kJcc},
      {"jeq32_x_imm", {make(0x1e, 0, 2, 0, 1)}, kJcc},
      {"exit_imm", {make(0x95, 0, 0, 0, 1)}, kExit, false, true},
      {"exit_dst", {make(0x95, 1, 0, 0, 0)}, kExit, false, true},
      {"exit_src", {make(0x95, 0, 1, 0, 0)}, kExit, false, true},
      {"exit_off_ok", {make(0x95, 0, 0, 1, 0)}, "", false, true},
      {"call_ok", {make(0x85, 0, 0, 0, 7)}, ""},
      {"call_dst", {make(0x85, 1, 0, 0, 7)}, kCall},
      {"call_off", {make(0x85, 0, 0, 1, 7)}, kCall},
      {"call_src3", {make(0x85, 0, 3, 0, 7)}, kCall},
      {"may_goto_imm", {make(0xe5, 0, 0, 0, 1)}, "invalid may_goto imm 1"},
      {"may_goto_dst", {make(0xe5, 1, 0, 0, 0)}, "invalid may_goto imm 0"},
      // LD: legacy packet loads, ld_imm64 and its second slot
      {"ld_abs_ok", {make(0x20, 0, 0, 0, 0)}, ""},
      {"ld_ind_ok", {make(0x40, 0, 2, 0, 1)}, ""},
      {"ld_abs_dst", {make(0x20, 1, 0, 0, 0)}, kLdPkt},
      {"ld_abs_src", {make(0x20, 0, 1, 0, 0)}, kLdPkt},
      {"ld_abs_off", {make(0x30, 0, 0, 1, 0)}, kLdPkt},
      {"ld_ind_dst", {make(0x40, 1, 2, 0, 0)}, kLdPkt},
      {"ld_ind_off", {make(0x48, 0, 2, 1, 0)}, kLdPkt},
      {"ld_imm64_ok", {make(0x18, 0, 0, 0, 0), make(0, 0, 0, 0, 5)}, ""},
      {"ld_imm64_off", {make(0x18, 0, 0, 1, 0), slot0}, "BPF_LD_IMM64 uses reserved fields"},
      {"ld_imm64_slot_code", {make(0x18, 0, 0, 0, 0), make(1, 0, 0, 0, 0)}, kLdImm},
      {"ld_imm64_slot_dst", {make(0x18, 0, 0, 0, 0), make(0, 1, 0, 0, 0)}, kLdImm},
      {"ld_imm64_slot_src", {make(0x18, 0, 0, 0, 0), make(0, 0, 1, 0, 0)}, kLdImm},
      {"ld_imm64_slot_off", {make(0x18, 0, 0, 0, 0), make(0, 0, 0, 1, 0)}, kLdImm},
      {"ld_imm64_alone", {make(0x18, 0, 0, 0, 0)}, "last insn is not an exit or jmp", false, true},
      {"ld_imm64_kind9", {make(0x18, 0, 9, 0, 0), slot0}, kLdKind},
      {"ld_imm64_map_slot_imm", {make(0x18, 0, 1, 0, 0), make(0, 0, 0, 0, 1)}, kLdKind},
      // LDX: mode MEM or MEMSX, imm 0 — checked before anything else
      {"ldx_ok", {make(0x79, 0, 10, -8, 0)}, ""},
      {"ldx_imm", {make(0x79, 0, 10, -8, 1)}, kLdx},
      {"ldx_mode_imm", {make(0x01, 0, 10, -8, 0)}, kLdx},
      {"ldx_mode_abs", {make(0x21, 0, 10, -8, 0)}, kLdx},
      {"ldx_mode_atomic", {make(0xdb - 0x02, 0, 10, -8, 0)}, kLdx},
      {"ldxsx_dw", {make(0x99, 0, 10, -8, 0)}, "unknown opcode 99"},
      // ST / STX / atomics
      {"st_ok", {make(0x62, 10, 0, -8, 1)}, ""},
      {"st_src", {make(0x62, 10, 1, -8, 1)}, "BPF_ST uses reserved fields"},
      {"stx_imm", {make(0x7b, 10, 2, -8, 1)}, "BPF_STX uses reserved fields"},
      {"atomic_add_ok", {make(0xdb, 10, 2, -8, 0)}, ""},
      {"atomic_op_02", {make(0xdb, 10, 2, -8, 2)}, "BPF_ATOMIC uses invalid atomic opcode 02"},
      {"atomic_op_04", {make(0xdb, 10, 2, -8, 4)}, "BPF_ATOMIC uses invalid atomic opcode 04"},
      {"atomic_xchg_nofetch", {make(0xdb, 10, 2, -8, 0xe0)}, "BPF_ATOMIC uses invalid atomic opcode e0"},
      {"atomic_cmpxchg_nofetch", {make(0xdb, 10, 2, -8, 0xf0)}, "BPF_ATOMIC uses invalid atomic opcode f0"},
      {"atomic_acq_fetch", {make(0xdb, 10, 2, -8, 0x101)}, "BPF_ATOMIC uses invalid atomic opcode 101"},
      {"atomic_rel_fetch", {make(0xdb, 10, 2, -8, 0x111)}, "BPF_ATOMIC uses invalid atomic opcode 111"},
      {"atomic_add_h", {make(0xcb, 10, 2, -8, 1)}, kSize},
      {"atomic_add_b", {make(0xd3, 10, 2, -8, 0)}, kSize},
      {"store_release_b_ok", {make(0xd3, 10, 2, -8, 0x110)}, ""},
      {"load_acquire_ok", {make(0xdb, 3, 10, -8, 0x100)}, ""},
      {"cmpxchg_src_r10_ok", {make(0xdb, 10, 10, -8, 0xf1)}, ""},
      // Encodings that are not opcodes
      {"op_00", {make(0x00, 0, 0, 0, 0)}, "unknown opcode 00"},
      {"op_0d_ja_x", {make(0x0d, 0, 0, 0, 0)}, "unknown opcode 0d"},
      {"op_0e_gotol_x", {make(0x0e, 0, 0, 0, 0)}, "unknown opcode 0e"},
      {"op_8d_call_x", {make(0x8d, 0, 0, 0, 0)}, "unknown opcode 8d"},
      {"op_9d_exit_x", {make(0x9d, 0, 0, 0, 0)}, "unknown opcode 9d"},
      {"op_86_call32", {make(0x86, 0, 0, 0, 0)}, "unknown opcode 86"},
      {"op_96_exit32", {make(0x96, 0, 0, 0, 0)}, "unknown opcode 96"},
      {"op_f5_tail_call", {make(0xf5, 0, 0, 0, 0)}, "unknown opcode f5"},
      {"op_c2_nospec", {make(0xc2, 0, 0, 0, 0)}, "unknown opcode c2"},
      {"op_8f_neg_x", {make(0x8f, 0, 0, 0, 0)}, "unknown opcode 8f"},
      {"op_df_bswap_x", {make(0xdf, 0, 0, 0, 16)}, "unknown opcode df"},
      {"op_e7_alu64", {make(0xe7, 0, 0, 0, 0)}, "unknown opcode e7"},
      {"op_6a_st_h_ok", {make(0x6a, 10, 0, -8, 0)}, ""},
      {"op_82_st_memsx", {make(0x82, 10, 0, -8, 0)}, "unknown opcode 82"},
      {"op_ff", {make(0xff, 0, 0, 0, 0)}, "unknown opcode ff"},
      // Registers: refused by the kernel where it walks; in ringb, errors of the run
      {"mov_to_r10", {make(0xb7, 10, 0, 0, 0)}, kFp, true},
      {"add_to_r10", {make(0x07, 10, 0, 0, 8)}, kFp, true},
      {"ldx_to_r10", {make(0x79, 10, 10, -8, 0)}, kFp, true},
      {"ld_imm64_to_r10", {make(0x18, 10, 0, 0, 0), slot0}, kFp, true},
      {"fetch_add_into_r10", {make(0xdb, 10, 10, -8, 1)}, kFp, true},
      {"load_acquire_into_r10", {make(0xdb, 10, 2, -8, 0x100)}, kFp, true},
      {"mov_to_r11", {make(0xbf, 11, 2, 0, 0)}, "R11 is invalid", true},
      {"mov_from_r11", {make(0xbf, 0, 11, 0, 0)}, "R11 is invalid", true},
      {"ldx_from_r15", {make(0x79, 0, 15, 0, 0)}, "R15 is invalid", true},
  };
  return k;
}

}  // namespace ringb::testing
