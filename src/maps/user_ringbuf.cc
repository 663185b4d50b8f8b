// user_ringbuf.cc — BPF_MAP_TYPE_USER_RINGBUF's two ends: the program's
// bpf_user_ringbuf_drain() (the kernel's __bpf_user_ringbuf_peek, sample
// release and drain, which trust nothing the producer wrote) and the host
// producer (libbpf's user_ring_buffer__*).
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "ringb/ringbuf.h"
#include "ringbuf_layout.h"

namespace ringb::maps {

using namespace detail;

namespace {

constexpr long kMaxSamples = 128 * 1024;          // BPF_MAX_USER_RINGBUF_SAMPLES
constexpr uint32_t kDynptrMaxSize = (1u << 24) - 1;  // DYNPTR_MAX_SIZE

// __bpf_user_ringbuf_peek().
int peek(char* base, void** sample, uint32_t* size) {
  RingCtl* ctl = ring_ctl(base);
  const uint64_t prod = producer_pos(base).load(std::memory_order_acquire);
  if (prod % 8) return -EINVAL;
  const uint64_t cons = consumer_pos(base).load(std::memory_order_acquire);
  if (cons >= prod) return -ENODATA;
  char* hdr = ring_data(base) + (cons & ctl->mask);
  const uint32_t l = hdr_len(hdr).load(std::memory_order_acquire);
  const uint32_t flags = l & (kRingbufBusyBit | kRingbufDiscardBit);
  const uint32_t len = l & ~flags;
  const uint64_t total = (uint64_t{len} + kRingbufHdrSz + 7) & ~uint64_t{7};
  if (total > prod - cons) return -EINVAL;
  if (total > ctl->mask + 1) return -E2BIG;
  if (len > kDynptrMaxSize) return -E2BIG;
  if (flags & kRingbufDiscardBit) {
    consumer_pos(base).store(cons + total, std::memory_order_release);
    return -EAGAIN;
  }
  if (flags & kRingbufBusyBit) return -ENODATA;
  *sample = ring_data(base) + ((cons + kRingbufHdrSz) & ctl->mask);
  *size = len;
  return 0;
}

}  // namespace

// bpf_user_ringbuf_drain(), Linux 6.18: the count includes discarded
// samples' slots only as the kernel counts them (samples - discarded).
long user_ringbuf_drain(Map* map, uint64_t flags, DrainFn fn, void* ctx) {
  if (flags & ~(kRbNoWakeup | kRbForceWakeup)) return -EINVAL;
  char* base = ring_base(map);
  RingCtl* rc = ring_ctl(base);
  int busy = 0;
  if (!rc->busy.compare_exchange_strong(busy, 1, std::memory_order_acquire)) return -EBUSY;
  long samples = 0, discarded = 0, ret = 0;
  for (; samples < kMaxSamples && ret == 0; samples++) {
    void* sample;
    uint32_t size;
    const int err = peek(base, &sample, &size);
    if (err == -ENODATA) break;
    if (err == -EAGAIN) {
      discarded++;
      continue;
    }
    if (err) {
      ret = err;
      goto done;
    }
    ret = static_cast<long>(fn(sample, size, ctx));
    // __bpf_user_ringbuf_sample_release()
    const uint64_t cons = consumer_pos(base).load(std::memory_order_relaxed);
    consumer_pos(base).store(cons + ((uint64_t{size} + kRingbufHdrSz + 7) & ~uint64_t{7}),
                             std::memory_order_release);
  }
  ret = samples - discarded;
done:
  rc->busy.store(0, std::memory_order_release);
  if ((flags & kRbForceWakeup) || (!(flags & kRbNoWakeup) && samples > 0)) ring_wake(base);
  return ret;
}

// ---- the host producer -----------------------------------------------------------

Expected<std::unique_ptr<UserRingBufferProducer>> UserRingBufferProducer::create(Map* map) {
  if (!is_user_ringbuf(map))
    return Error{EINVAL, std::string("map ") + (map ? "'" + map->def().name + "' (" + map_type_string(map->def().type) + ")" : "(null)") +
                             " is not a user_ringbuf"};
  return std::unique_ptr<UserRingBufferProducer>(new UserRingBufferProducer(map));
}

UserRingBufferProducer::~UserRingBufferProducer() = default;

// user_ring_buffer__reserve().
void* UserRingBufferProducer::reserve(uint32_t size) {
  if (size & (kRingbufBusyBit | kRingbufDiscardBit)) return errno = E2BIG, nullptr;
  char* base = ring_base(map_);
  const uint64_t cons = consumer_pos(base).load(std::memory_order_acquire);
  const uint64_t prod = producer_pos(base).load(std::memory_order_acquire);
  const uint64_t max = ring_ctl(base)->mask + 1;
  const uint64_t avail = max - (prod - cons);
  const uint64_t total = (uint64_t{size} + kRingbufHdrSz + 7) / 8 * 8;
  if (total > max) return errno = E2BIG, nullptr;
  if (avail < total) return errno = ENOSPC, nullptr;
  auto* hdr = reinterpret_cast<RingHdr*>(ring_data(base) + (prod & ring_ctl(base)->mask));
  hdr->pg_off = 0;
  hdr_len(hdr).store(size | kRingbufBusyBit, std::memory_order_relaxed);
  producer_pos(base).store(prod + total, std::memory_order_release);
  return ring_data(base) + ((prod + kRingbufHdrSz) & ring_ctl(base)->mask);
}

// user_ring_buffer__reserve_blocking(): the eventfd a drain signals stands in
// for epoll on the map fd.
void* UserRingBufferProducer::reserve_blocking(uint32_t size, int timeout_ms) {
  const int fd = ring_ctl(ring_base(map_))->event_fd;
  timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  int64_t remaining = timeout_ms;
  while (remaining > 0 || timeout_ms < 0) {
    if (void* s = reserve(size)) return s;
    if (errno != ENOSPC) return nullptr;
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, timeout_ms < 0 ? -1 : static_cast<int>(remaining));
    if (n < 0) return nullptr;
    if (n > 0) {
      uint64_t v;
      [[maybe_unused]] ssize_t r = read(fd, &v, sizeof v);
    }
    if (timeout_ms < 0) continue;
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    const int64_t elapsed_ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    remaining = timeout_ms - elapsed_ms;
  }
  void* s = reserve(size);
  if (!s && errno == ENOSPC) errno = ETIMEDOUT;
  return s;
}

// user_ringbuf_commit(): a sample may start at the data's first byte with its
// header at the end, so the header is found modulo the ring's size.
void UserRingBufferProducer::commit(void* sample, bool discard) {
  char* data = ring_data(ring_base(map_));
  const uint64_t mask = ring_ctl(ring_base(map_))->mask;
  const uint64_t off = mask + 1 + static_cast<uint64_t>(static_cast<char*>(sample) - data) - kRingbufHdrSz;
  auto* hdr = reinterpret_cast<RingHdr*>(data + (off & mask));
  uint32_t l = hdr_len(hdr).load(std::memory_order_relaxed) & ~kRingbufBusyBit;
  if (discard) l |= kRingbufDiscardBit;
  hdr_len(hdr).store(l, std::memory_order_release);
}

void UserRingBufferProducer::submit(void* sample) { commit(sample, false); }
void UserRingBufferProducer::discard(void* sample) { commit(sample, true); }

}  // namespace ringb::maps
