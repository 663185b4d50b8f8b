// kfunc_binding.h — binding a kfunc call at load, as the kernel's
// fixup_kfunc_call does after its verifier: the program's declaration is
// checked against the prototype, and the Implicit arguments get their values
// — bpf_obj_new_impl's struct meta (from the constant type id the program
// loads into r1), the push/add kfuncs' node meta and offset (from the
// object's graph roots) — so that no call looks anything up.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "provenance.h"
#include "ringb/error.h"
#include "ringb/object.h"
#include "ringb/vm.h"

namespace ringb::vm {

// Instructions a jump, call or callback reference lands on (where a value
// known from the instructions before may not hold).
std::vector<bool> find_jump_targets(const std::vector<Insn>& insns, const std::vector<bool>& second_half,
                                    const std::vector<size_t>& function_starts);

// The bound call for the kfunc call whose r1/r2 the pointer analysis found
// to be `args` (null: nothing known), nullptr when the kfunc has nothing implicit, or an error
// (a declaration that does not match, a type id that is not a struct, node
// offsets ringb cannot tell without the verifier).
// `insn` is the call's index (for Bindings::verified_inserts).
Expected<std::unique_ptr<BoundCall>> bind_kfunc_call(size_t insn, const CallSiteArgs* args, const std::string& name,
                                                     const Functions::Kfunc& k, const Bindings& bindings);

}  // namespace ringb::vm
