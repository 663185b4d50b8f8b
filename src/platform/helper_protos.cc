// helper_protos.cc — the bpf_func_proto of every helper ringb implements,
// written from the kernel's definitions (kernel/bpf/helpers.c, net/core/
// filter.c, kernel/trace/bpf_trace.c). Keep in step with src/vm/helpers.cc.
#include "ringb/helpers.h"

namespace ringb::helpers {
namespace {

using K = ArgKind;
using R = RetKind;

constexpr Arg a(K k, uint8_t f = 0) { return Arg{k, f, 0}; }
constexpr Arg fixed(uint16_t size, uint8_t f) { return Arg{K::FixedMem, f, size}; }

const Proto kProtos[] = {
    {1, "bpf_map_lookup_elem", R::MapValueOrNull, 0, {a(K::ConstMapPtr), a(K::MapKey)}, false, true},
    {2, "bpf_map_update_elem", R::Integer, 0,
     {a(K::ConstMapPtr), a(K::MapKey), a(K::MapValue), a(K::Anything)}, false, true},
    {3, "bpf_map_delete_elem", R::Integer, 0, {a(K::ConstMapPtr), a(K::MapKey)}, false, true},
    {5, "bpf_ktime_get_ns", R::Integer, 0, {}, false, false},
    {6, "bpf_trace_printk", R::Integer, 0,
     {a(K::Mem, kRdonly), a(K::ConstSize)}, true, false},  // the format's arguments are not checked
    {7, "bpf_get_prandom_u32", R::Integer, 0, {}, false, false},
    {8, "bpf_get_smp_processor_id", R::Integer, 0, {}, false, false, false, false, false, true},
    {9, "bpf_skb_store_bytes", R::Integer, 0,
     {a(K::Ctx), a(K::Anything), a(K::Mem, kRdonly), a(K::ConstSize), a(K::Anything)}, false, true, true},
    {4, "bpf_probe_read", R::Integer, 0, {a(K::Mem, kUninit), a(K::ConstSizeOrZero), a(K::Anything)}, true, false},
    {10, "bpf_l3_csum_replace", R::Integer, 0,
     {a(K::Ctx), a(K::Anything), a(K::Anything), a(K::Anything), a(K::Anything)}, false, false, true},
    {11, "bpf_l4_csum_replace", R::Integer, 0,
     {a(K::Ctx), a(K::Anything), a(K::Anything), a(K::Anything), a(K::Anything)}, false, false, true},
    {28, "bpf_csum_diff", R::Integer, 0,
     {a(K::Mem, kMaybeNull | kRdonly), a(K::ConstSizeOrZero), a(K::Mem, kMaybeNull | kRdonly), a(K::ConstSizeOrZero),
      a(K::Anything)}, false, true},
    {38, "bpf_skb_change_tail", R::Integer, 0, {a(K::Ctx), a(K::Anything), a(K::Anything)}, false, false, true},
    {39, "bpf_skb_pull_data", R::Integer, 0, {a(K::Ctx), a(K::Anything)}, false, false, true},
    {40, "bpf_csum_update", R::Integer, 0, {a(K::Ctx), a(K::Anything)}, false, false},
    {43, "bpf_skb_change_head", R::Integer, 0, {a(K::Ctx), a(K::Anything), a(K::Anything)}, false, false, true},
    {44, "bpf_xdp_adjust_head", R::Integer, 0, {a(K::Ctx), a(K::Anything)}, false, false, true},
    {45, "bpf_probe_read_str", R::Integer, 0, {a(K::Mem, kUninit), a(K::ConstSizeOrZero), a(K::Anything)}, true, false},
    {54, "bpf_xdp_adjust_meta", R::Integer, 0, {a(K::Ctx), a(K::Anything)}, false, false, true},
    {65, "bpf_xdp_adjust_tail", R::Integer, 0, {a(K::Ctx), a(K::Anything)}, false, false, true},
    {67, "bpf_get_stack", R::Integer, 0,
     {a(K::Ctx), a(K::Mem, kUninit), a(K::ConstSizeOrZero), a(K::Anything)}, true, false},
    // bpf_copy_from_user(_task): user memory, from sleepable programs.
    {148, "bpf_copy_from_user", R::Integer, 0, {a(K::Mem, kUninit), a(K::ConstSizeOrZero), a(K::Anything)}, false,
     false, false, false, false, false, true},
    {191, "bpf_copy_from_user_task", R::Integer, 0,
     {a(K::Mem, kUninit), a(K::ConstSizeOrZero), a(K::Anything), a(K::BtfId), a(K::Anything)}, true, false, false,
     false, false, false, true},
    {112, "bpf_probe_read_user", R::Integer, 0, {a(K::Mem, kUninit), a(K::ConstSizeOrZero), a(K::Anything)}, true, false},
    {113, "bpf_probe_read_kernel", R::Integer, 0, {a(K::Mem, kUninit), a(K::ConstSizeOrZero), a(K::Anything)}, true, false},
    {114, "bpf_probe_read_user_str", R::Integer, 0,
     {a(K::Mem, kUninit), a(K::ConstSizeOrZero), a(K::Anything)}, true, false},
    {115, "bpf_probe_read_kernel_str", R::Integer, 0,
     {a(K::Mem, kUninit), a(K::ConstSizeOrZero), a(K::Anything)}, true, false},
    {160, "bpf_ktime_get_coarse_ns", R::Integer, 0, {}, false, false},
    {12, "bpf_tail_call", R::Void, 0, {a(K::Ctx), a(K::ConstMapPtr), a(K::Anything)}, false, false},
    {14, "bpf_get_current_pid_tgid", R::Integer, 0, {}, false, false},
    {15, "bpf_get_current_uid_gid", R::Integer, 0, {}, false, false},
    {16, "bpf_get_current_comm", R::Integer, 0, {a(K::Mem, kUninit), a(K::ConstSize)}, false, false},
    {26, "bpf_skb_load_bytes", R::Integer, 0,
     {a(K::Ctx), a(K::Anything), a(K::Mem, kUninit), a(K::ConstSize)}, false, false},
    {42, "bpf_get_numa_node_id", R::Integer, 0, {}, false, false},
    {87, "bpf_map_push_elem", R::Integer, 0, {a(K::ConstMapPtr), a(K::MapValue), a(K::Anything)}, false, false},
    {88, "bpf_map_pop_elem", R::Integer, 0, {a(K::ConstMapPtr), a(K::MapValue, kUninit)}, false, false},
    {89, "bpf_map_peek_elem", R::Integer, 0, {a(K::ConstMapPtr), a(K::MapValue, kUninit)}, false, false},
    {93, "bpf_spin_lock", R::Void, 0, {a(K::SpinLock)}, false, false},
    {94, "bpf_spin_unlock", R::Void, 0, {a(K::SpinLock)}, false, false},
    {118, "bpf_jiffies64", R::Integer, 0, {}, false, false},
    {125, "bpf_ktime_get_boot_ns", R::Integer, 0, {}, false, false},
    {153, "bpf_per_cpu_ptr", R::MemOrBtfId, kMaybeNull | kRdonly, {a(K::PercpuBtfId), a(K::Anything)}, false, false},
    {154, "bpf_this_cpu_ptr", R::MemOrBtfId, kRdonly, {a(K::PercpuBtfId)}, false, false},
    {164, "bpf_for_each_map_elem", R::Integer, 0,
     {a(K::ConstMapPtr), a(K::Func), a(K::Stack, kMaybeNull), a(K::Anything)}, false, false},
    {165, "bpf_snprintf", R::Integer, 0,
     {a(K::Mem, kMaybeNull | kUninit), a(K::ConstSizeOrZero), a(K::ConstStr), a(K::Mem, kMaybeNull | kRdonly),
      a(K::ConstSizeOrZero)}, false, false},
    {181, "bpf_loop", R::Integer, 0, {a(K::Anything), a(K::Func), a(K::Stack, kMaybeNull), a(K::Anything)}, false, false},
    {182, "bpf_strncmp", R::Integer, 0, {a(K::Mem, kRdonly), a(K::ConstSize), a(K::ConstStr)}, false, false},
    {194, "bpf_kptr_xchg", R::BtfIdOrNull, kMaybeNull, {a(K::Kptr), a(K::BtfId, kMaybeNull | kRelease)}, false, false},
    {195, "bpf_map_lookup_percpu_elem", R::MapValueOrNull, 0,
     {a(K::ConstMapPtr), a(K::MapKey), a(K::Anything)}, false, false},
    {208, "bpf_ktime_get_tai_ns", R::Integer, 0, {}, false, false},
    {105, "bpf_strtol", R::Integer, 0,
     {a(K::Mem, kRdonly), a(K::ConstSize), a(K::Anything), fixed(8, kUninit | kAligned)}, false, false},
    {106, "bpf_strtoul", R::Integer, 0,
     {a(K::Mem, kRdonly), a(K::ConstSize), a(K::Anything), fixed(8, kUninit | kAligned)}, false, false},
    {163, "bpf_check_mtu", R::Integer, 0,
     {a(K::Ctx), a(K::Anything), fixed(4, kUninit), a(K::Anything), a(K::Anything)}, false, false},
    // kernel/bpf/ringbuf.c
    {130, "bpf_ringbuf_output", R::Integer, 0,
     {a(K::ConstMapPtr), a(K::Mem, kRdonly), a(K::ConstSizeOrZero), a(K::Anything)}, false, false},
    {131, "bpf_ringbuf_reserve", R::RingbufMemOrNull, 0, {a(K::ConstMapPtr), a(K::AllocSize), a(K::Anything)},
     false, false},
    {132, "bpf_ringbuf_submit", R::Void, 0, {a(K::RingbufMem, kRelease), a(K::Anything)}, false, false},
    {133, "bpf_ringbuf_discard", R::Void, 0, {a(K::RingbufMem, kRelease), a(K::Anything)}, false, false},
    {134, "bpf_ringbuf_query", R::Integer, 0, {a(K::ConstMapPtr), a(K::Anything)}, false, false},
    {198, "bpf_ringbuf_reserve_dynptr", R::Integer, 0,
     {a(K::ConstMapPtr), a(K::Anything), a(K::Anything), a(K::Dynptr, kDynRingbuf | kUninit)}, false, false},
    {199, "bpf_ringbuf_submit_dynptr", R::Void, 0, {a(K::Dynptr, kDynRingbuf | kRelease), a(K::Anything)}, false,
     false},
    {200, "bpf_ringbuf_discard_dynptr", R::Void, 0, {a(K::Dynptr, kDynRingbuf | kRelease), a(K::Anything)}, false,
     false},
    {209, "bpf_user_ringbuf_drain", R::Integer, 0,
     {a(K::ConstMapPtr), a(K::Func), a(K::Stack, kMaybeNull), a(K::Anything)}, false, false},
    // kernel/bpf/helpers.c: dynptrs
    {197, "bpf_dynptr_from_mem", R::Integer, 0,
     {a(K::Mem, kUninit), a(K::ConstSizeOrZero), a(K::Anything), a(K::Dynptr, kDynLocal | kUninit)}, false, false},
    {201, "bpf_dynptr_read", R::Integer, 0,
     {a(K::Mem, kUninit), a(K::ConstSizeOrZero), a(K::Dynptr, kRdonly), a(K::Anything), a(K::Anything)}, false,
     false},
    {202, "bpf_dynptr_write", R::Integer, 0,
     {a(K::Dynptr, kRdonly), a(K::Anything), a(K::Mem, kRdonly), a(K::ConstSizeOrZero), a(K::Anything)}, false,
     false},
    {203, "bpf_dynptr_data", R::DynptrMemOrNull, 0,
     {a(K::Dynptr, kRdonly), a(K::Anything), a(K::AllocSize)}, false, false},
    // Sockets (net/core/filter.c): the lookups acquire, sk_release releases.
    {84, "bpf_sk_lookup_tcp", R::SocketOrNull, 0,
     {a(K::Ctx), a(K::Mem, kRdonly), a(K::ConstSizeOrZero), a(K::Anything), a(K::Anything)}, false, true, false, true},
    {85, "bpf_sk_lookup_udp", R::SocketOrNull, 0,
     {a(K::Ctx), a(K::Mem, kRdonly), a(K::ConstSizeOrZero), a(K::Anything), a(K::Anything)}, false, true, false, true},
    {99, "bpf_skc_lookup_tcp", R::SockCommonOrNull, 0,
     {a(K::Ctx), a(K::Mem, kRdonly), a(K::ConstSizeOrZero), a(K::Anything), a(K::Anything)}, false, true, false, true},
    {86, "bpf_sk_release", R::Integer, 0, {a(K::BtfIdSockCommon, kRelease)}, false, false},
    {95, "bpf_sk_fullsock", R::SocketOrNull, 0, {a(K::SockCommon)}, false, false, false, false, true},
    {96, "bpf_tcp_sock", R::TcpSockOrNull, 0, {a(K::SockCommon)}, false, false, false, false, true},
    {98, "bpf_get_listener_sock", R::SocketOrNull, 0, {a(K::SockCommon)}, false, false},
    // Casts of a socket to the kernel's struct of its kind, or NULL (filter.c).
    {136, "bpf_skc_to_tcp6_sock", R::SockBtfIdOrNull, 0, {a(K::BtfIdSockCommon)}, false, false, false, false, true},
    {137, "bpf_skc_to_tcp_sock", R::SockBtfIdOrNull, 0, {a(K::BtfIdSockCommon)}, false, false, false, false, true},
    {138, "bpf_skc_to_tcp_timewait_sock", R::SockBtfIdOrNull, 0, {a(K::BtfIdSockCommon)}, false, false, false, false,
     true},
    {139, "bpf_skc_to_tcp_request_sock", R::SockBtfIdOrNull, 0, {a(K::BtfIdSockCommon)}, false, false, false, false,
     true},
    {140, "bpf_skc_to_udp6_sock", R::SockBtfIdOrNull, 0, {a(K::BtfIdSockCommon)}, false, false, false, false, true},
    {178, "bpf_skc_to_unix_sock", R::SockBtfIdOrNull, 0, {a(K::BtfIdSockCommon)}, false, false},
    {196, "bpf_skc_to_mptcp_sock", R::SockBtfIdOrNull, 0, {a(K::BtfIdSockCommon)}, false, false, false, false, true},
    // sk_reuseport's choice of socket: by a reuseport array's, sockmap's or sockhash's key.
    {82, "bpf_sk_select_reuseport", R::Integer, 0, {a(K::Ctx), a(K::ConstMapPtr), a(K::MapKey), a(K::Anything)}, false,
     false},
    // sk_lookup's bpf_sk_assign: the socket the lookup finds (NULL: none).
    {124, "bpf_sk_assign", R::Integer, 0, {a(K::Ctx), a(K::Socket, kMaybeNull), a(K::Anything)}, false, false},
    // The skb's flow hash (net/core/filter.c).
    {34, "bpf_get_hash_recalc", R::Integer, 0, {a(K::Ctx)}, false, false},
    {41, "bpf_set_hash_invalid", R::Void, 0, {a(K::Ctx)}, false, false},
    {48, "bpf_set_hash", R::Integer, 0, {a(K::Ctx), a(K::Anything)}, false, false},
    {46, "bpf_get_socket_cookie", R::Integer, 0, {a(K::Ctx)}, false, false},
    {122, "bpf_get_netns_cookie", R::Integer, 0, {a(K::Ctx, kMaybeNull)}, false, false},
    // Sockmaps (net/core/sock_map.c): redirects by index or key, sock_ops updates.
    {52, "bpf_sk_redirect_map", R::Integer, 0, {a(K::Ctx), a(K::ConstMapPtr), a(K::Anything), a(K::Anything)}, false, false},
    {72, "bpf_sk_redirect_hash", R::Integer, 0, {a(K::Ctx), a(K::ConstMapPtr), a(K::MapKey), a(K::Anything)}, false, false},
    {60, "bpf_msg_redirect_map", R::Integer, 0, {a(K::Ctx), a(K::ConstMapPtr), a(K::Anything), a(K::Anything)}, false, false},
    {71, "bpf_msg_redirect_hash", R::Integer, 0, {a(K::Ctx), a(K::ConstMapPtr), a(K::MapKey), a(K::Anything)}, false, false},
    {53, "bpf_sock_map_update", R::Integer, 0, {a(K::Ctx), a(K::ConstMapPtr), a(K::MapKey), a(K::Anything)}, false, true},
    {70, "bpf_sock_hash_update", R::Integer, 0, {a(K::Ctx), a(K::ConstMapPtr), a(K::MapKey), a(K::Anything)}, false, true},
    // XDP and tc redirects (net/core/filter.c): by ifindex, or through a devmap,
    // devmap_hash, cpumap or xskmap.
    {23, "bpf_redirect", R::Integer, 0, {a(K::Anything), a(K::Anything)}, false, false},
    {51, "bpf_redirect_map", R::Integer, 0, {a(K::ConstMapPtr), a(K::Anything), a(K::Anything)}, false, false},
    {152, "bpf_redirect_neigh", R::Integer, 0,
     {a(K::Anything), a(K::Mem, kMaybeNull | kRdonly), a(K::ConstSizeOrZero), a(K::Anything)}, false, false},
    {155, "bpf_redirect_peer", R::Integer, 0, {a(K::Anything), a(K::Anything)}, false, false},
    // Local storage (ringb/local_storage.h).
    {107, "bpf_sk_storage_get", R::MapValueOrNull, 0,
     {a(K::ConstMapPtr), a(K::BtfIdSockCommon), a(K::MapValue, kMaybeNull), a(K::Anything)}, false, false},
    {108, "bpf_sk_storage_delete", R::Integer, 0, {a(K::ConstMapPtr), a(K::BtfIdSockCommon)}, false, false},
    {156, "bpf_task_storage_get", R::MapValueOrNull, 0,
     {a(K::ConstMapPtr), a(K::BtfId, kMaybeNull), a(K::MapValue, kMaybeNull), a(K::Anything)}, false, false},
    {157, "bpf_task_storage_delete", R::Integer, 0, {a(K::ConstMapPtr), a(K::BtfId, kMaybeNull)}, false, false},
    {210, "bpf_cgrp_storage_get", R::MapValueOrNull, 0,
     {a(K::ConstMapPtr), a(K::BtfId, kMaybeNull), a(K::MapValue, kMaybeNull), a(K::Anything)}, false, false},
    {211, "bpf_cgrp_storage_delete", R::Integer, 0, {a(K::ConstMapPtr), a(K::BtfId, kMaybeNull)}, false, false},
    // Cgroup storage (kernel/bpf/local_storage.c, ringb/cgroup_storage.h):
    // the run's storage of the map; the verifier makes flags 0.
    {81, "bpf_get_local_storage", R::MapValue, 0, {a(K::ConstMapPtr), a(K::Anything)}, false, false},
    // Tasks (kernel/trace/bpf_trace.c): ringb/tasks.h's records.
    {35, "bpf_get_current_task", R::Integer, 0, {}, true, false},
    {158, "bpf_get_current_task_btf", R::TaskBtfId, 0, {}, true, false},
    // Packet room (net/core/filter.c): the packet moves.
    {50, "bpf_skb_adjust_room", R::Integer, 0, {a(K::Ctx), a(K::Anything), a(K::Anything), a(K::Anything)}, false,
     false, true},
    {31, "bpf_skb_change_proto", R::Integer, 0, {a(K::Ctx), a(K::Anything), a(K::Anything)}, false, false, true},
    // sk_msg data (net/core/filter.c): pull, push and pop move data/data_end.
    {61, "bpf_msg_apply_bytes", R::Integer, 0, {a(K::Ctx), a(K::Anything)}, false, false},
    {62, "bpf_msg_cork_bytes", R::Integer, 0, {a(K::Ctx), a(K::Anything)}, false, false},
    {63, "bpf_msg_pull_data", R::Integer, 0, {a(K::Ctx), a(K::Anything), a(K::Anything), a(K::Anything)}, false,
     false, true},
    {90, "bpf_msg_push_data", R::Integer, 0, {a(K::Ctx), a(K::Anything), a(K::Anything), a(K::Anything)}, false,
     false, true},
    {91, "bpf_msg_pop_data", R::Integer, 0, {a(K::Ctx), a(K::Anything), a(K::Anything), a(K::Anything)}, false,
     false, true},
    // sock_ops (net/core/filter.c): callback flags; socket options, refused.
    {59, "bpf_sock_ops_cb_flags_set", R::Integer, 0, {a(K::Ctx), a(K::Anything)}, false, false},
    {49, "bpf_setsockopt", R::Integer, 0,
     {a(K::Ctx), a(K::Anything), a(K::Anything), a(K::Mem, kRdonly), a(K::ConstSize)}, false, false},
    {57, "bpf_getsockopt", R::Integer, 0,
     {a(K::Ctx), a(K::Anything), a(K::Anything), a(K::Mem, kUninit), a(K::ConstSize)}, false, false},
};

}  // namespace

const Proto* find(int id) {
  for (const Proto& p : kProtos)
    if (p.id == id) return &p;
  return nullptr;
}

}  // namespace ringb::helpers
