// stack_depth.h — how many bytes below r10 each function of a program uses,
// so that a run's frames can be packed (docs/vm.md, "Frames").
//
// Without a verifier the bound must be conservative: a function that only
// addresses its stack as r10 + constant gets exactly what it touches; one
// whose r10 escapes (copied to another register, stored, compared) may
// reach anywhere in its frame and gets the full kStackSize.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "ringb/insn.h"

namespace ringb::vm {

// `starts`: sorted first instructions of the functions (starts[0] == 0);
// `second_half[i]`: insn i is the second slot of an ld_imm64. Depths are
// rounded up to 16 bytes and never exceed kStackSize.
std::vector<uint32_t> stack_depths(const std::vector<Insn>& insns, const std::vector<size_t>& starts,
                                   const std::vector<bool>& second_half);

}  // namespace ringb::vm
