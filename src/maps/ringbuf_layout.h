// ringbuf_layout.h — the memory of a ring (BPF_MAP_TYPE_RINGBUF and
// USER_RINGBUF), shared by the map, its helpers' bodies, the host consumer
// and the host producer. The kernel's struct bpf_ringbuf, page by page:
//
//   page 0   RingCtl: the producers' lock, pending_pos, the drain's busy
//            word, mask, the wakeup eventfd (the kernel's waitq + irq_work)
//   page 1   consumer_pos (u64)
//   page 2   producer_pos (u64)
//   page 3…  data, nr_data_pages, then the same pages mapped once more, so a
//            record that wraps past the end reads and writes contiguously
//
// A record header's pg_off is the header's page distance from page 0, so a
// sample pointer alone finds its ring (bpf_ringbuf_restore_from_rec).
#pragma once

#include <atomic>
#include <cstdint>

#include "cpu_spinlock.h"
#include "ringb/maps.h"

namespace ringb::maps::detail {

inline constexpr uint64_t kRingPageSize = 4096;  // PAGE_SIZE on x86-64
inline constexpr uint64_t kRingMetaPages = 3;    // RINGBUF_NR_META_PAGES
inline constexpr uint64_t kRingDataOff = kRingMetaPages * kRingPageSize;
inline constexpr uint64_t kRingMaxRecordSz = UINT32_MAX / 4;  // RINGBUF_MAX_RECORD_SZ

struct RingCtl {
  alignas(64) CpuSpinLock lock;   // kernel producers (bpf_ringbuf_reserve)
  uint64_t pending_pos = 0;       // under lock: oldest record maybe still busy
  alignas(64) std::atomic<int> busy{0};  // user ringbuf: one drain at a time
  uint64_t mask = 0;              // data size - 1
  int event_fd = -1;              // producers' wakeups (ringbuf) / drains' (user ringbuf)
};
static_assert(sizeof(RingCtl) <= kRingPageSize);

struct RingHdr {
  uint32_t len;     // sample size | BUSY | DISCARD
  uint32_t pg_off;  // pages from the ring's start to this header
};

inline RingCtl* ring_ctl(char* base) { return reinterpret_cast<RingCtl*>(base); }
inline std::atomic_ref<uint64_t> consumer_pos(char* base) {
  return std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(base + kRingPageSize));
}
inline std::atomic_ref<uint64_t> producer_pos(char* base) {
  return std::atomic_ref<uint64_t>(*reinterpret_cast<uint64_t*>(base + 2 * kRingPageSize));
}
inline char* ring_data(char* base) { return base + kRingDataOff; }
inline std::atomic_ref<uint32_t> hdr_len(void* hdr) {
  return std::atomic_ref<uint32_t>(static_cast<RingHdr*>(hdr)->len);
}
// round_up(len + BPF_RINGBUF_HDR_SZ, 8) of a header's len, flags masked off.
inline uint64_t record_span(uint32_t len) {
  const uint64_t n = len & ~(uint32_t{1} << 31 | uint32_t{1} << 30);
  return (n + 8 + 7) & ~uint64_t{7};
}

// The ring of a BPF_MAP_TYPE_RINGBUF or USER_RINGBUF map (ringbuf_map.cc).
char* ring_base(const Map* map);
// Wakes whoever waits on the ring's eventfd; async-signal-safe, keeps errno.
void ring_wake(char* base);

}  // namespace ringb::maps::detail
