// object_kfuncs.h — the built-in kfuncs' bodies by name (object model, RCU,
// resilient locks; bpf_cpumask in cpumask_kfuncs.cc) and the helpers that
// serve objects (bpf_per_cpu_ptr, bpf_this_cpu_ptr, bpf_kptr_xchg).
#pragma once

#include <map>
#include <string>

#include "ringb/vm.h"

namespace ringb::vm {

const std::map<std::string, Function>& object_kfuncs();
const std::map<std::string, Function>& cpumask_kfuncs();

uint64_t per_cpu_ptr_helper(RunState&, uint64_t p, uint64_t cpu, uint64_t, uint64_t, uint64_t);
uint64_t this_cpu_ptr_helper(RunState&, uint64_t p, uint64_t, uint64_t, uint64_t, uint64_t);
uint64_t kptr_xchg_helper(RunState&, uint64_t field, uint64_t p, uint64_t, uint64_t, uint64_t);

}  // namespace ringb::vm
