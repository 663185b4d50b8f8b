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
  if (flags & BPF_F_INVALIDATE_HASH) s.md.hash = 0;
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
  };
  for (const auto& e : table) f.add_helper(e.id, ringb::helper_name(e.id), e.fn);
}

}  // namespace ringb::vm
