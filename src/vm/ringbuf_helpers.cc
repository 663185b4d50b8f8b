// ringbuf_helpers.cc — helpers 130–134 (bpf_ringbuf_output/reserve/submit/
// discard/query), 197–203 (bpf_dynptr_from_mem, the ringbuf dynptr forms,
// bpf_dynptr_read/write/data) and 209 (bpf_user_ringbuf_drain), with the
// kernel's argument checks and return values (kernel/bpf/ringbuf.c,
// kernel/bpf/helpers.c). Nothing here allocates: rings are mapped at map
// creation and dynptrs live in the program's stack.
#include <cstring>

#include "dynptr.h"
#include "ringb/disasm.h"
#include "ringb/ringbuf.h"
#include "ringbuf_helpers.h"

namespace ringb::vm {
namespace {

maps::Map* map_of(uint64_t r) { return reinterpret_cast<maps::Map*>(r); }
void* ptr(uint64_t r) { return reinterpret_cast<void*>(r); }
uint64_t ret(long v) { return static_cast<uint64_t>(v); }

uint64_t ringbuf_output(RunState&, uint64_t map, uint64_t data, uint64_t size, uint64_t flags, uint64_t) {
  if (flags & ~(maps::kRbNoWakeup | maps::kRbForceWakeup)) return ret(-EINVAL);
  void* rec = maps::ringbuf_reserve(map_of(map), size);
  if (!rec) return ret(-EAGAIN);
  std::memcpy(rec, ptr(data), size);
  maps::ringbuf_commit(rec, flags, false);
  return 0;
}

uint64_t ringbuf_reserve(RunState&, uint64_t map, uint64_t size, uint64_t flags, uint64_t, uint64_t) {
  if (flags) return 0;
  return reinterpret_cast<uint64_t>(maps::ringbuf_reserve(map_of(map), size));
}

uint64_t ringbuf_submit(RunState&, uint64_t sample, uint64_t flags, uint64_t, uint64_t, uint64_t) {
  maps::ringbuf_commit(ptr(sample), flags, false);
  return 0;
}

uint64_t ringbuf_discard(RunState&, uint64_t sample, uint64_t flags, uint64_t, uint64_t, uint64_t) {
  maps::ringbuf_commit(ptr(sample), flags, true);
  return 0;
}

uint64_t ringbuf_query(RunState&, uint64_t map, uint64_t flags, uint64_t, uint64_t, uint64_t) {
  return maps::ringbuf_query(map_of(map), flags);
}

uint64_t ringbuf_reserve_dynptr(RunState&, uint64_t map, uint64_t size, uint64_t flags, uint64_t p,
                                uint64_t) {
  dynptr::Kern* d = dynptr::of(p);
  const uint32_t n = static_cast<uint32_t>(size);  // ARG_ANYTHING, taken as u32
  if (flags) {
    dynptr::set_null(d);
    return ret(-EINVAL);
  }
  if (int err = dynptr::check_size(n)) {
    dynptr::set_null(d);
    return ret(err);
  }
  void* sample = maps::ringbuf_reserve(map_of(map), n);
  if (!sample) {
    dynptr::set_null(d);
    return ret(-EINVAL);
  }
  dynptr::init(d, sample, dynptr::RingBuf, 0, n);
  return 0;
}

uint64_t commit_dynptr(uint64_t p, uint64_t flags, bool discard) {
  dynptr::Kern* d = dynptr::of(p);
  if (!d->data) return 0;
  maps::ringbuf_commit(d->data, flags, discard);
  dynptr::set_null(d);
  return 0;
}
uint64_t ringbuf_submit_dynptr(RunState&, uint64_t p, uint64_t flags, uint64_t, uint64_t, uint64_t) {
  return commit_dynptr(p, flags, false);
}
uint64_t ringbuf_discard_dynptr(RunState&, uint64_t p, uint64_t flags, uint64_t, uint64_t, uint64_t) {
  return commit_dynptr(p, flags, true);
}

// bpf_user_ringbuf_drain(map, callback, ctx, flags): callback(dynptr, ctx)
// per sample, a local dynptr over the sample; nonzero stops.
struct Drain {
  RunState* rs;
  uint64_t callback, ctx;
};
uint64_t user_ringbuf_drain(RunState& rs, uint64_t map, uint64_t callback, uint64_t ctx, uint64_t flags,
                            uint64_t) {
  Drain dr{&rs, callback, ctx};
  return ret(maps::user_ringbuf_drain(
      map_of(map), flags,
      [](void* sample, uint32_t size, void* p) -> uint64_t {
        auto* d = static_cast<Drain*>(p);
        dynptr::Kern k;
        dynptr::init(&k, sample, dynptr::Local, 0, size);
        return d->rs->call_callback(d->callback, reinterpret_cast<uint64_t>(&k), d->ctx, 0, 0, 0);
      },
      &dr));
}

uint64_t dynptr_from_mem(RunState&, uint64_t data, uint64_t size, uint64_t flags, uint64_t p, uint64_t) {
  dynptr::Kern* d = dynptr::of(p);
  const uint32_t n = static_cast<uint32_t>(size);
  int err = dynptr::check_size(n);
  if (!err && flags) err = -EINVAL;
  if (err) {
    dynptr::set_null(d);
    return ret(err);
  }
  dynptr::init(d, ptr(data), dynptr::Local, 0, n);
  return 0;
}

uint64_t dynptr_read(RunState&, uint64_t dst, uint64_t len, uint64_t src, uint64_t offset, uint64_t flags) {
  return ret(dynptr::read(ptr(dst), static_cast<uint32_t>(len), dynptr::of(src), static_cast<uint32_t>(offset),
                          flags));
}

uint64_t dynptr_write(RunState&, uint64_t dst, uint64_t offset, uint64_t src, uint64_t len, uint64_t flags) {
  return ret(dynptr::write(dynptr::of(dst), static_cast<uint32_t>(offset), ptr(src), static_cast<uint32_t>(len),
                           flags));
}

// bpf_dynptr_data(): NULL for read-only dynptrs and for skb/xdp ones (those
// use bpf_dynptr_slice).
uint64_t dynptr_data(RunState&, uint64_t p, uint64_t offset, uint64_t len, uint64_t, uint64_t) {
  const dynptr::Kern* d = dynptr::of(p);
  if (!d->data || dynptr::check_off_len(d, static_cast<uint32_t>(offset), static_cast<uint32_t>(len)) ||
      dynptr::is_rdonly(d))
    return 0;
  const dynptr::Type t = dynptr::type(d);
  if (t != dynptr::Local && t != dynptr::RingBuf) return 0;
  return reinterpret_cast<uint64_t>(static_cast<char*>(d->data) + d->offset + static_cast<uint32_t>(offset));
}

}  // namespace

void add_ringbuf_helpers(Functions& f) {
  const struct {
    int id;
    Function fn;
  } table[] = {
      {130, ringbuf_output},        {131, ringbuf_reserve},        {132, ringbuf_submit},
      {133, ringbuf_discard},       {134, ringbuf_query},          {197, dynptr_from_mem},
      {198, ringbuf_reserve_dynptr}, {199, ringbuf_submit_dynptr}, {200, ringbuf_discard_dynptr},
      {201, dynptr_read},           {202, dynptr_write},           {203, dynptr_data},
      {209, user_ringbuf_drain},
  };
  for (const auto& e : table) f.add_helper(e.id, ringb::helper_name(e.id), e.fn);
}

}  // namespace ringb::vm
