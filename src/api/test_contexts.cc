// test_contexts.cc — contexts for test runs, per program type, after the
// kernel's net/bpf/test_run.c:
//   tc (sched_cls/act)     __sk_buff, data at the Ethernet header, len = data_in
//                          (skb and xdp types: the fields a ctx_in may set,
//                          packet_ctx_in.h)
//   cgroup_skb, lwt_*,     __sk_buff after eth_type_trans: data at the network
//   socket filter          header, len = data_in - 14 (the kernel's !is_l2)
//   flow_dissector         __sk_buff with data/data_end over data_in (from the
//                          Ethernet header) and flow_keys -> struct bpf_flow_keys
//                          (n_proto, nhoff = thoff = 14, flags from ctx_in);
//                          data_out is the flow keys (bpf_prog_test_run_flow_dissector)
//   sk_skb                 __sk_buff over data_in (the stream's payload); the
//                          kernel has no test run for it
//   xdp                    xdp_md in a 4096-byte frame, 256 bytes of headroom
//   sk_msg                 sk_msg_md over data_in (no kernel test run)
//   sk_lookup              struct bpf_sk_lookup from ctx_in (needed); no data;
//                          ctx_out's cookie: the selected socket's
//   kprobe                 struct pt_regs (168 bytes) from ctx_in, zero-filled
//   perf_event             struct bpf_perf_event_data (184 bytes) from ctx_in
//   raw_tp                 u64 args[] from ctx_in, at most 12 (MAX_BPF_FUNC_ARGS)
//   everything else        ctx_in as given (64 zero bytes if absent)
// Packet buffers have the room the kernel's helpers may grow into
// (BPF_SKB_MAX_LEN on both sides of an skb; the XDP frame's head and tail).
#include "test_contexts.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstring>

#include "packet_ctx_in.h"
#include "ringb/sockets.h"
#include "ringb/test_ctx.h"

namespace ringb::api {
namespace {

constexpr size_t kSkbPad = 64 + 2;  // NET_SKB_PAD + NET_IP_ALIGN: the kernel's skb headroom
constexpr size_t kPtRegs = 21 * 8;  // struct pt_regs, x86-64
constexpr size_t kPerfEventData = kPtRegs + 16;  // struct bpf_perf_event_data
constexpr size_t kMaxRawTpArgs = 12;             // MAX_BPF_FUNC_ARGS

uint32_t low32(const void* p) { return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(p)); }

bool is_skb(ProgType t) {
  switch (t) {
    case ProgType::SchedCls: case ProgType::SchedAct: case ProgType::SocketFilter: case ProgType::CgroupSkb:
    case ProgType::LwtIn: case ProgType::LwtOut: case ProgType::LwtXmit: case ProgType::LwtSeg6local:
    case ProgType::FlowDissector: case ProgType::SkSkb:
      return true;
    default:
      return false;
  }
}

size_t low_size(ProgType t, const TestRunOptions& o) {
  if (is_skb(t)) return sizeof(SkbRun) + sizeof(bpf_flow_keys) + 2 * (kSkbMaxLen + kSkbPad) + o.data_in.size() + 64;
  if (t == ProgType::Xdp) return sizeof(XdpRun) + 64 + kXdpFrameSize;
  if (t == ProgType::SkMsg) return sizeof(MsgRun) + o.data_in.size() + 64 + kMsgArena + 2 * o.data_in.size();
  return 0;
}

}  // namespace

Expected<std::unique_ptr<TestContext>> TestContext::build(ProgType type, const TestRunOptions& o) {
  // The kernel has no test run for sk_reuseport (-ENOTSUPP); ringb has no
  // context for one yet either.
  if (type == ProgType::SkReuseport) return Error{EOPNOTSUPP, "sk_reuseport programs have no test run (nor in the kernel)"};
  std::unique_ptr<TestContext> c(new TestContext(type, low_size(type, o)));
  Status s;
  if (is_skb(type)) s = c->build_skb(o);
  else if (type == ProgType::Xdp) s = c->build_xdp(o);
  else if (type == ProgType::SkMsg) s = c->build_msg(o);
  else if (type == ProgType::SockOps) s = c->build_sock_ops(o);
  else if (type == ProgType::SkLookup) s = c->build_sk_lookup(o);
  else s = c->build_plain(o);
  if (!s) return s.error();
  return c;
}

