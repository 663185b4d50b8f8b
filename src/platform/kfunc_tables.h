// kfunc_tables.h — parts of the built-in kfunc table kept in their own files,
// joined by kfunc_table.cc's make_table().
#pragma once

#include <vector>

#include "ringb/kfuncs.h"

namespace ringb::kfuncs {

// Open-coded iterators: bpf_iter_num_*, bpf_iter_bits_* (kfunc_table_iter.cc).
std::vector<Proto> iter_protos();

}  // namespace ringb::kfuncs
