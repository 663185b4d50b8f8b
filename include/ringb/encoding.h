// ringb/encoding.h — the kernel's rules for one instruction's encoding: which
// opcodes exist and which fields must be zero, with the kernel's own
// messages ("unknown opcode 8d", "BPF_ALU uses reserved fields", …).
//
// Two groups, as in the kernel:
//   prewalk_error  what bpf_check refuses before its verifier walks the code
//                  (the LDX mode/imm check, ld_imm64's second slot and kind,
//                  the opcode table) — anywhere in the program;
//   field_error    the reserved fields each check_* function refuses when the
//                  walk reaches the instruction. the vm decodes without a walk and refuses
//                  them everywhere (clang never emits them, dead or not).
//   register_error bad registers and writes to r10, which the kernel refuses
//                  only in reachable code: the decoder turns them into a trap
//                  that fails the run if execution gets there.
#pragma once

#include <cstddef>
#include <string>

#include "ringb/insn.h"

namespace ringb::encoding {

// bpf_opcode_in_insntable for the running kernel (6.18), plus ld_imm64.
bool opcode_known(uint8_t code);

// "" when fine, else the kernel's message. `i` is not a second ld_imm64 slot.
std::string prewalk_error(const Insn* insns, size_t n, size_t i);
std::string field_error(const Insn& in);

// nullptr, or a static message ("R11 is invalid", "frame pointer is read only").
const char* register_error(const Insn& in);

}  // namespace ringb::encoding
