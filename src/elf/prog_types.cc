// prog_types.cc — program types by section name (libbpf's conventions), and
// printable names for program and map types.
#include <cstring>
#include <string>

#include "loader.h"

namespace ringb {
namespace {

struct SectionDef {
  const char* prefix;  // matches "prefix" itself or "prefix/…"
  ProgType type;
  bool sleepable;
  uint32_t attach = 0;  // enum bpf_attach_type libbpf gives the section
};

constexpr SectionDef kSections[] = {
    {"socket", ProgType::SocketFilter, false},
    {"kprobe", ProgType::Kprobe, false},        {"kretprobe", ProgType::Kprobe, false},
    {"uprobe", ProgType::Kprobe, false},        {"uretprobe", ProgType::Kprobe, false},
    {"uprobe.s", ProgType::Kprobe, true},       {"uretprobe.s", ProgType::Kprobe, true},
    {"ksyscall", ProgType::Kprobe, false},      {"kretsyscall", ProgType::Kprobe, false},
    {"usdt", ProgType::Kprobe, false},
    {"tc", ProgType::SchedCls, false},          {"classifier", ProgType::SchedCls, false},
    {"tcx", ProgType::SchedCls, false},         {"action", ProgType::SchedAct, false},
    {"tracepoint", ProgType::Tracepoint, false}, {"tp", ProgType::Tracepoint, false},
    {"raw_tracepoint", ProgType::RawTracepoint, false},
    {"raw_tp", ProgType::RawTracepoint, false},
    {"raw_tracepoint.w", ProgType::RawTracepoint, false},
    {"raw_tp.w", ProgType::RawTracepoint, false},
    {"tp_btf", ProgType::Tracing, false},
    {"fentry", ProgType::Tracing, false},       {"fexit", ProgType::Tracing, false},
    {"fmod_ret", ProgType::Tracing, false},     {"fentry.s", ProgType::Tracing, true},
    {"fexit.s", ProgType::Tracing, true},       {"fmod_ret.s", ProgType::Tracing, true},
    {"iter", ProgType::Tracing, false},         {"iter.s", ProgType::Tracing, true},
    {"lsm", ProgType::Lsm, false},              {"lsm.s", ProgType::Lsm, true},
    {"lsm_cgroup", ProgType::Lsm, false},
    {"struct_ops", ProgType::StructOps, false}, {"struct_ops.s", ProgType::StructOps, true},
    {"xdp", ProgType::Xdp, false},              {"xdp.frags", ProgType::Xdp, false},
    // devmap and cpumap programs (BPF_XDP_DEVMAP, BPF_XDP_CPUMAP): a devmap
    // program may read xdp_md->egress_ifindex.
    {"xdp/devmap", ProgType::Xdp, false, 33},   {"xdp.frags/devmap", ProgType::Xdp, false, 33},
    {"xdp/cpumap", ProgType::Xdp, false, 35},   {"xdp.frags/cpumap", ProgType::Xdp, false, 35},
    {"perf_event", ProgType::PerfEvent, false},
    {"cgroup_skb/ingress", ProgType::CgroupSkb, false},
    {"cgroup_skb/egress", ProgType::CgroupSkb, false, 1},
    {"cgroup/skb", ProgType::CgroupSkb, false},
    {"lwt_in", ProgType::LwtIn, false},         {"lwt_out", ProgType::LwtOut, false},
    {"lwt_xmit", ProgType::LwtXmit, false},     {"lwt_seg6local", ProgType::LwtSeg6local, false},
    {"flow_dissector", ProgType::FlowDissector, false},
    {"sk_skb", ProgType::SkSkb, false},         {"sk_skb/stream_parser", ProgType::SkSkb, false},
    {"sk_skb/stream_verdict", ProgType::SkSkb, false},
    {"sk_skb/verdict", ProgType::SkSkb, false},
    {"sk_msg", ProgType::SkMsg, false},
    {"syscall", ProgType::Syscall, true},
    // cgroup socket programs; the attach type decides the context's writable
    // fields and the return range (enum bpf_attach_type's values).
    {"cgroup/sock", ProgType::CgroupSock, false, 2},          {"cgroup/sock_create", ProgType::CgroupSock, false, 2},
    {"cgroup/sock_release", ProgType::CgroupSock, false, 34},
    {"cgroup/post_bind4", ProgType::CgroupSock, false, 12},   {"cgroup/post_bind6", ProgType::CgroupSock, false, 13},
    {"cgroup/bind4", ProgType::CgroupSockAddr, false, 8},     {"cgroup/bind6", ProgType::CgroupSockAddr, false, 9},
    {"cgroup/connect4", ProgType::CgroupSockAddr, false, 10}, {"cgroup/connect6", ProgType::CgroupSockAddr, false, 11},
    {"cgroup/connect_unix", ProgType::CgroupSockAddr, false, 40},
    {"cgroup/sendmsg4", ProgType::CgroupSockAddr, false, 14}, {"cgroup/sendmsg6", ProgType::CgroupSockAddr, false, 15},
    {"cgroup/sendmsg_unix", ProgType::CgroupSockAddr, false, 41},
    {"cgroup/recvmsg4", ProgType::CgroupSockAddr, false, 19}, {"cgroup/recvmsg6", ProgType::CgroupSockAddr, false, 20},
    {"cgroup/recvmsg_unix", ProgType::CgroupSockAddr, false, 42},
    {"cgroup/getpeername4", ProgType::CgroupSockAddr, false, 29},
    {"cgroup/getpeername6", ProgType::CgroupSockAddr, false, 30},
    {"cgroup/getpeername_unix", ProgType::CgroupSockAddr, false, 43},
    {"cgroup/getsockname4", ProgType::CgroupSockAddr, false, 31},
    {"cgroup/getsockname6", ProgType::CgroupSockAddr, false, 32},
    {"cgroup/getsockname_unix", ProgType::CgroupSockAddr, false, 44},
    {"cgroup/sysctl", ProgType::CgroupSysctl, false, 18},
    {"sockops", ProgType::SockOps, false, 3},
    {"sk_lookup", ProgType::SkLookup, false, 36},  // BPF_SK_LOOKUP, which the kernel requires
    {"sk_reuseport", ProgType::SkReuseport, false, 39},          // BPF_SK_REUSEPORT_SELECT
    {"sk_reuseport/migrate", ProgType::SkReuseport, false, 40},  // BPF_SK_REUSEPORT_SELECT_OR_MIGRATE
};

}  // namespace

bool elf::classify_section(const std::string& sec, ProgType& type, bool& sleepable, uint32_t* attach) {
  const SectionDef* best = nullptr;
  for (const SectionDef& d : kSections) {
    const size_t n = std::strlen(d.prefix);
    if (sec.compare(0, n, d.prefix) != 0) continue;
    if (sec.size() != n && sec[n] != '/') continue;
    if (!best || n > std::strlen(best->prefix)) best = &d;
  }
  if (!best) return false;
  type = best->type;
  sleepable = best->sleepable;
  if (attach) *attach = best->attach;
  return true;
}

const char* prog_type_name(ProgType t) {
  switch (t) {
    case ProgType::SocketFilter: return "socket_filter";
    case ProgType::Kprobe: return "kprobe";
    case ProgType::SchedCls: return "sched_cls";
    case ProgType::SchedAct: return "sched_act";
    case ProgType::Tracepoint: return "tracepoint";
    case ProgType::Xdp: return "xdp";
    case ProgType::PerfEvent: return "perf_event";
    case ProgType::RawTracepoint: return "raw_tracepoint";
    case ProgType::CgroupSkb: return "cgroup_skb";
    case ProgType::LwtIn: return "lwt_in";
    case ProgType::LwtOut: return "lwt_out";
    case ProgType::LwtXmit: return "lwt_xmit";
    case ProgType::LwtSeg6local: return "lwt_seg6local";
    case ProgType::FlowDissector: return "flow_dissector";
    case ProgType::SkSkb: return "sk_skb";
    case ProgType::SkMsg: return "sk_msg";
    case ProgType::Tracing: return "tracing";
    case ProgType::StructOps: return "struct_ops";
    case ProgType::Lsm: return "lsm";
    case ProgType::Syscall: return "syscall";
    case ProgType::CgroupSock: return "cgroup_sock";
    case ProgType::CgroupSockAddr: return "cgroup_sock_addr";
    case ProgType::CgroupSysctl: return "cgroup_sysctl";
    case ProgType::SockOps: return "sock_ops";
    case ProgType::SkLookup: return "sk_lookup";
    case ProgType::SkReuseport: return "sk_reuseport";
    case ProgType::Unspec: break;
  }
  return "unspec";
}

bool prog_type_takes_ctx_in(ProgType t) {
  return t == ProgType::Kprobe || t == ProgType::Tracepoint || t == ProgType::PerfEvent ||
         t == ProgType::RawTracepoint;
}

const char* map_type_name(uint32_t type) {
  // enum bpf_map_type as of Linux 6.18, by value; ringb creates a few of
  // them, but every one is named in messages and dumps.
  static const char* const kNames[] = {
      "unspec",          "hash",           "array",          "prog_array",      "perf_event_array",
      "percpu_hash",     "percpu_array",   "stack_trace",    "cgroup_array",    "lru_hash",
      "lru_percpu_hash", "lpm_trie",       "array_of_maps",  "hash_of_maps",    "devmap",
      "sockmap",         "cpumap",         "xskmap",         "sockhash",        "cgroup_storage",
      "reuseport_sockarray", "percpu_cgroup_storage", "queue", "stack",         "sk_storage",
      "devmap_hash",     "struct_ops",     "ringbuf",        "inode_storage",   "task_storage",
      "bloom_filter",    "user_ringbuf",   "cgrp_storage",   "arena"};
  return type > 0 && type < sizeof(kNames) / sizeof(kNames[0]) ? kNames[type] : "unknown";
}

std::string map_type_string(uint32_t type) {
  const std::string name = map_type_name(type);
  return name == "unknown" ? "unknown map type " + std::to_string(type) : name;
}

}  // namespace ringb