Status TestContext::build_skb(const TestRunOptions& o) {
  const bool sk_skb = type_ == ProgType::SkSkb;
  if (!sk_skb && o.data_in.size() < kEthHlen)
    return Error{EINVAL, std::string(prog_type_name(type_)) +
                             " programs need data_in of at least 14 bytes (an Ethernet header)"};
  if (!low_.ok()) return Error{ENOMEM, "cannot map packet memory below 4 GiB"};
  auto* run = reinterpret_cast<SkbRun*>(low_.data());
  auto* keys = reinterpret_cast<bpf_flow_keys*>(low_.data() + sizeof(SkbRun));
  uint8_t* head = low_.data() + sizeof(SkbRun) + sizeof(bpf_flow_keys);
  uint8_t* mac = head + kSkbMaxLen + kSkbPad;
  const size_t n = o.data_in.size();
  if (n) std::memcpy(mac, o.data_in.data(), n);
  run->head = low32(head);
  run->end = low32(low_.data() + low_.size());
  run->mac = low32(mac);
  __sk_buff& md = run->md;
  uint8_t* data = mac;
  switch (type_) {
    case ProgType::SchedCls: case ProgType::SchedAct: run->kind = SkbKind::L2; break;
    case ProgType::FlowDissector: run->kind = SkbKind::FlowDissector; break;
    case ProgType::SkSkb: run->kind = SkbKind::SkSkb; break;
    default: run->kind = SkbKind::L3; data = mac + kEthHlen; break;  // eth_type_trans pulled the header
  }
  md.data = low32(data);
  md.data_end = low32(mac + n);
  md.data_meta = md.data;
  md.len = static_cast<uint32_t>(mac + n - data);
  if (!sk_skb) {
    uint16_t proto;
    std::memcpy(&proto, mac + 12, 2);  // eth_type_trans: h_proto, network order
    md.protocol = proto;
    md.ifindex = 1;  // the kernel runs tests on the loopback device
  }
  if (!sk_skb && type_ != ProgType::FlowDissector) {
    bpf_sock& sk = run->sk;
    sk.state = 7;  // BPF_TCP_CLOSE
    sk.rx_queue_mapping = -1;
    const uint8_t* l3 = mac + kEthHlen;
    const size_t l3_len = n - kEthHlen;
    if (md.protocol == htons(ETH_P_IP)) {
      sk.family = AF_INET;
      if (l3_len >= 20) {
        std::memcpy(&sk.src_ip4, l3 + 12, 4);
        std::memcpy(&sk.dst_ip4, l3 + 16, 4);
      }
    } else if (md.protocol == htons(ETH_P_IPV6)) {
      sk.family = AF_INET6;
      if (l3_len >= 40) {
        std::memcpy(sk.src_ip6, l3 + 8, 16);
        std::memcpy(sk.dst_ip6, l3 + 24, 16);
      }
    }
    md.sk = &sk;
  }
  // Without a ctx_in the kernel leaves wire_len (qdisc_skb_cb's pkt_len)
  // and gso_segs 0; with one, wire_len defaults to the length.
  if (type_ != ProgType::FlowDissector && !o.ctx_in.empty())
    if (Status s = apply_skb_ctx_in(o.ctx_in, md.len, md); !s)
      return Error{s.error().code, std::string(prog_type_name(type_)) + ": " + s.error().message};
  if (type_ == ProgType::FlowDissector) {
    // bpf_flow_dissect: the keys start zeroed with the protocol and offsets;
    // a ctx_in may give only flags (verify_user_bpf_flow_keys).
    if (!o.ctx_in.empty()) {
      if (o.ctx_in.size() > sizeof(bpf_flow_keys))
        return Error{EINVAL, "flow_dissector: ctx_in is larger than struct bpf_flow_keys"};
      bpf_flow_keys user{};
      std::memcpy(&user, o.ctx_in.data(), o.ctx_in.size());
      const uint32_t flags = user.flags;
      user.flags = 0;
      static const bpf_flow_keys zero{};
      if (std::memcmp(&user, &zero, sizeof user) != 0)
        return Error{EINVAL, "flow_dissector: ctx_in may set only bpf_flow_keys.flags"};
      keys->flags = flags;
    }
    keys->n_proto = md.protocol;
    keys->nhoff = kEthHlen;
    keys->thoff = kEthHlen;
    md.flow_keys = keys;
    md.protocol = 0;
    md.ifindex = 0;
    flow_hlen_ = static_cast<uint32_t>(n);
  }
  ctx_ = reinterpret_cast<uint64_t>(run);
  size_ = low_.size();
  return {};
}

