// prog_ctx.cc — context access rules per program type, written from the
// kernel's *_is_valid_access functions (net/core/filter.c,
// kernel/trace/bpf_trace.c, kernel/bpf/syscall.c) for Linux 6.18.
#include "ringb/prog_ctx.h"

#include "prog_ctx_skb.h"

namespace ringb::prog_ctx {

// bpf_skb_is_valid_access: the rules every __sk_buff program shares.
Access skb_common(int64_t off, int size, bool write, Loaded loaded) {
  Access no{};
  if (off < 0 || off >= kSkbSize || off % size != 0) return no;
  if (in(off, kCb0, kCbEnd - kCb0)) {
    if (off + size > kCbEnd) return no;
  } else if (in(off, kRemoteIp6, kLocalIp6End - kRemoteIp6) || in(off, kRemoteIp4, 4) || in(off, kLocalIp4, 4) ||
             in(off, kData, 4) || in(off, kDataMeta, 4) || in(off, kDataEnd, 4)) {
    if (size != 4) return no;
  } else if (in(off, kFlowKeys, 8)) {
    return no;
  } else if (in(off, kHwtstamp, 8)) {
    if (write || size != 8) return no;
  } else if (in(off, kTstamp, 8)) {
    if (size != 8) return no;
  } else if (in(off, kSk, 8)) {
    if (write || size != 8) return no;
    loaded = Loaded::SockCommonOrNull;
  } else if (off == kTstampType || in(off, kTstampType + 1, kHwtstamp - kTstampType - 1)) {
    return no;
  } else if (write ? size != 4 : (size > 4 || (size & (size - 1)))) {
    return no;
  }
  return Access{true, loaded};
}

namespace {

Access tc(int64_t off, int size, bool write) {
  if (write && !(in(off, kMark, 4) || in(off, kTcIndex, 4) || in(off, kPriority, 4) || in(off, kTcClassid, 4) ||
                 in(off, kCb0, kCbEnd - kCb0) || in(off, kTstamp, 8) || in(off, kQueueMapping, 4)))
    return {};
  Loaded l = Loaded::Scalar;
  if (in(off, kData, 4)) l = Loaded::Packet;
  else if (in(off, kDataMeta, 4)) l = Loaded::PacketMeta;
  else if (in(off, kDataEnd, 4)) l = Loaded::PacketEnd;
  else if (in(off, kFamily, kLocalPortEnd - kFamily)) return {};
  else if (off == kTstampType) return Access{size == 1, Loaded::Scalar};
  return skb_common(off, size, write, l);
}

Access socket_filter(int64_t off, int size, bool write) {
  if (in(off, kTcClassid, 4) || in(off, kData, 4) || in(off, kDataMeta, 4) || in(off, kDataEnd, 4) ||
      in(off, kFamily, kLocalPortEnd - kFamily) || in(off, kTstamp, 8) || in(off, kWireLen, 4) ||
      in(off, kHwtstamp, 8))
    return {};
  if (write && !in(off, kCb0, kCbEnd - kCb0)) return {};
  return skb_common(off, size, write, Loaded::Scalar);
}

// cg_skb_is_valid_access (root: data and data_end readable, tstamp writable).
Access cgroup_skb(int64_t off, int size, bool write) {
  if (in(off, kTcClassid, 4) || in(off, kDataMeta, 4) || in(off, kWireLen, 4)) return {};
  if (write && !(in(off, kMark, 4) || in(off, kPriority, 4) || in(off, kCb0, kCbEnd - kCb0) || in(off, kTstamp, 8)))
    return {};
  Loaded l = Loaded::Scalar;
  if (in(off, kData, 4)) l = Loaded::Packet;
  else if (in(off, kDataEnd, 4)) l = Loaded::PacketEnd;
  return skb_common(off, size, write, l);
}

Access xdp(int64_t off, int size, bool write, uint32_t attach) {
  // struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex
  // egress_ifindex (20) only for BPF_XDP_DEVMAP programs (SEC("xdp/devmap")).
  constexpr uint32_t kXdpDevmap = 33;
  const int64_t end = attach == kXdpDevmap ? 24 : 20;
  if (write || off < 0 || off >= end || off % size != 0 || size != 4) return {};
  Loaded l = off == 0 ? Loaded::Packet : off == 4 ? Loaded::PacketEnd : off == 8 ? Loaded::PacketMeta : Loaded::Scalar;
  return Access{true, l};
}

Access read_only(int64_t off, int size, bool write, int64_t limit, int64_t lowest = 0) {
  if (write || off < lowest || off >= limit || off % size != 0 || off + size > limit) return {};
  return Access{true, Loaded::Scalar};
}

bool narrow_ok(int size, int size_default) { return size <= size_default && (size & (size - 1)) == 0; }

// pe_prog_is_valid_access: struct bpf_perf_event_data, read-only: the
// registers (pt_regs, x86-64: 168 bytes) in whole longs, sample_period and
// addr narrow too.
Access perf_event(int64_t off, int size, bool write) {
  constexpr int64_t kSamplePeriod = 168, kPerfSize = 184;
  if (off < 0 || off >= kPerfSize || write || off % size != 0) return {};
  if (off >= kSamplePeriod) return Access{narrow_ok(size, 8), Loaded::Scalar};
  return Access{size == 8, Loaded::Scalar};
}

// bpf_ctx_wide_access_ok: an aligned 8-byte access inside [start, end).
bool wide_ok(int64_t off, int size, int64_t start, int64_t end) {
  return size == 8 && off >= start && off + 8 <= end && off % 8 == 0;
}

// struct bpf_sock (uapi/linux/bpf.h) offsets.
constexpr int64_t kSkBoundDevIf = 0, kSkFamily = 4, kSkType = 8, kSkProtocol = 12, kSkMark = 16, kSkPriority = 20,
                  kSkSrcIp4 = 24, kSkSrcIp6 = 28, kSkSrcPort = 44, kSkDstPort = 48, kSkDstIp4 = 52, kSkDstIp6 = 56,
                  kSkState = 72, kSkRxQueue = 76, kSockSize = 80;

bool bpf_sock_ok(int64_t off, int size) {
  if (off < 0 || off >= kSockSize || off % size != 0) return false;
  if (off == kSkState || off == kSkFamily || off == kSkType || off == kSkProtocol || off == kSkSrcPort ||
      off == kSkRxQueue || in(off, kSkSrcIp4, 4) || in(off, kSkSrcIp6, 16) || in(off, kSkDstIp4, 4) ||
      in(off, kSkDstIp6, 16))
    return narrow_ok(size, 4);
  if (in(off, kSkDstPort, 2)) return narrow_ok(size, size == 4 ? 4 : 2);  // __be16, or the old 4-byte load
  if (in(off, kSkDstPort + 2, kSkDstIp4 - kSkDstPort - 2)) return false;
  return size == 4;
}

// struct bpf_sock_addr offsets, and the attach types (enum bpf_attach_type).
constexpr int64_t kSaUserIp4 = 4, kSaUserIp6 = 8, kSaUserPort = 24, kSaMsgSrcIp4 = 40, kSaMsgSrcIp6 = 44, kSaSk = 64,
                  kSockAddrSize = 72;
enum : uint32_t {
  kInetEgress = 1, kInetSockCreate = 2, kInet4Bind = 8, kInet6Bind = 9, kInet4Connect = 10, kInet6Connect = 11, kInet4PostBind = 12,
  kInet6PostBind = 13, kUdp4Sendmsg = 14, kUdp6Sendmsg = 15, kUdp4Recvmsg = 19, kUdp6Recvmsg = 20,
  kInet4Getpeername = 29, kInet6Getpeername = 30, kInet4Getsockname = 31, kInet6Getsockname = 32,
  kInetSockRelease = 34, kUnixGetpeername = 43, kUnixGetsockname = 44, kUnixRecvmsg = 42,
};

Access sock_addr(int64_t off, int size, bool write, uint32_t at) {
  if (off < 0 || off >= kSockAddrSize || off % size != 0) return {};
  // Fields of the other family's (or no) address are not there.
  if (in(off, kSaUserIp4, 4) && at != kInet4Bind && at != kInet4Connect && at != kInet4Getpeername &&
      at != kInet4Getsockname && at != kUdp4Sendmsg && at != kUdp4Recvmsg)
    return {};
  if (in(off, kSaUserIp6, 16) && at != kInet6Bind && at != kInet6Connect && at != kInet6Getpeername &&
      at != kInet6Getsockname && at != kUdp6Sendmsg && at != kUdp6Recvmsg)
    return {};
  if (in(off, kSaMsgSrcIp4, 4) && at != kUdp4Sendmsg) return {};
  if (in(off, kSaMsgSrcIp6, 16) && at != kUdp6Sendmsg) return {};
  if (in(off, kSaUserIp4, 4) || in(off, kSaUserIp6, 16) || in(off, kSaMsgSrcIp4, 4) || in(off, kSaMsgSrcIp6, 16) ||
      in(off, kSaUserPort, 4)) {
    if (wide_ok(off, size, kSaUserIp6, kSaUserIp6 + 16) || wide_ok(off, size, kSaMsgSrcIp6, kSaMsgSrcIp6 + 16))
      return Access{true, Loaded::Scalar};
    if (write ? size != 4 : !narrow_ok(size, 4)) return {};
    return Access{true, Loaded::Scalar};
  }
  if (in(off, kSaSk, 8)) {
    if (write || size != 8) return {};
    return Access{true, Loaded::Sock};
  }
  if (write || size != 4) return {};
  return Access{true, Loaded::Scalar};
}

// sock_filter_is_valid_access: bpf_sock's rules, then the attach type's.
Access cgroup_sock(int64_t off, int size, bool write, uint32_t at) {
  if (!bpf_sock_ok(off, size)) return {};
  const bool create = at == kInetSockCreate || at == kInetSockRelease;
  if (off == kSkBoundDevIf || off == kSkMark || off == kSkPriority) return Access{create, Loaded::Scalar};
  if (in(off, kSkSrcIp4, 4) && at != kInet4PostBind) return {};
  if (in(off, kSkSrcIp6, 16) && at != kInet6PostBind) return {};
  if (in(off, kSkSrcPort, 4) && at != kInet4PostBind && at != kInet6PostBind) return {};
  return Access{!write, Loaded::Scalar};
}

// struct bpf_sysctl: write (read-only), file_pos (read, and 4-byte writes).
Access sysctl(int64_t off, int size, bool write) {
  if (off < 0 || off + size > 8 || off % size != 0) return {};
  if (in(off, 0, 4)) return Access{!write && narrow_ok(size, 4), Loaded::Scalar};
  return Access{write ? size == 4 : narrow_ok(size, 4), Loaded::Scalar};
}

}  // namespace

bool sock_access(SockKind kind, int64_t off, int size) {
  if (size <= 0) return false;
  switch (kind) {
    case SockKind::SockCommon:
      if (in(off, kSkType, kSkPriority + 4 - kSkType)) return false;
      return bpf_sock_ok(off, size);
    case SockKind::Sock: return bpf_sock_ok(off, size);
    case SockKind::TcpSock:
      // struct bpf_tcp_sock: u32 fields, bytes_received/bytes_acked u64, up to icsk_retransmits
      if (off < 0 || off >= 112 || off % size != 0) return false;
      if (off == 80 || off == 88) return size == 8;
      return size == 4;
    case SockKind::XdpSock: return off == 0 && size == 4;  // struct bpf_xdp_sock: queue_id
  }
  return false;
}

bool return_range(ProgType type, uint32_t attach, int32_t& lo, int32_t& hi) {
  lo = 0, hi = 1;
  switch (type) {
    case ProgType::CgroupSockAddr:
      if (attach == kUdp4Recvmsg || attach == kUdp6Recvmsg || attach == kUnixRecvmsg || attach == kInet4Getpeername ||
          attach == kInet6Getpeername || attach == kUnixGetpeername || attach == kInet4Getsockname ||
          attach == kInet6Getsockname || attach == kUnixGetsockname)
        lo = 1;
      if (attach == kInet4Bind || attach == kInet6Bind) hi = 3;
      return true;
    case ProgType::CgroupSkb:
      if (attach == kInetEgress) hi = 3;  // bit 1: congestion notification (egress only)
      return true;
    case ProgType::CgroupSock:
    case ProgType::SockOps:
    case ProgType::CgroupSysctl:
    case ProgType::SkLookup: return true;  // SK_DROP or SK_PASS
    default: return false;
  }
}

Access check(ProgType type, int64_t off, int size, bool write, uint32_t attach) {
  if (size <= 0) return {};
  switch (type) {
    case ProgType::SchedCls:
    case ProgType::SchedAct: return tc(off, size, write);
    case ProgType::SocketFilter: return socket_filter(off, size, write);
    case ProgType::Xdp: return xdp(off, size, write, attach);
    case ProgType::Kprobe: return read_only(off, size, write, 168);  // sizeof(struct pt_regs), x86-64
    case ProgType::Tracepoint: return read_only(off, size, write, 2048, 8);  // past the common header's pointer
    case ProgType::RawTracepoint:
    case ProgType::Tracing:
    case ProgType::Lsm: return read_only(off, size, write, 8 * 12);  // MAX_BPF_FUNC_ARGS u64 arguments
    case ProgType::Syscall: return read_only(off, size, write, 65535);
    case ProgType::CgroupSkb: return cgroup_skb(off, size, write);
    case ProgType::CgroupSockAddr: return sock_addr(off, size, write, attach);
    case ProgType::CgroupSock: return cgroup_sock(off, size, write, attach);
    case ProgType::CgroupSysctl: return sysctl(off, size, write);
    case ProgType::PerfEvent: return perf_event(off, size, write);
    case ProgType::LwtIn:
    case ProgType::LwtOut:
    case ProgType::LwtXmit:
    case ProgType::LwtSeg6local: return lwt(off, size, write);
    case ProgType::SkSkb: return sk_skb(off, size, write);
    case ProgType::FlowDissector: return flow_dissector(off, size, write);
    case ProgType::SkMsg: return sk_msg(off, size, write);
    case ProgType::SockOps: return sock_ops(off, size, write);
    case ProgType::SkLookup: return sk_lookup(off, size, write);
    case ProgType::SkReuseport: return sk_reuseport(off, size, write);
    default: return {};
  }
}

bool modelled(ProgType type) {
  switch (type) {
    case ProgType::SchedCls: case ProgType::SchedAct: case ProgType::SocketFilter: case ProgType::Xdp:
    case ProgType::Kprobe: case ProgType::Tracepoint: case ProgType::RawTracepoint: case ProgType::Tracing:
    case ProgType::Lsm: case ProgType::Syscall: case ProgType::CgroupSkb: case ProgType::CgroupSockAddr:
    case ProgType::CgroupSock: case ProgType::CgroupSysctl: case ProgType::PerfEvent: case ProgType::LwtIn:
    case ProgType::LwtOut: case ProgType::LwtXmit: case ProgType::LwtSeg6local: case ProgType::SkSkb:
    case ProgType::FlowDissector: case ProgType::SockOps:
    case ProgType::SkMsg: case ProgType::SkLookup: case ProgType::SkReuseport: return true;
    default: return false;
  }
}

bool has_packet(ProgType type) {
  return type == ProgType::SchedCls || type == ProgType::SchedAct || type == ProgType::Xdp ||
         type == ProgType::LwtXmit || type == ProgType::SkSkb || type == ProgType::SkMsg;
}

}  // namespace ringb::prog_ctx
