// prog_ctx.cc — context access rules per program type, written from the
// kernel's *_is_valid_access functions (net/core/filter.c,
// kernel/trace/bpf_trace.c, kernel/bpf/syscall.c) for Linux 6.18.
#include "ringb/prog_ctx.h"

namespace ringb::prog_ctx {
namespace {

// struct __sk_buff offsets (uapi/linux/bpf.h).
constexpr int64_t kMark = 8, kQueueMapping = 12, kPriority = 32, kTcIndex = 44, kCb0 = 48, kCbEnd = 68,
                  kTcClassid = 72, kData = 76, kDataEnd = 80, kFamily = 88, kRemoteIp4 = 92, kLocalIp4 = 96,
                  kRemoteIp6 = 100, kLocalIp6End = 132, kLocalPortEnd = 140, kDataMeta = 140, kFlowKeys = 144,
                  kTstamp = 152, kWireLen = 160, kSk = 168, kTstampType = 180, kHwtstamp = 184, kSkbSize = 192;

bool in(int64_t off, int64_t start, int64_t len) { return off >= start && off < start + len; }

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
  } else if (off == kSk) {
    if (write || size != 8) return no;
    loaded = Loaded::SockCommonOrNull;
  } else if (off == kTstampType || in(off, kTstampType + 1, kHwtstamp - kTstampType - 1)) {
    return no;
  } else if (write ? size != 4 : (size > 4 || (size & (size - 1)))) {
    return no;
  }
  return Access{true, loaded};
}

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

Access xdp(int64_t off, int size, bool write) {
  // struct xdp_md: data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex
  // egress_ifindex (20) only for BPF_XDP_DEVMAP programs, which ringb does
  // not tell apart: refused, as the kernel refuses it for SEC("xdp").
  if (write || off < 0 || off >= 20 || off % size != 0 || size != 4) return {};
  Loaded l = off == 0 ? Loaded::Packet : off == 4 ? Loaded::PacketEnd : off == 8 ? Loaded::PacketMeta : Loaded::Scalar;
  return Access{true, l};
}

Access read_only(int64_t off, int size, bool write, int64_t limit, int64_t lowest = 0) {
  if (write || off < lowest || off >= limit || off % size != 0 || off + size > limit) return {};
  return Access{true, Loaded::Scalar};
}

}  // namespace

Access check(ProgType type, int64_t off, int size, bool write) {
  if (size <= 0) return {};
  switch (type) {
    case ProgType::SchedCls:
    case ProgType::SchedAct: return tc(off, size, write);
    case ProgType::SocketFilter: return socket_filter(off, size, write);
    case ProgType::Xdp: return xdp(off, size, write);
    case ProgType::Kprobe: return read_only(off, size, write, 168);  // sizeof(struct pt_regs), x86-64
    case ProgType::Tracepoint: return read_only(off, size, write, 2048, 8);  // past the common header's pointer
    case ProgType::RawTracepoint:
    case ProgType::Tracing:
    case ProgType::Lsm: return read_only(off, size, write, 8 * 12);  // MAX_BPF_FUNC_ARGS u64 arguments
    case ProgType::Syscall: return read_only(off, size, write, 65535);
    default: return {};
  }
}

bool modelled(ProgType type) {
  switch (type) {
    case ProgType::SchedCls: case ProgType::SchedAct: case ProgType::SocketFilter: case ProgType::Xdp:
    case ProgType::Kprobe: case ProgType::Tracepoint: case ProgType::RawTracepoint: case ProgType::Tracing:
    case ProgType::Lsm: case ProgType::Syscall: return true;
    default: return false;
  }
}

bool has_packet(ProgType type) {
  return type == ProgType::SchedCls || type == ProgType::SchedAct || type == ProgType::Xdp;
}

}  // namespace ringb::prog_ctx
