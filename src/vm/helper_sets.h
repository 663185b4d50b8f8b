// helper_sets.h — groups of built-in helpers by theme, each registered into
// the table by Functions::builtin() with one line.
#pragma once

#include "ringb/vm.h"

namespace ringb::vm {

void add_skb_helpers(Functions& f);     // skb_helpers.cc: packet bytes, checksums, head/tail, mtu
void add_xdp_helpers(Functions& f);     // xdp_helpers.cc: adjust_head/tail/meta
void add_trace_helpers(Functions& f);   // trace_helpers.cc: probe reads, stacks
void add_string_helpers(Functions& f);  // string_helpers.cc: strtol, strtoul

}  // namespace ringb::vm
