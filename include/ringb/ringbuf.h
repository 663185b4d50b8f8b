// ringb/ringbuf.h — BPF_MAP_TYPE_RINGBUF and BPF_MAP_TYPE_USER_RINGBUF: the
// program side the helpers call, and the host's consumer and producer in
// libbpf's manner (ring_buffer__* and user_ring_buffer__*).
//
// A ring is laid out as the kernel's struct bpf_ringbuf: a private page, the
// consumer position's page, the producer position's page, then the data pages,
// mapped twice in a row so a record that wraps is contiguous. Records are the
// kernel's: an 8-byte header (u32 len with the BUSY and DISCARD bits, u32 page
// offset of the header from the ring's start), the sample, padding to 8.
// A host consumer therefore sees exactly what a libbpf consumer sees in the
// kernel's mmap'd ring. docs/ringbuf.md.
//
//   RingBufferConsumer c;                       // ring_buffer__new
//   c.add(obj->map("events"), on_event, &state); // ring_buffer__add
//   c.poll(100);                                // ring_buffer__poll
//
// Maps stay owned by whoever created them and must outlive the consumers and
// producers made on them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ringb/error.h"
#include "ringb/maps.h"

namespace ringb::maps {

// UAPI values (include/uapi/linux/bpf.h).
inline constexpr uint64_t kRbNoWakeup = 1;     // BPF_RB_NO_WAKEUP
inline constexpr uint64_t kRbForceWakeup = 2;  // BPF_RB_FORCE_WAKEUP
inline constexpr uint64_t kRbAvailData = 0;    // BPF_RB_AVAIL_DATA
inline constexpr uint64_t kRbRingSize = 1;     // BPF_RB_RING_SIZE
inline constexpr uint64_t kRbConsPos = 2;      // BPF_RB_CONS_POS
inline constexpr uint64_t kRbProdPos = 3;      // BPF_RB_PROD_POS
inline constexpr uint32_t kRingbufBusyBit = 1u << 31;
inline constexpr uint32_t kRingbufDiscardBit = 1u << 30;
inline constexpr uint32_t kRingbufHdrSz = 8;

bool is_ringbuf(const Map* map);       // BPF_MAP_TYPE_RINGBUF
bool is_user_ringbuf(const Map* map);  // BPF_MAP_TYPE_USER_RINGBUF

// ---- program side (async-signal-safe, no allocation) ------------------------
// __bpf_ringbuf_reserve(): room for `size` bytes, or nullptr (too large, no
// room, or a signal handler that interrupted a reserve on its own cpu slot —
// the kernel's rqspinlock AA case). `map` must be a ringbuf.
void* ringbuf_reserve(Map* map, uint64_t size);
// bpf_ringbuf_commit(): `sample` from ringbuf_reserve; wakes the consumers
// as the kernel does (kRbForceWakeup always, kRbNoWakeup never, else when the
// consumer has caught up to this record).
void ringbuf_commit(void* sample, uint64_t flags, bool discard);
// bpf_ringbuf_query(); 0 for unknown flags.
uint64_t ringbuf_query(Map* map, uint64_t flags);

// bpf_user_ringbuf_drain() without the program: calls fn(sample, size, ctx)
// for each committed sample (discarded ones are skipped) until fn returns
// nonzero or there is no more; returns the number drained (the kernel's
// count, which includes a sample whose callback stopped the drain), -EINVAL
// for bad flags or a malformed ring, -E2BIG for a sample too large, -EBUSY
// while another drain runs. `map` must be a user ringbuf.
using DrainFn = uint64_t (*)(void* sample, uint32_t size, void* ctx);
long user_ringbuf_drain(Map* map, uint64_t flags, DrainFn fn, void* ctx);

// What a ring holds, for tests: positions and the record at a position.
struct RingPositions {
  uint64_t consumer = 0, producer = 0, size = 0;
};
RingPositions ringbuf_positions(const Map* map);
// The start of the data area (the first mapping) and its size.
const uint8_t* ringbuf_data(const Map* map);

// ---- host consumer of BPF_MAP_TYPE_RINGBUF (ring_buffer__*) -----------------
// One thread at a time per consumer, never in a signal handler.
class RingBufferConsumer {
 public:
  // A negative return stops consuming; consume()/poll() return it.
  using Callback = int (*)(void* ctx, void* data, size_t size);

  RingBufferConsumer();
  ~RingBufferConsumer();
  RingBufferConsumer(const RingBufferConsumer&) = delete;
  RingBufferConsumer& operator=(const RingBufferConsumer&) = delete;

  // ring_buffer__add: EINVAL naming the map when it is not a ringbuf; the
  // epoll set's own errors otherwise.
  Status add(Map* map, Callback cb, void* ctx);
  size_t rings() const { return rings_.size(); }

  // ring_buffer__poll: waits up to timeout_ms (-1: forever) for a ring with
  // data (one with records not yet consumed, committed or not, counts at
  // once, as the kernel's poll does), then consumes every ring that has
  // some. Returns the records delivered, a callback's negative return, or
  // -errno from epoll_wait (-EINTR when a signal cut the wait short).
  int poll(int timeout_ms);
  // ring_buffer__consume: every ring, without waiting.
  int consume();
  // ring_buffer__consume_ring: ring `index` (in order of add()); -EINVAL past them.
  int consume_ring(size_t index);
  // ring_buffer__epoll_fd: readable when a producer woke a ring.
  int fd() const { return epoll_fd_; }

 private:
  struct Ring {
    Map* map;
    Callback cb;
    void* ctx;
    int event_fd;
  };
  int process(Ring& r, int limit);
  std::vector<Ring> rings_;
  int epoll_fd_ = -1;
};

// ---- host producer of BPF_MAP_TYPE_USER_RINGBUF (user_ring_buffer__*) -------
// One producer per map, one thread at a time (libbpf's rule: the host
// serialises its producers).
class UserRingBufferProducer {
 public:
  // EINVAL naming the map when it is not a user ringbuf.
  static Expected<std::unique_ptr<UserRingBufferProducer>> create(Map* map);
  ~UserRingBufferProducer();
  UserRingBufferProducer(const UserRingBufferProducer&) = delete;
  UserRingBufferProducer& operator=(const UserRingBufferProducer&) = delete;

  // user_ring_buffer__reserve: room for `size` bytes, or nullptr with errno
  // E2BIG (size uses the header's flag bits, or the record exceeds the ring)
  // or ENOSPC (not enough room now).
  void* reserve(uint32_t size);
  // user_ring_buffer__reserve_blocking: waits up to timeout_ms (-1: forever)
  // for a drain to make room; nullptr with errno ETIMEDOUT, E2BIG, or the
  // wait's error.
  void* reserve_blocking(uint32_t size, int timeout_ms);
  // user_ring_buffer__submit / __discard: `sample` from reserve, in any order.
  void submit(void* sample);
  void discard(void* sample);

 private:
  explicit UserRingBufferProducer(Map* map) : map_(map) {}
  void commit(void* sample, bool discard);
  Map* map_;
};

}  // namespace ringb::maps
