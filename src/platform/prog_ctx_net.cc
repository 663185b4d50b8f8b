// prog_ctx_net.cc — the contexts of lwt_*, sk_skb, flow_dissector, sk_msg
// and sock_ops programs, written from net/core/filter.c's *_is_valid_access for
// Linux 6.18.
#include "prog_ctx_skb.h"

namespace ringb::prog_ctx {

// lwt_in/out/xmit/seg6local: no tc_classid, socket addresses, data_meta,
// tstamp, wire_len or hwtstamp; mark, priority and cb[] writable.
Access lwt(int64_t off, int size, bool write) {
  if (in(off, kTcClassid, 4) || in(off, kFamily, kLocalPortEnd - kFamily) || in(off, kDataMeta, 4) ||
      in(off, kTstamp, 8) || in(off, kWireLen, 4) || in(off, kHwtstamp, 8))
    return {};
  if (write && !(in(off, kMark, 4) || in(off, kPriority, 4) || in(off, kCb0, kCbEnd - kCb0))) return {};
  Loaded l = Loaded::Scalar;
  if (in(off, kData, 4)) l = Loaded::Packet;
  else if (in(off, kDataEnd, 4)) l = Loaded::PacketEnd;
  return skb_common(off, size, write, l);
}

// sk_skb: the socket addresses are there, mark is not; tc_index and
// priority writable.
Access sk_skb(int64_t off, int size, bool write) {
  if (in(off, kTcClassid, 4) || in(off, kDataMeta, 4) || in(off, kTstamp, 8) || in(off, kWireLen, 4) ||
      in(off, kHwtstamp, 8))
    return {};
  if (write && !(in(off, kTcIndex, 4) || in(off, kPriority, 4))) return {};
  if (in(off, kMark, 4)) return {};
  Loaded l = Loaded::Scalar;
  if (in(off, kData, 4)) l = Loaded::Packet;
  else if (in(off, kDataEnd, 4)) l = Loaded::PacketEnd;
  return skb_common(off, size, write, l);
}

// flow_dissector: reads of data, data_end (4 bytes) and flow_keys (8: a
// PTR_TO_FLOW_KEYS) only. The kernel also takes a read that starts inside
// one of them (it rewrites the load to the field); ringb, which reads the
// context as it is, takes only the field's start (a soundness mutant read
// flow_keys at 151 and got a wild pointer).
Access flow_dissector(int64_t off, int size, bool write) {
  if (off < 0 || off >= kSkbSize || write) return {};
  if (in(off, kData, 4)) return Access{size == 4 && off == kData, Loaded::Packet};
  if (in(off, kDataEnd, 4)) return Access{size == 4 && off == kDataEnd, Loaded::PacketEnd};
  if (in(off, kFlowKeys, 8)) return Access{size == 8 && off == kFlowKeys, Loaded::FlowKeys};
  return {};
}

// struct sk_msg_md: read-only; data, data_end and sk 8 bytes, the u32
// fields whole.
Access sk_msg(int64_t off, int size, bool write) {
  constexpr int64_t kMsgData = 0, kMsgDataEnd = 8, kMsgFamily = 16, kMsgSizeEnd = 72, kMsgSk = 72;
  if (write || off % size != 0) return {};
  if (in(off, kMsgData, 8)) return Access{size == 8, Loaded::Packet};
  if (in(off, kMsgDataEnd, 8)) return Access{size == 8, Loaded::PacketEnd};
  if (in(off, kMsgFamily, kMsgSizeEnd - kMsgFamily)) return Access{size == 4, Loaded::Scalar};
  if (in(off, kMsgSk, 8)) return Access{size == 8, Loaded::Sock};
  return {};
}

// struct bpf_sock_ops: reads of whole u32 fields, the two u64 counters,
// skb_hwtstamp and the three pointers (sk: a socket or NULL, skb_data and
// skb_data_end: the packet) 8 bytes wide, skb_tcp_flags narrow too; writes
// of reply and sk_txhash only, 4 bytes.
Access sock_ops(int64_t off, int size, bool write) {
  constexpr int64_t kReply = 4, kTxhash = 164, kBytesReceived = 168, kBytesAckedEnd = 184, kOpsSk = 184,
                    kSkbData = 192, kSkbDataEnd = 200, kSkbTcpFlags = 212, kSkbHwtstamp = 216, kOpsSize = 224;
  if (off < 0 || off >= kOpsSize || off % size != 0) return {};
  if (write) return Access{(off == kReply || off == kTxhash) && size == 4, Loaded::Scalar};
  if (in(off, kBytesReceived, kBytesAckedEnd - kBytesReceived) || in(off, kSkbHwtstamp, 8))
    return Access{size == 8, Loaded::Scalar};
  if (in(off, kOpsSk, 8)) return Access{size == 8, Loaded::SockOrNull};
  if (in(off, kSkbData, 8)) return Access{size == 8, Loaded::Packet};
  if (in(off, kSkbDataEnd, 8)) return Access{size == 8, Loaded::PacketEnd};
  if (in(off, kSkbTcpFlags, 4)) return Access{size <= 4 && (size & (size - 1)) == 0, Loaded::Scalar};
  return Access{size == 4, Loaded::Scalar};
}

}  // namespace ringb::prog_ctx

