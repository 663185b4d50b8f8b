// skb_helpers.cc — helpers on the test run's sk_buff (ringb/test_ctx.h),
// with net/core/filter.c's checks and errnos (Linux 6.18): bytes in and out,
// checksums, growing and shrinking the packet, the MTU check. The packet is
// linear, so the kernel's "make writable" (skb_ensure_writable) fails only
// for lengths past skb->len. ip_summed is CHECKSUM_NONE, as in the kernel's
// test runs, so checksum helpers that need CHECKSUM_COMPLETE say so.
#include <cerrno>
#include <climits>
#include <cstring>

#include "csum.h"
#include "helper_sets.h"
#include "ringb/disasm.h"
#include "ringb/test_ctx.h"

namespace ringb::vm {
namespace {

constexpr long kENOTSUPP = 524;  // the kernel's internal ENOTSUPP
constexpr uint32_t kChecksumComplete = 2;

SkbRun& skb_of(uint64_t r) { return *reinterpret_cast<SkbRun*>(r); }
uint8_t* at(uint32_t a) { return reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(a)); }
void* ptr(uint64_t r) { return reinterpret_cast<void*>(r); }
uint64_t ret(long v) { return static_cast<uint64_t>(v); }

// bpf_compute_data_pointers after a change: data_meta = data, data_end = data + len.
void set_len(SkbRun& s, uint32_t len) {
  s.md.len = len;
  s.md.data_end = s.md.data + len;
  s.md.data_meta = s.md.data;
}

// skb_ensure_writable(skb, n) of a linear skb: fails only past skb->len.
bool writable(const SkbRun& s, uint64_t n) { return n <= s.md.len; }

uint64_t skb_load_bytes(RunState&, uint64_t skb, uint64_t offset, uint64_t to, uint64_t len, uint64_t) {
  const SkbRun& s = skb_of(skb);
  const uint64_t off = static_cast<uint32_t>(offset), n = static_cast<uint32_t>(len);
  // The flow dissector's test runs have no sk_buff behind the context.
  if (s.kind == SkbKind::FlowDissector || off > INT_MAX || off + n > s.md.len) {
    std::memset(ptr(to), 0, n);
    return ret(-EFAULT);
  }
  std::memcpy(ptr(to), at(s.md.data) + off, n);
  return 0;
}

uint64_t skb_store_bytes(RunState&, uint64_t skb, uint64_t offset, uint64_t from, uint64_t len,
                         uint64_t flags) {
  SkbRun& s = skb_of(skb);
  const uint64_t off = static_cast<uint32_t>(offset), n = static_cast<uint32_t>(len);
  if (flags & ~uint64_t{BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH}) return ret(-EINVAL);
  if (off > INT_MAX || !writable(s, off + n)) return ret(-EFAULT);
  std::memmove(at(s.md.data) + off, ptr(from), n);
  if (flags & BPF_F_INVALIDATE_HASH) s.md.hash = s.hash_set = 0;
  return 0;
}

uint64_t skb_pull_data(RunState&, uint64_t skb, uint64_t len, uint64_t, uint64_t, uint64_t) {
  SkbRun& s = skb_of(skb);
  const uint32_t n = static_cast<uint32_t>(len);
  const long r = writable(s, n ? n : s.md.len) ? 0 : -ENOMEM;
  set_len(s, s.md.len);
  return ret(r);
}

// __bpf_skb_min_len: the network header's offset (no transport header is
// set in test runs, and ip_summed is not CHECKSUM_PARTIAL).
uint32_t min_len(const SkbRun& s) {
  const int64_t net = s.kind == SkbKind::L2 ? static_cast<int64_t>(s.mac) + kEthHlen - s.md.data : 0;
  return static_cast<uint32_t>(net);
}

uint64_t skb_change_tail(RunState&, uint64_t skb, uint64_t new_len, uint64_t flags, uint64_t, uint64_t) {
  SkbRun& s = skb_of(skb);
  const uint32_t n = static_cast<uint32_t>(new_len);
  if (flags || n > kSkbMaxLen || n < min_len(s)) return ret(-EINVAL);
  // Growing exposes the buffer's bytes as they are (the kernel does not
  // clear them either); the test buffer starts zeroed.
  if (static_cast<uint64_t>(s.md.data) + n > s.end) return ret(-ENOMEM);
  set_len(s, n);
  return 0;
}

uint64_t skb_change_head(RunState&, uint64_t skb, uint64_t head_room, uint64_t flags, uint64_t, uint64_t) {
  SkbRun& s = skb_of(skb);
  const uint32_t room = static_cast<uint32_t>(head_room);
  const uint32_t new_len = s.md.len + room;
  if (flags || new_len > kSkbMaxLen || new_len < s.md.len) return ret(-EINVAL);
  if (s.md.data - s.head < room) return ret(-ENOMEM);  // the buffer keeps BPF_SKB_MAX_LEN in front
  s.md.data -= room;
  std::memset(at(s.md.data), 0, room);
  if (s.kind == SkbKind::L2) s.mac = s.md.data;  // skb_reset_mac_header
  set_len(s, new_len);
  return 0;
}

// bpf_l3_csum_replace / bpf_l4_csum_replace: the checksum field at offset.
long csum_field(SkbRun& s, uint64_t offset, uint16_t*& field) {
  const uint32_t off = static_cast<uint32_t>(offset);
  if (off > 0xffff || (off & 1)) return -EFAULT;
  if (!writable(s, uint64_t{off} + 2)) return -EFAULT;
  field = reinterpret_cast<uint16_t*>(at(s.md.data) + off);
  return 0;
}

uint64_t l3_csum_replace(RunState&, uint64_t skb, uint64_t offset, uint64_t from, uint64_t to, uint64_t flags) {
  SkbRun& s = skb_of(skb);
  if (flags & ~uint64_t{BPF_F_HDR_FIELD_MASK}) return ret(-EINVAL);
  uint16_t* f;
  if (long e = csum_field(s, offset, f)) return ret(e);
  uint16_t v;
  std::memcpy(&v, f, 2);
  switch (flags & BPF_F_HDR_FIELD_MASK) {
    case 0:
      if (from) return ret(-EINVAL);
      csum::replace_by_diff(&v, static_cast<uint32_t>(to));
      break;
    case 2: csum::replace2(&v, static_cast<uint16_t>(from), static_cast<uint16_t>(to)); break;
    case 4: csum::replace4(&v, static_cast<uint32_t>(from), static_cast<uint32_t>(to)); break;
    default: return ret(-EINVAL);
  }
  std::memcpy(f, &v, 2);
  return 0;
}

constexpr uint64_t kF_IPV6 = 1ull << 7;  // BPF_F_IPV6 (Linux 6.16)

uint64_t l4_csum_replace(RunState&, uint64_t skb, uint64_t offset, uint64_t from, uint64_t to, uint64_t flags) {
  SkbRun& s = skb_of(skb);
  const bool mmzero = flags & BPF_F_MARK_MANGLED_0, mforce = flags & BPF_F_MARK_ENFORCE;
  if (flags & ~uint64_t{BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK | kF_IPV6})
    return ret(-EINVAL);
  uint16_t* f;
  if (long e = csum_field(s, offset, f)) return ret(e);
  uint16_t v;
  std::memcpy(&v, f, 2);
  if (mmzero && !mforce && !v) return 0;  // UDP without a checksum stays without
  // inet_proto_csum_replace*: with ip_summed != CHECKSUM_PARTIAL the field is
  // updated like an L3 one (the pseudo-header flag then matters only for
  // CHECKSUM_COMPLETE's skb->csum, which test runs do not have).
  switch (flags & BPF_F_HDR_FIELD_MASK) {
    case 0:
      if (from) return ret(-EINVAL);
      csum::replace_by_diff(&v, static_cast<uint32_t>(to));
      break;
    case 2:  // inet_proto_csum_replace2 is replace4 of the zero-extended values
      csum::replace4(&v, static_cast<uint16_t>(from), static_cast<uint16_t>(to));
      break;
    case 4: csum::replace4(&v, static_cast<uint32_t>(from), static_cast<uint32_t>(to)); break;
    default: return ret(-EINVAL);
  }
  if (mmzero && !v) v = 0xffff;  // CSUM_MANGLED_0
  std::memcpy(f, &v, 2);
  return 0;
}

// Linux 6.18 takes any sizes (trailing bytes count as zero-padded, as x86's
// csum_partial reads them) and folds every result to 16 bits, the seed too.
uint64_t csum_diff(RunState&, uint64_t from, uint64_t from_size, uint64_t to, uint64_t to_size, uint64_t seed) {
  const uint32_t fs = static_cast<uint32_t>(from_size), ts = static_cast<uint32_t>(to_size);
  const uint32_t sd = static_cast<uint32_t>(seed);
  uint32_t r = sd;
  if (fs && ts) r = csum::sub(csum::partial(ptr(to), ts, sd), csum::partial(ptr(from), fs, 0));
  else if (ts) r = csum::partial(ptr(to), ts, sd);
  else if (fs) r = ~csum::partial(ptr(from), fs, ~sd);
  return csum::from32to16(r);
}

uint64_t csum_update(RunState&, uint64_t skb, uint64_t sum, uint64_t, uint64_t, uint64_t) {
  SkbRun& s = skb_of(skb);
  if (s.ip_summed != kChecksumComplete) return ret(-kENOTSUPP);
  s.csum = csum::add(s.csum, static_cast<uint32_t>(sum));
  return s.csum;
}

// bpf_skb_net_hdr_push / _pop: `len` bytes opened (zeroed) or closed at
// `off` from data; the bytes before `off` (the headers) move, the mac
// header with them.
long hdr_push(SkbRun& s, uint32_t off, uint32_t len) {
  if (s.md.data - s.head < len) return -ENOMEM;  // the buffer keeps BPF_SKB_MAX_LEN in front
  const uint32_t old = s.md.data;
  s.md.data -= len;
  std::memmove(at(s.md.data), at(old), off);
  std::memset(at(s.md.data) + off, 0, len);
  s.mac -= len;
  set_len(s, s.md.len + len);
  return 0;
}

long hdr_pop(SkbRun& s, uint32_t off, uint32_t len) {
  if (uint64_t{off} + len > s.md.len) return -ENOMEM;  // pskb_may_pull
  const uint32_t old = s.md.data;
  s.md.data += len;
  std::memmove(at(s.md.data), at(old), off);
  s.mac += len;
  set_len(s, s.md.len - len);
  return 0;
}

constexpr uint16_t kProtoIp = 0x0008, kProtoIpv6 = 0xdd86;  // htons(ETH_P_IP), htons(ETH_P_IPV6)

// bpf_skb_net_base_len: the fixed header of skb->protocol.
uint32_t net_base_len(uint32_t proto) { return proto == kProtoIp ? 20 : proto == kProtoIpv6 ? 40 : 0; }

// The adjust_room flags (uapi; the DECAP ones are Linux 6.3's).
constexpr uint64_t kAdjFixedGso = 1, kAdjEncapV4 = 1 << 1, kAdjEncapV6 = 1 << 2, kAdjEncapGre = 1 << 3,
                   kAdjEncapUdp = 1 << 4, kAdjNoCsumReset = 1 << 5, kAdjEncapL2Eth = 1 << 6, kAdjDecapV4 = 1 << 7,
                   kAdjDecapV6 = 1 << 8;
constexpr uint64_t kAdjEncapL3 = kAdjEncapV4 | kAdjEncapV6, kAdjDecapL3 = kAdjDecapV4 | kAdjDecapV6;
constexpr uint64_t kAdjMask = kAdjFixedGso | kAdjEncapL3 | kAdjEncapGre | kAdjEncapUdp | kAdjEncapL2Eth |
                              (uint64_t{0xff} << 56) | kAdjDecapL3;
constexpr uint32_t kAdjRoomNet = 0, kAdjRoomMac = 1;

// sk_skb's skb_adjust_room: room at the front of the payload only.
uint64_t sk_skb_adjust_room(SkbRun& s, uint32_t abs, bool shrink, uint64_t mode, uint64_t flags) {
  if (flags || static_cast<uint32_t>(mode)) return ret(-EINVAL);
  if (abs > 0xfff) return ret(-EFAULT);
  if (!shrink) {
    if (s.md.data - s.head < abs) return ret(-ENOMEM);
    s.md.data -= abs;
    std::memset(at(s.md.data), 0, abs);
    set_len(s, s.md.len + abs);
  } else {
    if (abs > s.md.len) return ret(-ENOMEM);
    s.md.data += abs;
    set_len(s, s.md.len - abs);
  }
  return 0;
}

// tc's skb_adjust_room: the checks in the kernel's order, then room
// opened or closed after the mac header (MAC) or after the network
// header's fixed part (NET). Test runs' skbs are not GSO unless a ctx_in
// gave gso_size, and then neither TCP nor UDP_L4 (-ENOTSUPP).
uint64_t skb_adjust_room(RunState&, uint64_t skb, uint64_t len_diff, uint64_t mode, uint64_t flags, uint64_t) {
  SkbRun& s = skb_of(skb);
  const int32_t diff = static_cast<int32_t>(len_diff);
  const bool shrink = diff < 0;
  const uint32_t abs = shrink ? 0u - static_cast<uint32_t>(diff) : static_cast<uint32_t>(diff);
  if (s.kind == SkbKind::SkSkb) return sk_skb_adjust_room(s, abs, shrink, mode, flags);
  if (flags & ~(kAdjMask | kAdjNoCsumReset)) return ret(-EINVAL);
  if (abs > 0xfff) return ret(-EFAULT);
  const uint32_t proto = s.md.protocol;
  if (proto != kProtoIp && proto != kProtoIpv6) return ret(-kENOTSUPP);
  uint32_t off = kEthHlen;  // skb_mac_header_len: data is at the mac header in tc
  switch (static_cast<uint32_t>(mode)) {
    case kAdjRoomNet: off += net_base_len(proto); break;
    case kAdjRoomMac: break;
    default: return ret(-kENOTSUPP);
  }
  uint32_t len_min = net_base_len(proto);
  if (flags & kAdjDecapL3) {
    if (!shrink) return ret(-EINVAL);
    switch (flags & kAdjDecapL3) {
      case kAdjDecapV4: len_min = 20; break;
      case kAdjDecapV6: len_min = 40; break;
      default: return ret(-EINVAL);
    }
  }
  const uint32_t len_cur = s.md.len - kEthHlen;  // from the network header
  const bool gso = s.md.gso_size != 0;
  if ((shrink && (abs >= len_cur || len_cur - abs < len_min)) ||
      (!shrink && uint64_t{s.md.len} + abs > kSkbMaxLen && !gso))
    return ret(-kENOTSUPP);
  if (shrink) {
    if (flags & ~(kAdjFixedGso | kAdjDecapL3 | kAdjNoCsumReset)) return ret(-EINVAL);
    if (gso) return ret(-kENOTSUPP);
    if (long e = hdr_pop(s, off, abs)) return ret(e);
    if (proto == kProtoIp && (flags & kAdjDecapV6)) s.md.protocol = kProtoIpv6;
    else if (proto == kProtoIpv6 && (flags & kAdjDecapV4)) s.md.protocol = kProtoIp;
    return 0;
  }
  if (gso) return ret(-kENOTSUPP);
  const bool encap = flags & kAdjEncapL3;
  const uint32_t inner_mac_len = static_cast<uint32_t>(flags >> 56);
  if (encap) {
    if ((flags & kAdjEncapV4) && (flags & kAdjEncapV6)) return ret(-EINVAL);
    if ((flags & kAdjEncapGre) && (flags & kAdjEncapUdp)) return ret(-EINVAL);
    if ((flags & kAdjEncapL2Eth) && inner_mac_len < kEthHlen) return ret(-EINVAL);
    if (s.encapsulation) return ret(-EALREADY);
    if (inner_mac_len > abs) return ret(-EINVAL);
  }
  if (long e = hdr_push(s, off, abs)) return ret(e);
  if (encap) {
    s.encapsulation = 1;
    if (proto == kProtoIp && (flags & kAdjEncapV6)) s.md.protocol = kProtoIpv6;
    else if (proto == kProtoIpv6 && (flags & kAdjEncapV4)) s.md.protocol = kProtoIp;
  }
  return 0;
}

// bpf_skb_change_proto: IPv4 <-> IPv6 only, the 20 bytes of difference
// opened or closed after the mac header; the program rewrites the headers.
uint64_t skb_change_proto(RunState&, uint64_t skb, uint64_t proto_arg, uint64_t flags, uint64_t, uint64_t) {
  SkbRun& s = skb_of(skb);
  const uint16_t to = static_cast<uint16_t>(proto_arg);
  if (flags) return ret(-EINVAL);
  long e;
  if (s.md.protocol == kProtoIp && to == kProtoIpv6) e = hdr_push(s, kEthHlen, 20);
  else if (s.md.protocol == kProtoIpv6 && to == kProtoIp) e = hdr_pop(s, kEthHlen, 20);
  else return ret(-kENOTSUPP);
  if (e) return ret(e);
  s.md.protocol = to;
  s.md.hash = s.hash_set = 0;  // skb_clear_hash
  return 0;
}

// bpf_check_mtu. The test runs' device is lo (ifindex 1: MTU 65536, a
// 14-byte hard header); ringb knows no other device.
long mtu_device(uint32_t ifindex) { return ifindex == 0 || ifindex == 1 ? 0 : -ENODEV; }

uint64_t check_mtu(RunState& rs, uint64_t ctx, uint64_t ifindex, uint64_t mtu_len, uint64_t len_diff,
                   uint64_t flags) {
  const bool xdp = rs.exe && rs.exe->program().type == ProgType::Xdp;
  uint32_t* mtu = static_cast<uint32_t*>(ptr(mtu_len));
  const int32_t diff = static_cast<int32_t>(len_diff);
  int64_t len;
  if (xdp) {
    if (flags) return ret(-EINVAL);
    if (long e = mtu_device(static_cast<uint32_t>(ifindex))) return ret(e);
    const auto& x = *reinterpret_cast<const XdpRun*>(ctx);
    len = *mtu ? int64_t{*mtu} + kEthHlen : int64_t{x.md.data_end} - x.md.data;
  } else {
    if (flags & ~uint64_t{BPF_MTU_CHK_SEGS}) return ret(-EINVAL);
    if ((flags & BPF_MTU_CHK_SEGS) && (diff || *mtu)) return ret(-EINVAL);
    if (long e = mtu_device(static_cast<uint32_t>(ifindex))) return ret(e);
    len = *mtu ? int64_t{*mtu} + kEthHlen : int64_t{skb_of(ctx).md.len};
  }
  // int arithmetic, as the kernel's skb_len/xdp_len
  const int32_t total = static_cast<int32_t>(static_cast<uint32_t>(len) + static_cast<uint32_t>(diff));
  const int32_t dev_len = static_cast<int32_t>(kLoopbackMtu + kEthHlen);
  *mtu = kLoopbackMtu;
  return total <= dev_len ? BPF_MTU_CHK_RET_SUCCESS : BPF_MTU_CHK_RET_FRAG_NEEDED;
}

}  // namespace

void add_skb_helpers(Functions& f) {
  const struct {
    int id;
    Function fn;
  } table[] = {
      {9, skb_store_bytes},   {26, skb_load_bytes},
      {39, skb_pull_data},      {38, skb_change_tail},
      {43, skb_change_head},  {10, l3_csum_replace},
      {11, l4_csum_replace},  {28, csum_diff},
      {40, csum_update},          {163, check_mtu},
      {50, skb_adjust_room},      {31, skb_change_proto},
  };
  for (const auto& e : table) f.add_helper(e.id, ringb::helper_name(e.id), e.fn);
}

}  // namespace ringb::vm