Status TestContext::build_xdp(const TestRunOptions& o) {
  const size_t max = kXdpFrameSize - kXdpHeadroom - kSkbSharedInfo;
  if (o.data_in.size() < kEthHlen) return Error{EINVAL, "xdp programs need data_in of at least 14 bytes"};
  XdpCtxIn in;
  if (!o.ctx_in.empty()) {
    auto parsed = parse_xdp_ctx_in(o.ctx_in, o.data_in.size());
    if (!parsed) return Error{parsed.error().code, "xdp: " + parsed.error().message};
    in = *parsed;
  }
  if (o.data_in.size() - in.meta_len > max)
    return Error{EINVAL, "xdp: data_in is larger than one frame holds (" + std::to_string(max) + " bytes)"};
  if (!low_.ok()) return Error{ENOMEM, "cannot map packet memory below 4 GiB"};
  auto* run = reinterpret_cast<XdpRun*>(low_.data());
  uint8_t* frame = low_.data() + sizeof(XdpRun) + 64 - sizeof(XdpRun) % 64;
  // The metadata (the first meta_len bytes of data_in) ends where the packet
  // starts, XDP_PACKET_HEADROOM into the frame.
  uint8_t* data = frame + kXdpHeadroom;
  std::memcpy(data - in.meta_len, o.data_in.data(), o.data_in.size());
  run->hard_start = low32(frame);
  run->frame_sz = kXdpFrameSize;
  run->md.data = low32(data);
  run->md.data_end = low32(data + o.data_in.size() - in.meta_len);
  run->md.data_meta = low32(data - in.meta_len);
  run->md.ingress_ifindex = in.ingress_ifindex;
  run->md.rx_queue_index = in.rx_queue_index;
  ctx_ = reinterpret_cast<uint64_t>(run);
  size_ = low_.size();
  return {};
}

Status TestContext::build_msg(const TestRunOptions& o) {
  if (!low_.ok()) return Error{ENOMEM, "cannot map packet memory below 4 GiB"};
  auto* run = reinterpret_cast<MsgRun*>(low_.data());
  uint8_t* data = low_.data() + sizeof(MsgRun);
  if (!o.data_in.empty()) std::memcpy(data, o.data_in.data(), o.data_in.size());
  run->md.data = data;
  run->md.data_end = data + o.data_in.size();
  run->md.size = static_cast<uint32_t>(o.data_in.size());
  // One scatterlist element: data_in; the data helpers' buffers after it.
  run->sg[0] = MsgSge{data, run->md.size, 0};
  run->start = 0;
  run->end = 1;
  run->arena = data + (o.data_in.size() + 63) / 64 * 64;
  run->arena_used = 0;
  run->arena_size = static_cast<uint32_t>(low_.data() + low_.size() - run->arena);
  std::memset(&run->sk, 0, sizeof run->sk);
  run->sk.state = 7;  // BPF_TCP_CLOSE
  run->sk.rx_queue_mapping = -1;
  run->md.sk = &run->sk;
  ctx_ = reinterpret_cast<uint64_t>(run);
  size_ = low_.size();
  return {};
}

