// packet_ctx_in.cc — see packet_ctx_in.h.
#include "packet_ctx_in.h"

#include <net/if.h>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>

namespace ringb::api {
namespace {

constexpr uint32_t kGsoLegacyMaxSize = 65536;  // GSO_LEGACY_MAX_SIZE
constexpr uint32_t kGsoMaxSegs = 65535;        // GSO_MAX_SEGS

// `in` as a zero-filled struct of `size` bytes; E2BIG when a longer ctx_in
// has a non-zero byte past the struct.
Status copy_in(const std::vector<uint8_t>& in, void* out, size_t size, const char* what) {
  for (size_t i = size; i < in.size(); ++i)
    if (in[i])
      return Error{E2BIG, std::string("ctx_in is longer than struct ") + what + " (" + std::to_string(size) +
                              " bytes) and not zero past it (byte " + std::to_string(i) + ")"};
  std::memset(out, 0, size);
  std::memcpy(out, in.data(), std::min(size, in.size()));
  return {};
}

bool zero(const void* p, size_t from, size_t to) {
  const auto* b = static_cast<const uint8_t*>(p);
  for (size_t i = from; i < to; ++i)
    if (b[i]) return false;
  return true;
}

// The device's number of receive queues (/sys/class/net/NAME/queues/rx-*),
// 0 when this host has no device of that index.
uint32_t rx_queues(uint32_t ifindex) {
  char name[IF_NAMESIZE] = {};
  if (!if_indextoname(ifindex, name)) return 0;
  uint32_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/sys/class/net/" + std::string(name) + "/queues", ec))
    if (e.path().filename().string().rfind("rx-", 0) == 0) ++n;
  return n ? n : 1;
}

}  // namespace

Status apply_skb_ctx_in(const std::vector<uint8_t>& in, uint32_t skb_len, __sk_buff& md) {
  __sk_buff c;
  if (Status s = copy_in(in, &c, sizeof c, "__sk_buff"); !s) return s;
  // The fields a test run may set, in order; every byte between them is zero.
  struct Span {
    size_t from, to;
  };
  static constexpr Span allowed[] = {
      {offsetof(__sk_buff, mark), offsetof(__sk_buff, mark) + 4},
      {offsetof(__sk_buff, priority), offsetof(__sk_buff, ifindex) + 4},  // priority, ingress_ifindex, ifindex
      {offsetof(__sk_buff, cb), offsetof(__sk_buff, cb) + sizeof c.cb},
      {offsetof(__sk_buff, tstamp), offsetof(__sk_buff, gso_segs) + 4},  // tstamp, wire_len, gso_segs
      {offsetof(__sk_buff, gso_size), offsetof(__sk_buff, gso_size) + 4},
      {offsetof(__sk_buff, hwtstamp), offsetof(__sk_buff, hwtstamp) + 8},
  };
  size_t at = 0;
  for (const Span& s : allowed) {
    if (!zero(&c, at, s.from))
      return Error{EINVAL, "ctx_in: __sk_buff bytes " + std::to_string(at) + ".." + std::to_string(s.from) +
                               " must be zero (a test run may set only mark, priority, ingress_ifindex, ifindex, "
                               "cb, tstamp, wire_len, gso_segs, gso_size and hwtstamp)"};
    at = s.to;
  }
  if (!zero(&c, at, sizeof c))
    return Error{EINVAL, "ctx_in: __sk_buff bytes after hwtstamp must be zero"};
  if (c.ifindex > 1 && !rx_queues(c.ifindex))
    return Error{ENODEV, "ctx_in: no network device has ifindex " + std::to_string(c.ifindex)};
  if (c.wire_len && (c.wire_len < skb_len || c.wire_len > kGsoLegacyMaxSize))
    return Error{EINVAL, "ctx_in: wire_len " + std::to_string(c.wire_len) + " is not within [len " +
                             std::to_string(skb_len) + ", 65536]"};
  if (c.gso_segs > kGsoMaxSegs)
    return Error{EINVAL, "ctx_in: gso_segs " + std::to_string(c.gso_segs) + " is above 65535 (GSO_MAX_SEGS)"};
  md.mark = c.mark;
  md.priority = c.priority;
  md.ingress_ifindex = c.ingress_ifindex;
  if (c.ifindex > 1) md.ifindex = c.ifindex;
  std::memcpy(md.cb, c.cb, sizeof md.cb);
  md.tstamp = c.tstamp;
  md.wire_len = c.wire_len ? c.wire_len : skb_len;
  md.gso_segs = c.gso_segs;
  md.gso_size = c.gso_size;
  md.hwtstamp = c.hwtstamp;
  return {};
}

std::vector<uint8_t> skb_ctx_out(const std::vector<uint8_t>& in, const __sk_buff& md) {
  __sk_buff c{};
  std::memcpy(&c, in.data(), std::min(sizeof c, in.size()));
  c.mark = md.mark;
  c.priority = md.priority;
  c.ingress_ifindex = md.ingress_ifindex;
  c.ifindex = md.ifindex;
  c.tstamp = md.tstamp;
  std::memcpy(c.cb, md.cb, sizeof c.cb);
  c.wire_len = md.wire_len;
  c.gso_segs = md.gso_segs;
  c.hwtstamp = md.hwtstamp;
  const auto* b = reinterpret_cast<const uint8_t*>(&c);
  return std::vector<uint8_t>(b, b + sizeof c);
}

Expected<XdpCtxIn> parse_xdp_ctx_in(const std::vector<uint8_t>& in, size_t data_in_size) {
  xdp_md c;
  if (Status s = copy_in(in, &c, sizeof c, "xdp_md"); !s) return s.error();
  if (c.data_meta) return Error{EINVAL, "ctx_in: xdp_md.data_meta must be 0 (nothing precedes the metadata)"};
  if (c.data_end > data_in_size || c.data > c.data_end)
    return Error{EINVAL, "ctx_in: xdp_md needs data <= data_end <= the size of data_in (" +
                             std::to_string(data_in_size) + ")"};
  if (c.data % 4 || c.data > kXdpMaxMeta || c.data > kXdpHeadroom - kXdpFrameStruct)
    return Error{EINVAL, "ctx_in: xdp_md.data (the metadata's length, " + std::to_string(c.data) +
                             ") must be a multiple of 4 and at most 255"};
  if (data_in_size - c.data < kEthHlen)
    return Error{EINVAL, "ctx_in: data_in has " + std::to_string(data_in_size - c.data) +
                             " bytes after the metadata, fewer than an Ethernet header"};
  if (c.data_end < data_in_size)
    return Error{EOPNOTSUPP, "ctx_in: xdp_md.data_end " + std::to_string(c.data_end) + " ends the linear part before data_in does (" +
                                 std::to_string(data_in_size) + " bytes): ringb does not model XDP fragments"};
  if (c.egress_ifindex) return Error{EINVAL, "ctx_in: xdp_md.egress_ifindex must be 0"};
  if (!c.ingress_ifindex && c.rx_queue_index)
    return Error{EINVAL, "ctx_in: xdp_md.rx_queue_index needs an ingress_ifindex"};
  XdpCtxIn r;
  r.meta_len = c.data;
  if (c.ingress_ifindex) {
    const uint32_t queues = rx_queues(c.ingress_ifindex);
    if (!queues) return Error{ENODEV, "ctx_in: no network device has ifindex " + std::to_string(c.ingress_ifindex)};
    if (c.rx_queue_index >= queues)
      return Error{EINVAL, "ctx_in: rx_queue_index " + std::to_string(c.rx_queue_index) + " is not below the " +
                               std::to_string(queues) + " receive queues of ifindex " +
                               std::to_string(c.ingress_ifindex)};
    r.ingress_ifindex = c.ingress_ifindex;
    r.rx_queue_index = c.rx_queue_index;
  }
  return r;
}

std::vector<uint8_t> xdp_ctx_out(const std::vector<uint8_t>& in, const xdp_md& md) {
  xdp_md c{};
  std::memcpy(&c, in.data(), std::min(sizeof c, in.size()));
  c.data = md.data - md.data_meta;
  c.data_end = md.data_end - md.data_meta;
  const auto* b = reinterpret_cast<const uint8_t*>(&c);
  return std::vector<uint8_t>(b, b + sizeof c);
}

}  // namespace ringb::api
