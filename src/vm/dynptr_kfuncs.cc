// dynptr_kfuncs.cc — the dynptr kfuncs' bodies (kernel/bpf/helpers.c,
// net/core/filter.c, Linux 6.18): slices, adjust, queries, clone, copy,
// memset, and dynptrs over a test run's skb and xdp contexts. Prototypes:
// platform/kfunc_table_dynptr.cc.
#include <algorithm>

#include "dynptr.h"
#include "ringbuf_helpers.h"

namespace ringb::vm {
namespace {

using dynptr::Kern;
Kern* dp(uint64_t r) { return dynptr::of(r); }
uint64_t ret(long v) { return static_cast<uint64_t>(v); }
uint32_t u32(uint64_t v) { return static_cast<uint32_t>(v); }

void* slice(const Kern* p, uint32_t offset, uint32_t len) { return dynptr::slice(p, offset, len); }
void* slice_rdwr(const Kern* p, uint32_t offset, uint32_t len) {
  if (!p->data || dynptr::is_rdonly(p)) return nullptr;
  return slice(p, offset, len);
}

#define RINGB_KF(name)                                                                                 \
  uint64_t name(RunState&, [[maybe_unused]] uint64_t a, [[maybe_unused]] uint64_t b, [[maybe_unused]] uint64_t c, \
                [[maybe_unused]] uint64_t d, [[maybe_unused]] uint64_t e)

// bpf_dynptr_slice(p, offset, buffer__opt, buffer__szk): the data is linear,
// so the slice points into it and the buffer is never needed.
RINGB_KF(kf_slice) { return reinterpret_cast<uint64_t>(slice(dp(a), u32(b), u32(d))); }
RINGB_KF(kf_slice_rdwr) { return reinterpret_cast<uint64_t>(slice_rdwr(dp(a), u32(b), u32(d))); }

RINGB_KF(kf_adjust) {
  Kern* p = dp(a);
  const uint32_t start = u32(b), end = u32(c);
  if (!p->data || start > end) return ret(-EINVAL);
  const uint32_t n = dynptr::size(p);
  if (start > n || end > n) return ret(-ERANGE);
  p->offset += start;
  dynptr::set_size(p, end - start);
  return 0;
}
RINGB_KF(kf_is_null) { return !dp(a)->data; }
RINGB_KF(kf_is_rdonly) { return dp(a)->data ? dynptr::is_rdonly(dp(a)) : false; }
RINGB_KF(kf_size) { return dp(a)->data ? dynptr::size(dp(a)) : ret(-EINVAL); }
RINGB_KF(kf_clone) {
  if (!dp(a)->data) {
    dynptr::set_null(dp(b));
    return ret(-EINVAL);
  }
  *dp(b) = *dp(a);
  return 0;
}

// bpf_dynptr_copy(dst, dst_off, src, src_off, size).
RINGB_KF(kf_copy) {
  Kern *dst = dp(a), *src = dp(c);
  const uint32_t dst_off = u32(b), src_off = u32(d), size = u32(e);
  void* s = slice(src, src_off, size);
  void* t = slice_rdwr(dst, dst_off, size);
  if (s && t) {
    std::memmove(t, s, size);
    return 0;
  }
  if (s) return ret(dynptr::write(dst, dst_off, s, size, 0));
  if (t) return ret(dynptr::read(t, size, src, src_off, 0));
  if (dynptr::check_off_len(dst, dst_off, size) || dynptr::check_off_len(src, src_off, size)) return ret(-E2BIG);
  char buf[256];
  for (uint32_t off = 0; off < size;) {
    const uint32_t chunk = std::min<uint32_t>(sizeof buf, size - off);
    if (int err = dynptr::read(buf, chunk, src, uint64_t{src_off} + off, 0)) return ret(err);
    if (int err = dynptr::write(dst, uint64_t{dst_off} + off, buf, chunk, 0)) return ret(err);
    off += chunk;
  }
  return 0;
}

// bpf_dynptr_memset(p, offset, size, val).
RINGB_KF(kf_memset) {
  Kern* p = dp(a);
  const uint32_t offset = u32(b), size = u32(c);
  if (void* s = slice_rdwr(p, offset, size)) {
    std::memset(s, static_cast<uint8_t>(d), size);
    return 0;
  }
  if (dynptr::is_rdonly(p)) return ret(-EINVAL);
  if (int err = dynptr::check_off_len(p, offset, size)) return ret(err);
  char buf[256];
  std::memset(buf, static_cast<uint8_t>(d), sizeof buf);
  for (uint32_t off = 0; off < size;) {
    const uint32_t chunk = std::min<uint32_t>(sizeof buf, size - off);
    if (int err = dynptr::write(p, uint64_t{offset} + off, buf, chunk, 0)) return ret(err);
    off += chunk;
  }
  return 0;
}

// bpf_dynptr_from_skb(skb, flags, ptr) / bpf_dynptr_from_xdp(xdp, flags, ptr).
// (The kernel gives program types that may not write packets the read-only
// form, bpf_dynptr_from_skb_rdonly; ringb runs skb programs as tc, which may.)
uint64_t from_ctx(uint64_t ctx, uint64_t flags, uint64_t p, dynptr::Type t) {
  if (flags) {
    dynptr::set_null(dp(p));
    return ret(-EINVAL);
  }
  void* c = reinterpret_cast<void*>(ctx);
  dynptr::init(dp(p), c, t, 0, dynptr::packet_len(c, t));
  return 0;
}
RINGB_KF(kf_from_skb) { return from_ctx(a, b, c, dynptr::Skb); }
RINGB_KF(kf_from_xdp) { return from_ctx(a, b, c, dynptr::Xdp); }

#undef RINGB_KF

}  // namespace

const std::map<std::string, Function>& dynptr_kfuncs() {
  static const std::map<std::string, Function> fns = {
      {"bpf_dynptr_slice", kf_slice},       {"bpf_dynptr_slice_rdwr", kf_slice_rdwr},
      {"bpf_dynptr_adjust", kf_adjust},     {"bpf_dynptr_is_null", kf_is_null},
      {"bpf_dynptr_is_rdonly", kf_is_rdonly}, {"bpf_dynptr_size", kf_size},
      {"bpf_dynptr_clone", kf_clone},       {"bpf_dynptr_copy", kf_copy},
      {"bpf_dynptr_memset", kf_memset},     {"bpf_dynptr_from_skb", kf_from_skb},
      {"bpf_dynptr_from_xdp", kf_from_xdp},
  };
  return fns;
}

}  // namespace ringb::vm
