// xdp_helpers.cc — bpf_xdp_adjust_head/tail/meta on the test run's frame
// (ringb/test_ctx.h: XdpRun), with net/core/filter.c's bounds and errnos:
// the head may not reach into the xdp_frame kept at the frame's start nor
// leave less than an Ethernet header; the tail may not pass the frame's end
// less the skb_shared_info tailroom; metadata is at most 255 bytes (a u8
// in skb_shared_info; Linux 6.18), in multiples of 4.
#include <cerrno>
#include <cstring>

#include "helper_sets.h"
#include "ringb/disasm.h"
#include "ringb/test_ctx.h"

namespace ringb::vm {
namespace {

XdpRun& xdp_of(uint64_t r) { return *reinterpret_cast<XdpRun*>(r); }
uint8_t* at(uint32_t a) { return reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(a)); }
uint64_t ret(long v) { return static_cast<uint64_t>(v); }

uint64_t xdp_adjust_head(RunState&, uint64_t ctx, uint64_t offset, uint64_t, uint64_t, uint64_t) {
  XdpRun& x = xdp_of(ctx);
  const int64_t off = static_cast<int32_t>(offset);
  const int64_t metalen = int64_t{x.md.data} - x.md.data_meta;
  const int64_t data_start = int64_t{x.hard_start} + kXdpFrameStruct + metalen;
  const int64_t data = int64_t{x.md.data} + off;
  if (data < data_start || data > int64_t{x.md.data_end} - kEthHlen) return ret(-EINVAL);
  if (metalen) std::memmove(at(static_cast<uint32_t>(x.md.data_meta + off)), at(x.md.data_meta), metalen);
  x.md.data_meta = static_cast<uint32_t>(x.md.data_meta + off);
  x.md.data = static_cast<uint32_t>(data);
  return 0;
}

uint64_t xdp_adjust_tail(RunState&, uint64_t ctx, uint64_t offset, uint64_t, uint64_t, uint64_t) {
  XdpRun& x = xdp_of(ctx);
  const int64_t off = static_cast<int32_t>(offset);
  const int64_t hard_end = int64_t{x.hard_start} + x.frame_sz - kSkbSharedInfo;
  const int64_t end = int64_t{x.md.data_end} + off;
  if (end > hard_end) return ret(-EINVAL);
  if (end < int64_t{x.md.data} + kEthHlen) return ret(-EINVAL);
  if (off > 0) std::memset(at(x.md.data_end), 0, static_cast<size_t>(off));  // the kernel clears what it grows
  x.md.data_end = static_cast<uint32_t>(end);
  return 0;
}

uint64_t xdp_adjust_meta(RunState&, uint64_t ctx, uint64_t offset, uint64_t, uint64_t, uint64_t) {
  XdpRun& x = xdp_of(ctx);
  const int64_t off = static_cast<int32_t>(offset);
  if (x.md.data_meta > x.md.data) return ret(-524);  // xdp_data_meta_unsupported: -ENOTSUPP
  const int64_t meta = int64_t{x.md.data_meta} + off;
  const int64_t metalen = int64_t{x.md.data} - meta;
  if (meta < int64_t{x.hard_start} + kXdpFrameStruct || meta > x.md.data) return ret(-EINVAL);
  if ((metalen & 3) || metalen > kXdpMaxMeta) return ret(-EACCES);
  x.md.data_meta = static_cast<uint32_t>(meta);
  return 0;
}

}  // namespace

void add_xdp_helpers(Functions& f) {
  f.add_helper(44, ringb::helper_name(44), xdp_adjust_head);
  f.add_helper(65, ringb::helper_name(65), xdp_adjust_tail);
  f.add_helper(54, ringb::helper_name(54), xdp_adjust_meta);
}

}  // namespace ringb::vm
