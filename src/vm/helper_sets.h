// helper_sets.h — groups of built-in helpers by theme, each registered into
// the table by Functions::builtin() with one line.
#pragma once

#include <map>
#include <string>

#include "ringb/vm.h"

namespace ringb::vm {

void add_hash_helpers(Functions& f);    // hash_helpers.cc: the skb flow hash (get_hash_recalc, set_hash[_invalid])
void add_skb_helpers(Functions& f);     // skb_helpers.cc: packet bytes, checksums, head/tail, mtu
void add_xdp_helpers(Functions& f);     // xdp_helpers.cc: adjust_head/tail/meta
void add_trace_helpers(Functions& f);   // trace_helpers.cc: probe reads, stacks
void add_string_helpers(Functions& f);  // string_helpers.cc: strtol, strtoul
void add_task_helpers(Functions& f);    // task_kfuncs.cc: bpf_get_current_task(_btf)
// task_kfuncs.cc: bpf_task_* and bpf_cgroup_* kfunc bodies
const std::map<std::string, Function>& task_kfuncs();
void add_storage_helpers(Functions& f); // storage_helpers.cc: sk/task/cgroup local storage
void add_sock_helpers(Functions& f);    // sock_helpers.cc: socket lookups over the host's table, cookies
void add_sockmap_helpers(Functions& f); // sockmap_helpers.cc: sockmap/sockhash redirects and sock_ops updates
void add_msg_helpers(Functions& f);     // msg_helpers.cc: sk_msg apply/cork bytes, pull/push/pop data
void add_redirect_helpers(Functions& f); // redirect_helpers.cc: bpf_redirect, bpf_redirect_map (xdp/tc)
void add_sock_ops_helpers(Functions& f); // sock_ops_helpers.cc: cb_flags_set, set/getsockopt

}  // namespace ringb::vm
