// ringbuf_consumer.cc — the host's consumer of BPF_MAP_TYPE_RINGBUF rings,
// libbpf's ring_buffer__* (tools/lib/bpf/ringbuf.c): an epoll set over the
// rings' eventfds, and the same walk over records (stop at a busy record,
// skip discarded ones, move the consumer position after each record).
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "ringb/ringbuf.h"
#include "ringbuf_layout.h"

namespace ringb::maps {

using namespace detail;

RingBufferConsumer::RingBufferConsumer() : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {}

RingBufferConsumer::~RingBufferConsumer() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

Status RingBufferConsumer::add(Map* map, Callback cb, void* ctx) {
  if (!is_ringbuf(map))
    return Error{EINVAL, map ? "map '" + map->def().name + "' is a " + map_type_string(map->def().type) +
                                   " map, not a ringbuf: a ring buffer consumer reads ringbuf maps only"
                             : std::string("no map given to the ring buffer consumer")};
  if (!cb) return Error{EINVAL, "a ring buffer consumer needs a callback for map '" + map->def().name + "'"};
  if (epoll_fd_ < 0) return Error{errno ? errno : EMFILE, "epoll_create1 failed"};
  const int efd = ring_ctl(ring_base(map))->event_fd;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u32 = static_cast<uint32_t>(rings_.size());
  // The same map twice is one eventfd: the first registration serves both.
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, efd, &ev) != 0 && errno != EEXIST)
    return Error{errno, std::string("epoll_ctl: ") + std::strerror(errno)};
  rings_.push_back({map, cb, ctx, efd});
  return {};
}

// ringbuf_process_ring().
int RingBufferConsumer::process(Ring& r, int limit) {
  char* base = ring_base(r.map);
  char* data = ring_data(base);
  const uint64_t mask = ring_ctl(base)->mask;
  auto cons_ref = consumer_pos(base);
  uint64_t cons = cons_ref.load(std::memory_order_acquire);
  int cnt = 0;
  bool got_new_data;
  do {
    got_new_data = false;
    const uint64_t prod = producer_pos(base).load(std::memory_order_acquire);
    while (cons < prod) {
      char* hdr = data + (cons & mask);
      const uint32_t len = hdr_len(hdr).load(std::memory_order_acquire);
      if (len & kRingbufBusyBit) return cnt;
      got_new_data = true;
      cons += record_span(len);
      if (!(len & kRingbufDiscardBit)) {
        const int err = r.cb(r.ctx, hdr + kRingbufHdrSz, len & ~kRingbufDiscardBit);
        if (err < 0) {
          cons_ref.store(cons, std::memory_order_release);
          return err;
        }
        cnt++;
      }
      cons_ref.store(cons, std::memory_order_release);
      if (cnt >= limit) return cnt;
    }
  } while (got_new_data);
  return cnt;
}

namespace {
void drain_eventfd(int fd) {
  uint64_t v;
  [[maybe_unused]] ssize_t n = read(fd, &v, sizeof v);
}
}  // namespace

int RingBufferConsumer::consume_ring(size_t index) {
  if (index >= rings_.size()) return -EINVAL;
  const int n = process(rings_[index], INT_MAX);
  return n;
}

int RingBufferConsumer::consume() {
  int64_t res = 0;
  for (Ring& r : rings_) {
    const int n = process(r, INT_MAX);
    if (n < 0) return n;
    res += n;
    if (res > INT_MAX) return INT_MAX;
  }
  return static_cast<int>(res);
}

// ring_buffer__poll(). The kernel's map poll is level-triggered (ready while
// prod != cons); here a ring with records not yet consumed counts as ready at
// once, and otherwise the wait is for a producer's wakeup.
int RingBufferConsumer::poll(int timeout_ms) {
  bool ready = false;
  for (Ring& r : rings_) {
    const RingPositions p = ringbuf_positions(r.map);
    if (p.producer != p.consumer) ready = true;
  }
  if (!ready) {
    epoll_event ev[16];
    const int n = epoll_wait(epoll_fd_, ev, 16, timeout_ms);
    if (n < 0) return -errno;
    if (n == 0) return 0;
  }
  int64_t res = 0;
  for (Ring& r : rings_) {
    drain_eventfd(r.event_fd);
    const RingPositions p = ringbuf_positions(r.map);
    if (p.producer == p.consumer) continue;
    const int n = process(r, INT_MAX);
    if (n < 0) return n;
    res += n;
    if (res > INT_MAX) return INT_MAX;
  }
  return static_cast<int>(res);
}

}  // namespace ringb::maps
