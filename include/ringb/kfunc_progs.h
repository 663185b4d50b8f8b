// ringb/kfunc_progs.h — which program types may call which kfunc, as data
// (the kernel's kfunc id sets per program type, Linux 6.18): the vm refuses
// such a call at load and the verifier says what the kernel says ("calling
// kernel function bpf_obj_new_impl is not allowed").
#pragma once

#include <cstddef>
#include <string_view>

#include "ringb/object.h"

namespace ringb::platform {

// Whether the kernel lets `type` programs call kfunc `name` (the names
// without `_impl` that Linux 7.1 added count as their `_impl` forms).
// Program types the table does not describe (tracing, lsm, struct_ops) and
// kfuncs it does not list (a host's own) are allowed.
bool kfunc_allowed(ProgType type, std::string_view name);

// The kfunc names the table lists.
const char* const* kfunc_table_names(size_t* count);

}  // namespace ringb::platform
