// ringb/test_ctx.h — the contexts ringb's test runs build (api/test_run.cc)
// and the packet helpers work on (vm/skb_helpers.cc, vm/xdp_helpers.cc).
//
// A packet program's r1 points at the uapi struct the program was compiled
// against (__sk_buff, xdp_md), which is the first member of a larger record:
// what the kernel keeps in its sk_buff / xdp_buff (buffer bounds, headers,
// checksum state) follows it, where programs never look. Everything lives in
// one mapping below 4 GiB, so the uapi's 32-bit data/data_end fields are the
// pointers themselves (docs/vm.md).
#pragma once

#include <linux/bpf.h>

#include <cstdint>

namespace ringb {

// How an sk_buff was built, which decides what some helpers do.
enum class SkbKind : uint32_t {
  L2 = 0,             // tc: data starts at the Ethernet header
  L3 = 1,             // cgroup_skb, lwt_*, socket filter: data starts at the network header
  FlowDissector = 2,  // flow_dissector: no sk_buff behind it (skb_load_bytes answers -EFAULT)
  SkSkb = 3,          // sk_skb: data is the stream's payload
};

// The kernel's limits the packet helpers check, Linux 6.18 on x86-64.
inline constexpr uint32_t kSkbMaxLen = 16064;        // BPF_SKB_MAX_LEN = SKB_MAX_ALLOC
inline constexpr uint32_t kEthHlen = 14;             // ETH_HLEN, also lo's hard_header_len
inline constexpr uint32_t kLoopbackMtu = 65536;      // the test runs' device: lo
inline constexpr uint32_t kXdpHeadroom = 256;        // XDP_PACKET_HEADROOM
inline constexpr uint32_t kXdpFrameSize = 4096;      // a test run's frame: one page
inline constexpr uint32_t kXdpFrameStruct = 40;      // sizeof(struct xdp_frame), kept at hard_start
inline constexpr uint32_t kSkbSharedInfo = 320;      // SKB_DATA_ALIGN(sizeof(struct skb_shared_info))
inline constexpr uint32_t kXdpMaxMeta = 255;         // xdp_metalen_invalid: skb_shared_info.meta_len is a u8

struct SkbRun {
  __sk_buff md;           // what the program sees (r1)
  SkbKind kind;
  uint32_t head, end;     // the buffer: [head, end), 32-bit addresses
  uint32_t mac;           // the mac header's address
  uint32_t ip_summed;     // CHECKSUM_NONE (0) in test runs, as the kernel's
  uint32_t csum;
  // skb->sk: the kernel's test runs give the skb a dummy socket (no type or
  // protocol, TCP_CLOSE) of the packet's family, with its addresses.
  bpf_sock sk;
  uint32_t encapsulation;  // skb->encapsulation: set by an encapsulating skb_adjust_room
  uint32_t hash_set;       // md.hash is valid (skb->l4_hash / sw_hash): get_hash_recalc keeps it
};

struct XdpRun {
  xdp_md md;              // what the program sees (r1)
  uint32_t hard_start;    // the frame's start; data starts kXdpHeadroom later
  uint32_t frame_sz;
};

// sk_msg programs: sk_msg_md over the message (data/data_end are 64-bit).
// md.sk: the verifier reads it as a socket that is never NULL, so a test
// run gives it a dummy one (no family, type or protocol, TCP_CLOSE).
//
// The message is the kernel's struct sk_msg scatterlist ring: elements
// [start, end) of kMsgFragIds slots, at most kMaxMsgFrags in use, md.size
// their total (sg.size). A test run starts with one element holding
// data_in; the data helpers (vm/msg_helpers.cc) split, join and add
// elements as net/core/filter.c does, the new buffers from `arena`
// (bump-allocated, never freed during a run: -ENOMEM when it is used up).
// md.data/md.data_end cover the first element, or what msg_pull_data made
// linear.
inline constexpr uint32_t kMaxMsgFrags = 17;  // MAX_MSG_FRAGS = MAX_SKB_FRAGS
inline constexpr uint32_t kMsgFragIds = kMaxMsgFrags + 1;  // NR_MSG_FRAG_IDS
inline constexpr uint32_t kMsgArena = 256 * 1024;  // new buffers' room, beyond 2 x data_in

struct MsgSge {
  uint8_t* data;
  uint32_t length;
  uint32_t copy;  // the kernel's sg.copy bit: the bytes are not the program's to write
};

struct MsgRun {
  sk_msg_md md;
  bpf_sock sk;
  MsgSge sg[kMsgFragIds];
  uint32_t start, end;  // ring indices
  uint32_t apply_bytes, cork_bytes;  // what msg_apply_bytes / msg_cork_bytes set
  uint8_t* arena;
  uint32_t arena_used, arena_size;
};

// sock_ops programs: struct bpf_sock_ops from the host (ctx_in), skb_data /
// skb_data_end over data_in. The context's socket (`kern_sk`, what the
// kernel's bpf_sock_ops_kern.sk is) is a socket of the host's table when
// ctx_in's sk field names one by its cookie, else one built from the
// context's fields; md.sk shows it when is_fullsock (else NULL, as the
// kernel gives).
// struct bpf_sock_ops is 224 bytes in Linux 6.18 (skb_hwtstamp last); older
// uapi headers end it at 216, so the context is kept at the kernel's size.
inline constexpr uint32_t kSockOpsSize = 224;
struct SockOpsRun {
  union {
    bpf_sock_ops md;
    uint8_t md_bytes[kSockOpsSize];
  };
  bpf_sock sk;
  const bpf_sock* kern_sk;
};
static_assert(sizeof(bpf_sock_ops) <= kSockOpsSize);

// sk_lookup programs: struct bpf_sk_lookup from the host (ctx_in, as the
// kernel's bpf_prog_test_run_sk_lookup takes it); md.sk is the selection
// so far (bpf_sk_assign sets it, with no_reuseport from its flags).
struct SkLookupRun {
  bpf_sk_lookup md;
  uint32_t no_reuseport;
};

// The sk_lookup context the corpus drivers give (ringb test, the corpus
// and oracle tests; the kernel's test run needs one and takes no data):
// an IPv4 TCP lookup from 10.0.0.1:40000 to 10.0.0.2:8080.
inline bpf_sk_lookup corpus_sk_lookup_ctx() {
  bpf_sk_lookup c{};
  c.family = 2;     // AF_INET
  c.protocol = 6;   // IPPROTO_TCP
  c.remote_ip4 = 0x0100000a;  // 10.0.0.1, network order
  c.local_ip4 = 0x0200000a;   // 10.0.0.2
  c.remote_port = 0x409c;     // htons(40000)
  c.local_port = 8080;        // host order
  return c;
}

}  // namespace ringb
