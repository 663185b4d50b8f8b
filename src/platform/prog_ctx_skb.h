// prog_ctx_skb.h — struct __sk_buff's layout and the rules every __sk_buff
// program type shares (bpf_skb_is_valid_access), for prog_ctx.cc and
// prog_ctx_net.cc.
#pragma once

#include <cstdint>

#include "ringb/prog_ctx.h"

namespace ringb::prog_ctx {

// struct __sk_buff offsets (uapi/linux/bpf.h).
inline constexpr int64_t kMark = 8, kQueueMapping = 12, kPriority = 32, kTcIndex = 44, kCb0 = 48, kCbEnd = 68,
                         kTcClassid = 72, kData = 76, kDataEnd = 80, kFamily = 88, kRemoteIp4 = 92, kLocalIp4 = 96,
                         kRemoteIp6 = 100, kLocalIp6End = 132, kLocalPortEnd = 140, kDataMeta = 140, kFlowKeys = 144,
                         kTstamp = 152, kWireLen = 160, kSk = 168, kTstampType = 180, kHwtstamp = 184,
                         kSkbSize = 192;

inline bool in(int64_t off, int64_t start, int64_t len) { return off >= start && off < start + len; }

// bpf_skb_is_valid_access: `loaded` is what a read gives where the program
// type's own rules decided it (data, data_end).
Access skb_common(int64_t off, int size, bool write, Loaded loaded);

// prog_ctx_net.cc: lwt_is_valid_access (lwt_in/out/xmit/seg6local),
// sk_skb_is_valid_access, flow_dissector_is_valid_access,
// sk_msg_is_valid_access (struct sk_msg_md).
Access lwt(int64_t off, int size, bool write);
Access sk_skb(int64_t off, int size, bool write);
Access flow_dissector(int64_t off, int size, bool write);
Access sk_msg(int64_t off, int size, bool write);
// sock_ops_is_valid_access (struct bpf_sock_ops).
Access sock_ops(int64_t off, int size, bool write);
// sk_lookup_is_valid_access (struct bpf_sk_lookup).
Access sk_lookup(int64_t off, int size, bool write);
// sk_reuseport_is_valid_access (struct sk_reuseport_md).
Access sk_reuseport(int64_t off, int size, bool write);

}  // namespace ringb::prog_ctx
