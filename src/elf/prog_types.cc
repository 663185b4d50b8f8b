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
    {"perf_event", ProgType::PerfEvent, false},
    {"syscall", ProgType::Syscall, true},
};

}  // namespace

bool elf::classify_section(const std::string& sec, ProgType& type, bool& sleepable) {
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
    case ProgType::Tracing: return "tracing";
    case ProgType::StructOps: return "struct_ops";
    case ProgType::Lsm: return "lsm";
    case ProgType::Syscall: return "syscall";
    case ProgType::Unspec: break;
  }
  return "unspec";
}

const char* map_type_name(uint32_t type) {
  switch (static_cast<MapType>(type)) {
    case MapType::Hash: return "hash";
    case MapType::Array: return "array";
    case MapType::ProgArray: return "prog_array";
    case MapType::PerfEventArray: return "perf_event_array";
    case MapType::PercpuHash: return "percpu_hash";
    case MapType::PercpuArray: return "percpu_array";
    case MapType::StackTrace: return "stack_trace";
    case MapType::LruHash: return "lru_hash";
    case MapType::LruPercpuHash: return "lru_percpu_hash";
    case MapType::ArrayOfMaps: return "array_of_maps";
    case MapType::HashOfMaps: return "hash_of_maps";
    case MapType::Queue: return "queue";
    case MapType::Stack: return "stack";
    case MapType::RingBuf: return "ringbuf";
    case MapType::Unspec: break;
  }
  return "unknown";
}

}  // namespace ringb
