// ringb/disasm.h — instructions as the kernel's verifier log prints them
// ("r1 = *(u32 *)(r2 +4)", "if r1 > 0x10 goto pc+3", "call bpf_loop#181").
#pragma once

#include <string>
#include <vector>

#include "ringb/insn.h"

namespace ringb {



// One instruction (two for ld_imm64: pass both). `kfuncs` names kfunc calls.
std::string disasm(const Insn* insn, const std::vector<std::string>* kfuncs = nullptr);

// The name of helper `id` (bpf_map_lookup_elem for 1, …), or "" if unknown.
const char* helper_name(int id);

}  // namespace ringb
