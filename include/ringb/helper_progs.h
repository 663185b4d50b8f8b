// ringb/helper_progs.h — which program types may call which helper, as data
// (the kernel's get_func_proto of each type, Linux 6.18): the vm refuses a
// call at load with the kernel's message, and the verifier will read the
// same table.
#pragma once

#include <string>

#include "ringb/object.h"

namespace ringb::platform {

// Whether the kernel gives `type` programs helper `id`. Program types the
// table does not describe (tracing, lsm, struct_ops: their protos depend on
// the attach target) and helpers it does not list (a host's own) are allowed.
bool helper_allowed(ProgType type, int id);

// Whether the table describes `type` at all.
bool helper_table_covers(ProgType type);

// The helper ids the table lists.
const int* helper_table_ids(size_t* count);

}  // namespace ringb::platform
