// prog_type_bits.h — a bit per program type that the platform's
// availability tables (helper_progs.cc, kfunc_progs.cc) describe: the types
// the kernel loads without an attach target, so the tables could be read
// off the running kernel. Types outside (tracing, lsm, struct_ops) get 0.
#pragma once

#include <cstdint>

#include "ringb/object.h"

namespace ringb::platform::bits {

constexpr uint32_t kSocketFilter = 1u << 0;
constexpr uint32_t kKprobe = 1u << 1;
constexpr uint32_t kSchedCls = 1u << 2;
constexpr uint32_t kSchedAct = 1u << 3;
constexpr uint32_t kTracepoint = 1u << 4;
constexpr uint32_t kXdp = 1u << 5;
constexpr uint32_t kPerfEvent = 1u << 6;
constexpr uint32_t kCgroupSkb = 1u << 7;
constexpr uint32_t kLwtIn = 1u << 8;
constexpr uint32_t kLwtOut = 1u << 9;
constexpr uint32_t kLwtXmit = 1u << 10;
constexpr uint32_t kSkSkb = 1u << 11;
constexpr uint32_t kSkMsg = 1u << 12;
constexpr uint32_t kRawTracepoint = 1u << 13;
constexpr uint32_t kLwtSeg6local = 1u << 14;
constexpr uint32_t kFlowDissector = 1u << 15;
constexpr uint32_t kSyscall = 1u << 16;
constexpr uint32_t kAll = (1u << 17) - 1;

inline uint32_t bit(ProgType t) {
  switch (t) {
    case ProgType::SocketFilter: return kSocketFilter;
    case ProgType::Kprobe: return kKprobe;
    case ProgType::SchedCls: return kSchedCls;
    case ProgType::SchedAct: return kSchedAct;
    case ProgType::Tracepoint: return kTracepoint;
    case ProgType::Xdp: return kXdp;
    case ProgType::PerfEvent: return kPerfEvent;
    case ProgType::CgroupSkb: return kCgroupSkb;
    case ProgType::LwtIn: return kLwtIn;
    case ProgType::LwtOut: return kLwtOut;
    case ProgType::LwtXmit: return kLwtXmit;
    case ProgType::SkSkb: return kSkSkb;
    case ProgType::SkMsg: return kSkMsg;
    case ProgType::RawTracepoint: return kRawTracepoint;
    case ProgType::LwtSeg6local: return kLwtSeg6local;
    case ProgType::FlowDissector: return kFlowDissector;
    case ProgType::Syscall: return kSyscall;
    default: return 0;
  }
}

}  // namespace ringb::platform::bits