namespace ringb::prog_ctx {

// struct bpf_sk_lookup: read-only; sk (a socket or NULL, the selection so
// far) 8 bytes; the u32 fields narrow too; remote_port a __be16 (4-byte
// loads too, for old programs) and the 16 bits of zero padding after it
// readable; nothing past ingress_ifindex (the struct's tail padding).
Access sk_lookup(int64_t off, int size, bool write) {
  constexpr int64_t kLkSk = 0, kLkFamily = 8, kLkRemotePort = 36, kLkPad = 38, kLkLocalIp4 = 40, kLkEnd = 68;
  auto narrow = [](int s, int dflt) { return s <= dflt && (s & (s - 1)) == 0; };
  if (write || off < 0 || off >= 72 || off % size != 0) return {};
  if (in(off, kLkSk, 8)) return Access{off == kLkSk && size == 8, Loaded::SockOrNull};
  if (in(off, kLkRemotePort, 2)) return Access{size == 4 || narrow(size, 2), Loaded::Scalar};
  if (in(off, kLkPad, 2)) return Access{narrow(size, 2), Loaded::Scalar};
  if (in(off, kLkFamily, kLkRemotePort - kLkFamily) || in(off, kLkLocalIp4, kLkEnd - kLkLocalIp4))
    return Access{narrow(size, 4), Loaded::Scalar};
  return {};
}

}  // namespace ringb::prog_ctx

namespace ringb::prog_ctx {

// struct sk_reuseport_md: read-only; data, data_end (the packet from the
// transport header), sk (a socket) and migrating_sk (a sock_common or
// NULL) 8 bytes; hash whole; len, eth_protocol (not below 2 bytes: the
// kernel's skb->protocol is a u16), ip_protocol and bind_inany narrow too.
Access sk_reuseport(int64_t off, int size, bool write) {
  constexpr int64_t kRpData = 0, kRpDataEnd = 8, kRpLen = 16, kRpEthProto = 20, kRpHash = 32, kRpSk = 40,
                    kRpMigrating = 48, kRpSize = 56;
  auto narrow = [](int s) { return s <= 4 && (s & (s - 1)) == 0; };
  if (write || off < 0 || off >= kRpSize || off % size != 0) return {};
  if (off == kRpData) return Access{size == 8, Loaded::Packet};
  if (off == kRpDataEnd) return Access{size == 8, Loaded::PacketEnd};
  if (off == kRpHash) return Access{size == 4, Loaded::Scalar};
  if (off == kRpSk) return Access{size == 8, Loaded::Sock};
  if (off == kRpMigrating) return Access{size == 8, Loaded::SockCommonOrNull};
  if (in(off, kRpEthProto, 4)) return Access{size >= 2 && narrow(size), Loaded::Scalar};
  if (in(off, kRpLen, kRpHash - kRpLen)) return Access{narrow(size), Loaded::Scalar};
  return {};
}

}  // namespace ringb::prog_ctx
