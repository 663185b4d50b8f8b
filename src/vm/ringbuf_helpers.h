// ringbuf_helpers.h — the ring buffer and dynptr helpers (ringbuf_helpers.cc)
// and the dynptr kfuncs' bodies (dynptr_kfuncs.cc), for helpers.cc's tables.
#pragma once

#include <map>
#include <string>

#include "ringb/vm.h"

namespace ringb::vm {

// bpf_ringbuf_*, bpf_user_ringbuf_drain, bpf_dynptr_from_mem/read/write/data.
void add_ringbuf_helpers(Functions& f);
const std::map<std::string, Function>& dynptr_kfuncs();

}  // namespace ringb::vm
