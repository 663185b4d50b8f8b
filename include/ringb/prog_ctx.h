// ringb/prog_ctx.h — what a program type's context looks like to the
// verifier: its size and, per access, whether the kernel's
// *_is_valid_access allows it and what the loaded value is (a scalar, or a
// packet pointer for __sk_buff's, xdp_md's and sk_msg_md's data, data_end,
// data_meta, a socket, flow_dissector's flow keys).
#pragma once

#include <cstdint>

#include "ringb/object.h"

namespace ringb::prog_ctx {

enum class Loaded : uint8_t { Scalar, Packet, PacketEnd, PacketMeta, SockCommonOrNull, Sock, FlowKeys, SockOrNull };

struct Access {
  bool ok = false;
  Loaded loaded = Loaded::Scalar;
};

// Access of `size` bytes at `off` of the context of `type`, a read or a
// write — net/core/filter.c's tc_cls_act/sk_filter/xdp_is_valid_access and
// kernel/trace/bpf_trace.c's for kprobe, tracepoint, raw_tp and tracing;
// syscall programs: any aligned read below 65535 (the size given at run
// time is checked then).
// cgroup socket programs: `attach` is the program's expected attach type
// (Program::attach), which decides the fields it may read and write
// (sock_addr_is_valid_access, sock_filter_is_valid_access,
// sysctl_is_valid_access).
Access check(ProgType type, int64_t off, int size, bool write, uint32_t attach = 0);

// Socket pointers' fields: struct bpf_sock through a PTR_TO_SOCKET or
// PTR_TO_SOCK_COMMON (bpf_sock_is_valid_access,
// bpf_sock_common_is_valid_access), struct bpf_tcp_sock through a
// PTR_TO_TCP_SOCK (bpf_tcp_sock_is_valid_access). Reads only.
enum class SockKind : uint8_t { SockCommon, Sock, TcpSock, XdpSock };
bool sock_access(SockKind kind, int64_t off, int size);

// The range a program's r0 must be in at exit (check_return_code), or
// false when the type has none the verifier checks.
bool return_range(ProgType type, uint32_t attach, int32_t& lo, int32_t& hi);

// Whether the program type may write packet data directly
// (may_access_direct_pkt_data: tc, xdp, lwt_xmit, sk_skb, sk_msg).
bool has_packet(ProgType type);
// Whether `check` describes the type's context.
bool modelled(ProgType type);

}  // namespace ringb::prog_ctx
