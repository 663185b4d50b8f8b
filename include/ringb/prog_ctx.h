// ringb/prog_ctx.h — what a program type's context looks like to the
// verifier: its size and, per access, whether the kernel's
// *_is_valid_access allows it and what the loaded value is (a scalar, or a
// packet pointer for __sk_buff's and xdp_md's data, data_end, data_meta).
#pragma once

#include <cstdint>

#include "ringb/object.h"

namespace ringb::prog_ctx {

enum class Loaded : uint8_t { Scalar, Packet, PacketEnd, PacketMeta, SockCommonOrNull };

struct Access {
  bool ok = false;
  Loaded loaded = Loaded::Scalar;
};

// Access of `size` bytes at `off` of the context of `type`, a read or a
// write — net/core/filter.c's tc_cls_act/sk_filter/xdp_is_valid_access and
// kernel/trace/bpf_trace.c's for kprobe, tracepoint, raw_tp and tracing;
// syscall programs: any aligned read below 65535 (the size given at run
// time is checked then).
Access check(ProgType type, int64_t off, int size, bool write);

// Whether the program type's context has packet pointers at all.
bool has_packet(ProgType type);
// Whether `check` describes the type's context (cgroup_skb, lwt_*,
// flow_dissector, sk_skb, sk_msg, perf_event: not yet).
bool modelled(ProgType type);

}  // namespace ringb::prog_ctx