// sock_ops: struct bpf_sock_ops from ctx_in (at most its 224 bytes; the
// pointers are ringb's to set: sk, skb_data and skb_data_end must be 0), the
// packet of the callbacks that have one from data_in (skb_len its length).
// As in the kernel, a context that is not a full socket reads 0 in the
// fields only a full socket has and has no sk; a full socket's sk is built
// from the context (a TCP socket of its family, addresses, ports and state).
Status TestContext::build_sock_ops(const TestRunOptions& o) {
  if (o.ctx_in.size() > kSockOpsSize)
    return Error{EINVAL, "sock_ops: ctx_in is larger than struct bpf_sock_ops (224 bytes)"};
  plain_.assign(sizeof(SockOpsRun) + o.data_in.size(), 0);
  auto* run = reinterpret_cast<SockOpsRun*>(plain_.data());
  bpf_sock_ops& ops = run->md;
  if (!o.ctx_in.empty()) std::memcpy(run->md_bytes, o.ctx_in.data(), o.ctx_in.size());
  if (ops.skb_data || ops.skb_data_end)
    return Error{EINVAL, "sock_ops: ctx_in must leave skb_data and skb_data_end 0 (ringb sets them)"};
  // ctx_in's sk: 0, or the cookie of a socket of the host's table, which the
  // context then is (its fields as that socket's, a reference held for the run).
  uint64_t cookie;
  std::memcpy(&cookie, run->md_bytes + offsetof(bpf_sock_ops, sk), 8);
  if (cookie) {
    sockets::Table& t = sockets::table();
    const uint64_t h = t.handle_by_cookie(cookie);
    sockets::Record* rec = h ? t.acquire(h) : nullptr;
    if (!rec)
      return Error{EINVAL, "sock_ops: ctx_in's sk (" + std::to_string(cookie) +
                               ") is not the cookie of a socket in the host's table"};
    held_ = rec;
    const bpf_sock& s = rec->sk;
    ops.family = s.family;
    ops.remote_ip4 = s.dst_ip4;
    ops.local_ip4 = s.src_ip4;
    std::memcpy(ops.remote_ip6, s.dst_ip6, 16);
    std::memcpy(ops.local_ip6, s.src_ip6, 16);
    ops.remote_port = uint32_t{static_cast<uint16_t>(s.dst_port)} << 16;
    ops.local_port = s.src_port;
    ops.state = s.state;
    run->kern_sk = &rec->sk;
  }
  ops.sk = nullptr;
  if (!o.data_in.empty()) {
    uint8_t* pkt = plain_.data() + sizeof(SockOpsRun);
    std::memcpy(pkt, o.data_in.data(), o.data_in.size());
    ops.skb_data = pkt;
    ops.skb_data_end = pkt + o.data_in.size();
    ops.skb_len = static_cast<uint32_t>(o.data_in.size());
  } else {
    ops.skb_len = 0;
  }
  if (!ops.is_fullsock) {
    // SOCK_OPS_GET_FIELD's is_fullsock check: snd_cwnd .. bytes_acked but state.
    const uint32_t state = ops.state;
    auto* b = reinterpret_cast<uint8_t*>(&ops);
    std::memset(b + offsetof(bpf_sock_ops, snd_cwnd), 0,
                offsetof(bpf_sock_ops, sk) - offsetof(bpf_sock_ops, snd_cwnd));
    ops.state = state;
  } else if (!run->kern_sk) {
    bpf_sock& sk = run->sk;
    sk.family = ops.family;
    sk.type = SOCK_STREAM;
    sk.protocol = 6;  // IPPROTO_TCP
    sk.state = ops.state;
    sk.rx_queue_mapping = -1;
    sk.src_ip4 = ops.local_ip4;
    sk.dst_ip4 = ops.remote_ip4;
    std::memcpy(sk.src_ip6, ops.local_ip6, 16);
    std::memcpy(sk.dst_ip6, ops.remote_ip6, 16);
    sk.src_port = ops.local_port;                        // host order
    sk.dst_port = static_cast<uint16_t>(ops.remote_port >> 16);  // the __be16 the context keeps shifted up
    run->kern_sk = &sk;
  }
  if (!run->kern_sk) run->kern_sk = &run->sk;  // a socket that is not full: its fields as given
  if (ops.is_fullsock) ops.sk = const_cast<bpf_sock*>(run->kern_sk);
  ctx_ = reinterpret_cast<uint64_t>(plain_.data());
  size_ = plain_.size();
  return {};
}

// sk_lookup: struct bpf_sk_lookup from ctx_in, with the checks of the
// kernel's bpf_prog_test_run_sk_lookup: a context is needed, data is not;
// sk (cookie) and everything after local_port must be 0, local_port fit in
// 16 bits (ERANGE), the family be AF_INET or AF_INET6 (EAFNOSUPPORT).
// Family and protocol are kept as the u16 the kernel keeps.
Status TestContext::build_sk_lookup(const TestRunOptions& o) {
  if (!o.data_in.empty()) return Error{EINVAL, "sk_lookup: the test run takes no data_in"};
  if (o.ctx_in.empty()) return Error{EINVAL, "sk_lookup: the test run needs ctx_in (struct bpf_sk_lookup)"};
  if (o.ctx_in.size() > sizeof(bpf_sk_lookup))
    return Error{EINVAL, "sk_lookup: ctx_in is larger than struct bpf_sk_lookup (" +
                             std::to_string(sizeof(bpf_sk_lookup)) + " bytes)"};
  plain_.assign(sizeof(SkLookupRun), 0);
  auto* run = reinterpret_cast<SkLookupRun*>(plain_.data());
  std::memcpy(&run->md, o.ctx_in.data(), o.ctx_in.size());
  bpf_sk_lookup& md = run->md;
  if (md.cookie) return Error{EINVAL, "sk_lookup: ctx_in's sk (cookie) must be 0"};
  const auto* b = reinterpret_cast<const uint8_t*>(&md);
  for (size_t i = offsetof(bpf_sk_lookup, local_port) + 4; i < sizeof md; ++i)
    if (b[i]) return Error{EINVAL, "sk_lookup: ctx_in must be 0 after local_port"};
  if (md.local_port > 0xffff) return Error{ERANGE, "sk_lookup: local_port is larger than 65535"};
  md.family &= 0xffff;
  md.protocol &= 0xffff;
  if (md.family != AF_INET && md.family != AF_INET6)
    return Error{EAFNOSUPPORT, "sk_lookup: family must be AF_INET or AF_INET6"};
  ctx_ = reinterpret_cast<uint64_t>(plain_.data());
  size_ = plain_.size();
  return {};
}

TestContext::~TestContext() {
  if (held_) sockets::Table::release(held_);
}

Status TestContext::build_plain(const TestRunOptions& o) {
  size_t size = o.ctx_in.empty() ? 64 : o.ctx_in.size(), limit = 0;
  const char* what = "";
  switch (type_) {
    case ProgType::Kprobe: size = limit = kPtRegs; what = "struct pt_regs"; break;
    case ProgType::PerfEvent: size = limit = kPerfEventData; what = "struct bpf_perf_event_data"; break;
    case ProgType::RawTracepoint: size = limit = kMaxRawTpArgs * 8; what = "12 arguments (MAX_BPF_FUNC_ARGS)"; break;
    case ProgType::CgroupSockAddr: size = limit = sizeof(bpf_sock_addr); what = "struct bpf_sock_addr"; break;
    case ProgType::CgroupSock: size = limit = sizeof(bpf_sock); what = "struct bpf_sock"; break;
    case ProgType::CgroupSysctl: size = limit = sizeof(bpf_sysctl); what = "struct bpf_sysctl"; break;
    default: break;
  }
  if (limit && o.ctx_in.size() > limit)
    return Error{EINVAL, std::string(prog_type_name(type_)) + ": ctx_in is larger than " + what + " (" +
                             std::to_string(limit) + " bytes)"};
  // A sock_addr program's ctx->sk is the socket the call is made on: a
  // full socket of the context's family, type and protocol, after the context.
  const size_t sock_at = type_ == ProgType::CgroupSockAddr ? (size + 7) / 8 * 8 : 0;
  plain_.assign(sock_at ? sock_at + sizeof(bpf_sock) : size, 0);
  if (!o.ctx_in.empty()) std::memcpy(plain_.data(), o.ctx_in.data(), o.ctx_in.size());
  if (sock_at) {
    auto* sa = reinterpret_cast<bpf_sock_addr*>(plain_.data());
    auto* sk = reinterpret_cast<bpf_sock*>(plain_.data() + sock_at);
    sk->family = sa->family;
    sk->type = sa->type;
    sk->protocol = sa->protocol;
    sk->state = 7;  // BPF_TCP_CLOSE
    sk->rx_queue_mapping = -1;
    sa->sk = sk;
  }
  if (type_ == ProgType::CgroupSock && o.ctx_in.empty()) {
    auto* sk = reinterpret_cast<bpf_sock*>(plain_.data());
    sk->state = 7;
    sk->rx_queue_mapping = -1;
  }
  ctx_ = reinterpret_cast<uint64_t>(plain_.data());
  size_ = plain_.size();
  return {};
}

void TestContext::after_run() {
  if (type_ == ProgType::SkLookup) {
    // Each run starts with no selection; the last run's is the result.
    auto* run = reinterpret_cast<SkLookupRun*>(plain_.data());
    const sockets::Record* rec = run->md.sk ? sockets::table().record_of(run->md.sk) : nullptr;
    selected_cookie_ = rec ? rec->cookie : 0;
    run->md.sk = nullptr;
    return;
  }
  if (type_ != ProgType::FlowDissector) return;
  auto* keys = reinterpret_cast<bpf_flow_keys*>(low_.data() + sizeof(SkbRun));
  // bpf_flow_dissect: nhoff into [ETH_HLEN, hlen], thoff into [nhoff, hlen], as u16.
  auto clamp = [](uint16_t v, uint32_t lo, uint32_t hi) -> uint16_t {
    return static_cast<uint16_t>(v < lo ? lo : v > hi ? hi : v);
  };
  keys->nhoff = clamp(keys->nhoff, kEthHlen, flow_hlen_);
  keys->thoff = clamp(keys->thoff, keys->nhoff, flow_hlen_);
}

void TestContext::results(const TestRunOptions& o, TestRunResult& r) const {
  if (is_skb(type_)) {
    const auto* run = reinterpret_cast<const SkbRun*>(ctx_);
    if (type_ == ProgType::FlowDissector) {
      const auto* keys = reinterpret_cast<const uint8_t*>(low_.data() + sizeof(SkbRun));
      r.data_out.assign(keys, keys + sizeof(bpf_flow_keys));
      return;
    }
    // The kernel pushes the Ethernet header back before copying (!is_l2).
    const uint32_t from = run->kind == SkbKind::L3 ? run->md.data - kEthHlen : run->md.data;
    const auto* p = reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(from));
    r.data_out.assign(p, p + (run->md.data_end - from));
    if (!o.ctx_in.empty()) r.ctx_out = skb_ctx_out(o.ctx_in, run->md);
  } else if (type_ == ProgType::Xdp) {
    const auto* run = reinterpret_cast<const XdpRun*>(ctx_);
    const auto* p = reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(run->md.data_meta));
    r.data_out.assign(p, p + (run->md.data_end - run->md.data_meta));
    if (!o.ctx_in.empty()) r.ctx_out = xdp_ctx_out(o.ctx_in, run->md);
  } else if (type_ == ProgType::SkMsg) {
    const auto* run = reinterpret_cast<const MsgRun*>(ctx_);
    const auto* p = static_cast<const uint8_t*>(run->md.data);
    r.data_out.assign(p, static_cast<const uint8_t*>(run->md.data_end));
  } else if (type_ == ProgType::SockOps) {
    // The context as the program left it, without ringb's pointers.
    r.ctx_out.assign(plain_.begin(), plain_.begin() + kSockOpsSize);
    auto* ops = reinterpret_cast<bpf_sock_ops*>(r.ctx_out.data());
    ops->sk = nullptr;
    ops->skb_data = nullptr;
    ops->skb_data_end = nullptr;
  } else if (type_ == ProgType::SkLookup) {
    // The context back with the selected socket's cookie (0: none).
    r.ctx_out.assign(plain_.begin(), plain_.begin() + sizeof(bpf_sk_lookup));
    std::memcpy(r.ctx_out.data() + offsetof(bpf_sk_lookup, cookie), &selected_cookie_, 8);
  } else if (type_ == ProgType::CgroupSockAddr && !o.ctx_in.empty()) {
    r.ctx_out.assign(plain_.begin(), plain_.begin() + sizeof(bpf_sock_addr));
    std::memset(r.ctx_out.data() + offsetof(bpf_sock_addr, sk), 0, 8);  // the socket's address is ringb's
  } else if (!o.ctx_in.empty()) {
    r.ctx_out = plain_;
  }
}

}  // namespace ringb::api
